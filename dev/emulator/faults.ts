// Faults a portal shows under load, drawn per request from a seeded generator so a run can be repeated,
// and the fixed faults a test adds for the requests it names.
import { normalizeMethodName } from './params';

/** What can go wrong with one REST request. */
export type RequestFaultKind =
	| 'serverError'
	| 'reset'
	| 'slow'
	| 'truncated'
	| 'badGateway'
	| 'unavailable'
	| 'operatingLimit'
	| 'queryLimitStorm';

/** What can go wrong with one command inside a batch answer. */
export type CommandFaultKind = 'commandQueryLimit' | 'commandServerError' | 'commandMissing';

export type FaultKind = RequestFaultKind | CommandFaultKind | 'expiredToken';

/**
 * A mix of faults for a soak run. Each share is the chance that one REST request meets that fault;
 * the shares of request faults must add up to at most 1.
 */
export interface FaultMix {
	/** The same seed and the same requests give the same faults. */
	seed?: number;
	/** The REST methods the mix touches; every REST method when absent. */
	restMethods?: string[];
	/** HTTP 500 `INTERNAL_SERVER_ERROR` in JSON. */
	serverError?: number;
	/** The connection is closed without an answer. */
	reset?: number;
	/** The answer comes after `slowDelayMs`, later than the client waits. */
	slow?: number;
	slowDelayMs?: number;
	/** HTTP 200 with the first half of the answer's JSON. */
	truncated?: number;
	/** An HTML page with HTTP 502, as a proxy sends while the portal restarts. */
	badGateway?: number;
	/** An HTML page with HTTP 503. */
	unavailable?: number;
	/** HTTP 429 `OPERATION_TIME_LIMIT` with `operating_reset_at` this far ahead. */
	operatingLimit?: number;
	operatingResetSeconds?: number;
	/** A storm: for `stormSeconds` from this request on, every request gets 503 `QUERY_LIMIT_EXCEEDED`. */
	queryLimitStorm?: number;
	stormSeconds?: number;
	/** Every OAuth access token expires before every `expireTokensEvery`-th REST request. */
	expireTokensEvery?: number;
	/** The chance that one batch command is answered with a fault instead of its result. */
	commandFaults?: number;
}

const REQUEST_FAULTS: readonly RequestFaultKind[] = [
	'serverError',
	'reset',
	'slow',
	'truncated',
	'badGateway',
	'unavailable',
	'operatingLimit',
	'queryLimitStorm',
];

const COMMAND_FAULTS: readonly CommandFaultKind[] = ['commandQueryLimit', 'commandServerError', 'commandMissing'];

/** mulberry32: a small seeded generator, good enough to spread faults evenly. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Draws the faults of a mix, request by request, and counts what it injected. */
export class FaultDraw {
	private readonly random: () => number;
	private readonly methods: Set<string> | null;
	private stormUntil = 0;
	private requestsSeen = 0;
	readonly injected: Record<FaultKind, number> = {
		serverError: 0,
		reset: 0,
		slow: 0,
		truncated: 0,
		badGateway: 0,
		unavailable: 0,
		operatingLimit: 0,
		queryLimitStorm: 0,
		commandQueryLimit: 0,
		commandServerError: 0,
		commandMissing: 0,
		expiredToken: 0,
	};

	constructor(readonly mix: FaultMix) {
		const total = REQUEST_FAULTS.reduce((sum, kind) => sum + (mix[kind] ?? 0), 0);
		if (total > 1) throw new RangeError(`The request fault shares add up to ${total}, more than 1`);
		this.random = seededRandom(mix.seed ?? 1);
		this.methods = mix.restMethods === undefined ? null : new Set(mix.restMethods);
	}

	applies(method: string): boolean {
		return this.methods === null || this.methods.has(method);
	}

	/** True when the tokens should expire before this request is answered. */
	expireTokensNow(): boolean {
		this.requestsSeen += 1;
		const every = this.mix.expireTokensEvery;
		if (every === undefined || every <= 0 || this.requestsSeen % every !== 0) return false;
		this.injected.expiredToken += 1;
		return true;
	}

	/** The fault this request meets, or null. A storm, once started, takes every request until it ends. */
	nextRequestFault(now: number): RequestFaultKind | null {
		if (now < this.stormUntil) {
			this.injected.queryLimitStorm += 1;
			return 'queryLimitStorm';
		}
		let roll = this.random();
		for (const kind of REQUEST_FAULTS) {
			const share = this.mix[kind] ?? 0;
			if (roll < share) {
				this.injected[kind] += 1;
				if (kind === 'queryLimitStorm') this.stormUntil = now + (this.mix.stormSeconds ?? 0) * 1000;
				return kind;
			}
			roll -= share;
		}
		return null;
	}

	/** The fault one batch command meets, or null; the three kinds take turns. */
	nextCommandFault(): CommandFaultKind | null {
		const share = this.mix.commandFaults ?? 0;
		if (share <= 0 || this.random() >= share) return null;
		const kind = COMMAND_FAULTS[Math.floor(this.random() * COMMAND_FAULTS.length)];
		this.injected[kind] += 1;
		return kind;
	}
}

/** A proxy's error page: what a gateway answers when the portal behind it does not. */
export function gatewayPage(status: 502 | 503): string {
	const title = status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable';
	return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

/**
 * What a fixed fault answers instead of the portal: a reply, a dropped connection, or a delay before
 * the real answer; or every OAuth access token expires as this request arrives, which it then meets.
 * A lost answer comes after the portal has run the request (paid the payment, say): with 'reset' the
 * connection is closed at once without an answer, with 'timeout' it stays open and silent for
 * `delayMs` (60 s by default, or until the portal stops), then is closed, so the client times out first.
 */
export type FaultResponse =
	| { status: number; json: unknown }
	| { status: number; body: string; contentType?: string }
	| { reset: true }
	| { delayMs: number }
	| { expireTokens: true }
	| { lostAnswer: 'reset' | 'timeout'; delayMs?: number };

export interface FaultRule {
	restMethod?: string;
	/** Only requests whose parameters hold these values (compared as strings); every request when absent. */
	params?: Record<string, string | number>;
	/** Matching requests that pass untouched before the rule starts. */
	skip?: number;
	times?: number;
	/**
	 * The chance (0 to 1) that a matching request meets the fault once the rule has started; the others
	 * pass untouched and count against neither `skip` nor `times`. Every matching request when absent.
	 */
	share?: number;
	/** Seeds the draws of `share`: the same seed and requests give the same faults (1 by default). */
	seed?: number;
	response: FaultResponse;
}

interface ActiveFault {
	restMethod: string | null;
	params: Record<string, string | number>;
	skip: number;
	remaining: number;
	share: number | null;
	random: () => number;
	response: FaultResponse;
}

/** The faults a portal injects: the fixed rules added so far, and the mix it draws from, if any. */
export class PortalFaults {
	private rules: ActiveFault[] = [];
	/** The mix the portal draws from for every REST request; null for none. */
	draw: FaultDraw | null = null;
	/** Batch commands the mix has faulted in the answer being built: answering is synchronous. */
	commandsFaulted = 0;

	add(rule: FaultRule): void {
		this.rules.push({
			restMethod: rule.restMethod === undefined ? null : normalizeMethodName(rule.restMethod),
			params: rule.params ?? {},
			skip: rule.skip ?? 0,
			remaining: rule.times ?? Infinity,
			share: rule.share ?? null,
			random: seededRandom(rule.seed ?? 1),
			response: rule.response,
		});
	}

	clear(): void {
		this.rules = [];
	}

	inject(mix: FaultMix | null): void {
		this.draw = mix === null ? null : new FaultDraw(mix);
	}

	injected(): Record<FaultKind, number> {
		return { ...(this.draw ?? new FaultDraw({})).injected };
	}

	/** What the first rule that takes this request answers instead, or null: each rule skips, then counts down. */
	take(method: string, params: Record<string, unknown> = {}): FaultResponse | null {
		for (const fault of this.rules) {
			const paramsMatch = Object.entries(fault.params).every(([key, value]) => String(params[key]) === String(value));
			if (fault.remaining > 0 && (fault.restMethod === null || fault.restMethod === method) && paramsMatch) {
				if (fault.skip > 0) {
					fault.skip -= 1;
					continue;
				}
				if (fault.share !== null && fault.random() >= fault.share) continue;
				fault.remaining -= 1;
				return fault.response;
			}
		}
		return null;
	}
}
