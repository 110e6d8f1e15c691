// REST requests under /rest/: the path names the method and, for a webhook, its user and code; an OAuth
// call brings its access token as a bearer header or the `auth` parameter. Fixed faults and a drawn
// fault mix come first, then the leaky bucket, then the method; the answer is held back for the
// portal's latency, if it has one.
import type * as http from 'node:http';

import { errors, RestError } from './errors';
import type { Caller } from './errors';
import { gatewayPage } from './faults';
import type { FaultResponse, PortalFaults } from './faults';
import { send } from './http';
import { finishTimeNow } from './limits';
import type { Limits } from './limits';
import { pageFields } from './methods';
import type { CallOutcome, RestMethods } from './methods';
import type { OAuthServer } from './oauth';
import { isRecord, normalizeMethodName, valuesOf, withoutAuth } from './params';
import { encodePhpJson } from './php';
import type { Latency, LoggedRequest } from './types';

/** The scopes the main webhook grants unless PortalOptions.webhookScopes names others. */
export const WEBHOOK_SCOPES: readonly string[] = ['pay_system', 'crm', 'user'];
const NO_SCOPE_WEBHOOK_SCOPES: readonly string[] = ['crm', 'user'];
const NO_CRM_WEBHOOK_SCOPES: readonly string[] = ['pay_system', 'user'];

/**
 * The portal's incoming webhooks: the administrator's, with the main webhook's scopes (`scopes`), one
 * without pay_system and one without crm; and the sales manager's (the next user ID, not an
 * administrator), with the main webhook's scopes and `sale`.
 */
export interface Webhooks {
	userId: number;
	code: string;
	noScopeCode: string;
	noCrmCode: string;
	managerCode: string;
	scopes: readonly string[];
	/** The OAuth application's client ID: what an OAuth call comes from. */
	clientId: string;
}

interface RestRoute {
	webhook: { userId: string; code: string } | null;
	method: string;
}

/** `/rest/<user>/<code>/<method>` for a webhook, `/rest/<method>` for OAuth. */
function parseRestPath(pathname: string): RestRoute {
	const segments = pathname
		.slice('/rest/'.length)
		.split('/')
		.map((segment) => {
			try {
				return decodeURIComponent(segment);
			} catch {
				return segment;
			}
		});
	while (segments.length > 0 && segments[segments.length - 1] === '') {
		segments.pop();
	}
	if (segments.length >= 2 && /^[0-9]+$/.test(segments[0])) {
		return { webhook: { userId: segments[0], code: segments[1] }, method: normalizeMethodName(segments.slice(2).join('/')) };
	}
	return { webhook: null, method: normalizeMethodName(segments.join('/')) };
}

function bearerToken(header: string | undefined): string | null {
	const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
	return match ? match[1] : null;
}

export class RestApi {
	/** The delays under way, each with what ends it early when the portal stops. */
	private readonly timers = new Map<NodeJS.Timeout, () => void>();
	private stopped = false;
	/** While set, every REST answer (made as its request arrived) waits for it to be released. */
	private gate: { released: Promise<void>; release: () => void } | null = null;

	constructor(
		private readonly webhooks: Webhooks,
		private readonly oauth: OAuthServer,
		private readonly limits: Limits,
		private readonly methods: RestMethods,
		private readonly faults: PortalFaults,
		/** How long answers are held back (Portal.setOptions changes it). */
		public latency: Latency | null,
	) {}

	/** Answers a request under /rest/, filling in its log entry. */
	async serve(request: http.IncomingMessage, response: http.ServerResponse, entry: LoggedRequest, pathname: string, params: Record<string, unknown>, startedAt: number): Promise<void> {
		const route = parseRestPath(pathname);
		const token = route.webhook ? null : bearerToken(request.headers.authorization) ?? (typeof params.auth === 'string' && params.auth !== '' ? params.auth : null);
		const paramsWithoutAuth = withoutAuth(params);
		entry.params = paramsWithoutAuth;
		entry.restMethod = route.method;
		entry.auth = route.webhook ? 'webhook' : token !== null ? 'oauth' : 'none';
		if (route.method === 'batch') {
			entry.batchCommands = valuesOf(paramsWithoutAuth.cmd).length;
		}

		const fault = this.faults.take(route.method, paramsWithoutAuth);
		if (fault !== null && !('lostAnswer' in fault) && (await this.answerFixedFault(fault, request, response, entry))) {
			return;
		}
		const lostAnswer = fault !== null && 'lostAnswer' in fault ? fault : null;
		const drawn = await this.applyDrawnFault(route.method, request, response, entry, startedAt);
		if (drawn === 'answered') {
			return;
		}

		// Answering is synchronous: the batch counts the commands it faulted into this field meanwhile.
		// The answer is made as the request arrives, and only sent after the latency.
		this.faults.commandsFaulted = 0;
		const { outcome, calls } = this.answer(route, token, paramsWithoutAuth, startedAt);
		if (this.faults.commandsFaulted > 0) entry.faultedCommands = this.faults.commandsFaulted;
		const operatingLimited = outcome.commands?.operatingLimited ?? 0;
		if (operatingLimited > 0) entry.operatingLimitedCommands = operatingLimited;
		entry.status = outcome.ok ? 200 : outcome.error.status;
		if (!outcome.ok) entry.errorCode = String(outcome.error.code);
		if (lostAnswer !== null) {
			await this.loseAnswer(lostAnswer, request, entry);
			return;
		}
		if (!(await this.hold(entry, calls, outcome.time))) {
			return;
		}
		if (outcome.ok) {
			const answer = encodePhpJson({ result: outcome.result, ...pageFields(outcome), time: outcome.time });
			send(response, 200, drawn === 'truncate' ? answer.slice(0, Math.floor(answer.length / 2)) : answer);
		} else {
			send(
				response,
				outcome.error.status,
				encodePhpJson({ error: outcome.error.code, error_description: outcome.error.description, time: outcome.time }),
			);
		}
	}

	/**
	 * Holds every REST answer from now on until the returned function is called: a test sees its
	 * requests arrive, changes the world (the tokens, say), then lets the answers go.
	 */
	holdAnswers(): () => void {
		if (this.gate === null) {
			let release: () => void = () => undefined;
			const released = new Promise<void>((resolve) => (release = resolve));
			this.gate = { released, release };
		}
		const gate = this.gate;
		return () => {
			if (this.gate === gate) this.gate = null;
			gate.release();
		};
	}

	/** Ends the delays faults and the latency hold answers for: the portal is stopping, and answers nothing more. */
	stop(): void {
		this.gate?.release();
		this.gate = null;
		this.stopped = true;
		for (const [timer, end] of this.timers) {
			clearTimeout(timer);
			end();
		}
		this.timers.clear();
	}

	/**
	 * Holds an answer back for the latency: `perRequestMs` and `perCallMs` for each method call the
	 * request ran (a held `time` object finishes when that wait does), then while answers are held
	 * (holdAnswers). False when the portal stopped meanwhile.
	 */
	private async hold(entry: LoggedRequest, calls: number, time?: Record<string, unknown>): Promise<boolean> {
		const latency = this.latency;
		if (latency !== null) {
			const ms = latency.perRequestMs + latency.perCallMs * calls;
			entry.latencyMs = ms;
			if (ms > 0) {
				await this.delay(ms);
				if (time !== undefined) finishTimeNow(time);
			}
		}
		while (this.gate !== null && !this.stopped) await this.gate.released;
		return !this.stopped;
	}

	/** The request ran, and its answer is lost: the connection closes now, or after a silence the client gives up in. */
	private async loseAnswer(fault: { lostAnswer: 'reset' | 'timeout'; delayMs?: number }, request: http.IncomingMessage, entry: LoggedRequest): Promise<void> {
		entry.answerLost = true;
		if (fault.lostAnswer === 'timeout') await this.delay(fault.delayMs ?? 60_000);
		request.socket.destroy();
	}

	/** Answers with a fixed fault; false when the fault only delayed the request or expired the tokens: it goes on. */
	private async answerFixedFault(fault: Exclude<FaultResponse, { lostAnswer: string }>, request: http.IncomingMessage, response: http.ServerResponse, entry: LoggedRequest): Promise<boolean> {
		if ('reset' in fault) {
			entry.status = 0;
			request.socket.destroy();
			return true;
		}
		if ('delayMs' in fault) {
			await this.delay(fault.delayMs);
			return this.stopped;
		}
		if ('expireTokens' in fault) {
			this.oauth.expireAccessTokens();
			return false;
		}
		entry.status = fault.status;
		if ('json' in fault) {
			entry.errorCode = isRecord(fault.json) && typeof fault.json.error === 'string' ? fault.json.error : null;
		}
		if (!(await this.hold(entry, 0))) {
			return true;
		}
		if ('json' in fault) {
			send(response, fault.status, JSON.stringify(fault.json));
		} else {
			send(response, fault.status, fault.body, fault.contentType ?? 'text/html; charset=utf-8');
		}
		return true;
	}

	/**
	 * Draws this request's fault from the mix, if one is injected: 'answered' when the fault answered the
	 * request, 'truncate' when the answer is to be cut in half, null when the request goes on untouched.
	 */
	private async applyDrawnFault(method: string, request: http.IncomingMessage, response: http.ServerResponse, entry: LoggedRequest, startedAt: number): Promise<'answered' | 'truncate' | null> {
		const draw = this.faults.draw;
		if (draw === null || !draw.applies(method)) {
			return null;
		}
		if (draw.expireTokensNow()) this.oauth.expireAccessTokens();
		const kind = draw.nextRequestFault(Date.now());
		if (kind !== null) entry.fault = kind;
		switch (kind) {
			case 'serverError':
				await this.sendRestError(response, entry, errors.internal(), startedAt, method);
				return 'answered';
			case 'queryLimitStorm':
				await this.sendRestError(response, entry, errors.queryLimit(), startedAt, method);
				return 'answered';
			case 'operatingLimit': {
				const resetAt = Math.ceil(Date.now() / 1000 + (draw.mix.operatingResetSeconds ?? 1));
				await this.sendRestError(response, entry, errors.operatingLimit(resetAt), startedAt, method);
				return 'answered';
			}
			case 'reset':
				entry.status = 0;
				request.socket.destroy();
				return 'answered';
			case 'badGateway':
			case 'unavailable': {
				const status = kind === 'badGateway' ? 502 : 503;
				entry.status = status;
				if (!(await this.hold(entry, 0))) return 'answered';
				send(response, status, gatewayPage(status), 'text/html; charset=utf-8');
				return 'answered';
			}
			case 'slow':
				await this.delay(draw.mix.slowDelayMs ?? 5000);
				return this.stopped ? 'answered' : null;
			case 'truncated':
				return 'truncate';
			default:
				return null;
		}
	}

	/** Waits `ms`, or until the portal stops. */
	private delay(ms: number): Promise<void> {
		return new Promise<void>((resolve) => {
			const timer = setTimeout(() => {
				this.timers.delete(timer);
				resolve();
			}, ms);
			this.timers.set(timer, resolve);
		});
	}

	/** Answers with a REST error before any method ran. */
	private async sendRestError(response: http.ServerResponse, entry: LoggedRequest, error: RestError, startedAt: number, method: string): Promise<void> {
		entry.status = error.status;
		entry.errorCode = String(error.code);
		const time = this.limits.timeObject(startedAt, method, 0, error.operatingResetAt);
		if (!(await this.hold(entry, 0, time))) return;
		send(response, error.status, encodePhpJson({ error: error.code, error_description: error.description, time }));
	}

	/** The caller a webhook path or an access token stands for; throws NO_AUTH_FOUND or a token error. */
	private authenticate(route: RestRoute, token: string | null): Caller {
		if (route.webhook !== null) {
			const { userId, code } = route.webhook;
			const admin = { userId: this.webhooks.userId, admin: true, appId: null };
			if (userId === String(this.webhooks.userId + 1) && code === this.webhooks.managerCode) {
				return { userId: this.webhooks.userId + 1, admin: false, appId: null, scopes: [...new Set([...this.webhooks.scopes, 'sale'])] };
			}
			if (userId !== String(this.webhooks.userId)) {
				throw errors.noAuth();
			}
			if (code === this.webhooks.code) {
				return { ...admin, scopes: this.webhooks.scopes };
			}
			if (code === this.webhooks.noScopeCode) {
				return { ...admin, scopes: NO_SCOPE_WEBHOOK_SCOPES };
			}
			if (code === this.webhooks.noCrmCode) {
				return { ...admin, scopes: NO_CRM_WEBHOOK_SCOPES };
			}
			throw errors.noAuth();
		}
		if (token === null) {
			throw errors.noAuth();
		}
		return { userId: this.webhooks.userId, admin: true, appId: this.webhooks.clientId, scopes: this.oauth.scopesOf(token) };
	}

	/**
	 * The request's outcome, and the method calls it ran: none when it was refused before any method ran
	 * (authentication, the bucket), 1 for a single call, the commands it got to for a batch.
	 */
	private answer(route: RestRoute, token: string | null, params: Record<string, unknown>, startedAt: number): { outcome: CallOutcome; calls: number } {
		let caller: Caller;
		try {
			caller = this.authenticate(route, token);
			if (!this.limits.admit(Date.now())) {
				throw errors.queryLimit();
			}
		} catch (error) {
			const restError = error instanceof RestError ? error : errors.internal();
			return { outcome: { ok: false, error: restError, time: this.limits.timeObject(startedAt, route.method, 0) }, calls: 0 };
		}
		const outcome = this.methods.call(route.method, params, caller, false, startedAt);
		return { outcome, calls: outcome.commands?.run ?? 1 };
	}
}
