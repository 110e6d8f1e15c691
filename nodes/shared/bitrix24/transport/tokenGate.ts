/**
 * One OAuth2 refresh per expiry (docs/contract.md#refresh-race). Bitrix24 takes a refresh token back
 * when it grants a refresh, so when several requests meet an expired access token together and each
 * refreshes it (n8n 1.x lets every request refresh on its own), every refresh but the first reuses a
 * refresh token already taken back, and is refused; a server that reads such reuse as theft revokes
 * the connection. So while the saved access token has expired (its `expires`, less EXPIRY_MARGIN_MS),
 * or an answer has said so, one request goes with it and the others wait until it has come back, then
 * go with the token n8n saved. The others are the requests of this run and of every run in this
 * process that holds the same token. While the token is fresh nothing waits and nothing more is read.
 * Across processes (queue mode) no gate reaches: tokenRotation.ts sends a request whose refresh was
 * refused there again.
 */
import type { HttpAnswer } from './answers';
import { metExpiredToken } from './answers';
import type { Connection, RequestContext } from './connection';
import { readSavedToken } from './connection';

/**
 * A token this close to its `expires` counts as expired: a request that leaves now reaches the portal
 * before the token expires, even a little late, or on a clock a little off the portal's.
 */
export const EXPIRY_MARGIN_MS = 5_000;

/** A token nobody waits for, whose `expires` passed this long ago, holds nothing worth keeping. */
const FORGOTTEN_AFTER_MS = 24 * 60 * 60 * 1000;

/** One access token as this process knows it, shared by every run that holds it. */
class TokenState {
	/** The token saved after this one, once a reading has shown it. */
	renewedTo: TokenState | null = null;
	/** An answer said the token has expired (before its `expires`, or with no `expires` known). */
	expiredByAnswer = false;
	/** The one request out with this token while it may have expired. */
	leader: GateTurn | null = null;
	/** Requests waiting for the leader. */
	waiting = 0;
	/** Settles when the leader is done: with the answer of its failed refresh, for those waiting, or null. */
	done: Promise<HttpAnswer | null> = Promise.resolve(null);

	constructor(
		readonly token: string,
		public expiresAt: number | null,
	) {}

	/** The latest token known to follow this one (a bounded walk, in case a store went back to an older token). */
	latest(): TokenState {
		let state = this.renewedTo;
		if (state === null) return this;
		for (let hops = 0; state.renewedTo !== null && hops < 32; hops++) state = state.renewedTo;
		return state;
	}

	/** True while a request may go without waiting: the token has not expired, and no answer said so. */
	fresh(now: number): boolean {
		return !this.expiredByAnswer && (this.expiresAt === null || this.expiresAt > now + EXPIRY_MARGIN_MS);
	}

	forgettable(now: number): boolean {
		if (this.leader !== null || this.waiting > 0) return false;
		return this.renewedTo !== null || (this.expiresAt !== null && this.expiresAt < now - FORGOTTEN_AFTER_MS);
	}
}

/**
 * The OAuth2 access tokens this n8n process sends with, by portal and token: every run that holds a
 * token shares what is known of it, as every run shares a portal's bucket (limits/pacing.ts).
 */
export class TokenGates {
	private readonly states = new Map<string, TokenState>();

	/** What is known of `token` at `portal`, made on first use. */
	of(portal: string, token: string, expiresAt: number | null): TokenState {
		const key = `${portal} ${token}`;
		const now = Date.now();
		// A run that still holds a forgotten token finds its successor through `renewedTo`.
		for (const [other, state] of this.states) {
			if (other !== key && state.forgettable(now)) this.states.delete(other);
		}
		let state = this.states.get(key);
		if (state === undefined) {
			state = new TokenState(token, expiresAt);
			this.states.set(key, state);
		}
		return state;
	}

	/** Forgets every token: for tests that start each case afresh. */
	clear(): void {
		this.states.clear();
	}
}

/** The registry every client of this process shares. */
export const PROCESS_TOKEN_GATES = new TokenGates();

/** What waiting needs from the run: it ends when the run stops or the execution is cancelled. */
export interface GateStop {
	readonly stopped: Promise<void>;
	throwIfStopped(): void;
}

/** One client's way through the gate: the token its run holds, and every reading of the saved credential. */
export class TokenGate {
	/** The token this run's requests go with, as far as the process knows; null for a webhook. */
	private state: TokenState | null;

	constructor(
		private readonly context: RequestContext,
		private readonly connection: Connection,
		private readonly portal: string,
		readonly stop: GateStop,
		private readonly gates: TokenGates = PROCESS_TOKEN_GATES,
	) {
		const token = connection.authentication === 'oAuth2' ? connection.accessToken : null;
		this.state = token === null ? null : gates.of(portal, token, connection.accessTokenExpiresAt);
	}

	/** The token the next request goes with; null for a webhook. */
	current(): TokenState | null {
		if (this.state !== null) this.state = this.state.latest();
		return this.state;
	}

	/**
	 * Reads the saved credential (connection.ts: readSavedToken) and learns what it holds: a token
	 * other than the one known last was renewed meanwhile. Returns the saved access token, or null.
	 */
	async readSaved(): Promise<string | null> {
		const saved = await readSavedToken(this.context, this.connection);
		const known = this.current();
		if (saved !== null && known !== null && saved !== known.token) {
			const next = this.gates.of(this.portal, saved, this.connection.accessTokenExpiresAt);
			if (next.latest() !== known) known.renewedTo = next;
		}
		return saved;
	}

	/** One request's way through the gate, over all the times it is sent. */
	turn(): GateTurn {
		return new GateTurn(this);
	}
}

/**
 * One request at the gate. Before each send it waits (`wait`) while another request is out with a
 * token that may have expired, holding no place among the requests in flight, and takes the lead
 * itself when the token may have expired and nobody leads. Once the portal's limits let it go it asks
 * again (`mayGo`), since the token may have expired meanwhile; it reports what came back (`answered`),
 * and when the request is settled (`done`) a leader lets the others go.
 */
export class GateTurn {
	/** The token this request went with last. */
	private sentWith: TokenState | null = null;
	/** The token this request leads for, once it is the one request out with it, and since when. */
	private leading: TokenState | null = null;
	private ledAt = 0;
	private last: HttpAnswer | null = null;
	private release: (handed: HttpAnswer | null) => void = () => undefined;

	constructor(private readonly gate: TokenGate) {}

	/**
	 * Waits while another request leads. Returns that request's answer when its refresh failed and the
	 * saved token is still the one this request would go with: sent, it would fail alike after another
	 * refresh. Otherwise null: the request may go on to the portal's limits, as the leader when the
	 * token may have expired (so those released with it wait again, not in the limits).
	 */
	async wait(): Promise<HttpAnswer | null> {
		for (let state = this.gate.current(); state !== null && this.leading === null; state = this.gate.current()) {
			if (state.leader === null) {
				if (!state.fresh(Date.now())) this.lead(state);
				return null;
			}
			state.waiting += 1;
			let handed: HttpAnswer | null;
			try {
				handed = await Promise.race([state.done, this.gate.stop.stopped.then(() => null)]);
			} finally {
				state.waiting -= 1;
			}
			this.gate.stop.throwIfStopped();
			if (handed !== null && this.gate.current() === state) return handed;
		}
		return null;
	}

	/**
	 * Right before sending: true when the request may go now, because it leads or the token is fresh,
	 * or because the token expired while it waited for the limits and nobody leads (it leads then);
	 * false when another request leads: it waits again.
	 */
	mayGo(): boolean {
		const state = this.gate.current();
		this.sentWith = state;
		if (state === null || this.leading !== null) return true;
		if (state.leader !== null) return false;
		if (!state.fresh(Date.now())) this.lead(state);
		return true;
	}

	private lead(state: TokenState): void {
		this.leading = state;
		this.ledAt = Date.now();
		state.leader = this;
		state.done = new Promise((resolve) => (this.release = resolve));
	}

	/** What came back, handed back. An answer that met an expired token closes the gate until a leader has gone. */
	answered(answer: HttpAnswer): HttpAnswer {
		this.last = answer;
		const state = this.sentWith;
		if (this.leading === null && state !== null && state.renewedTo === null && metExpiredToken(answer)) state.expiredByAnswer = true;
		return answer;
	}

	/**
	 * The request is settled (sent again too, when its refresh was refused for a token renewed
	 * elsewhere). A leader reads the saved credential, so the others go with what n8n saved; when that
	 * still holds its token, the token stays closed if the answer said it had expired, and the answer of
	 * a failed refresh is handed to those waiting. A token the portal took after its `expires` had passed
	 * shows that moment wrong (or the clocks apart): from then on only answers tell it has expired.
	 */
	async done(): Promise<void> {
		const state = this.leading;
		if (state === null) return;
		let handed: HttpAnswer | null = null;
		try {
			await this.gate.readSaved();
			const last = this.last;
			if (state.renewedTo === null && last !== null) {
				state.expiredByAnswer = metExpiredToken(last);
				if (last.refreshFailed) handed = last;
				const taken = last.status !== null && last.status !== 401;
				if (taken && state.expiresAt !== null && state.expiresAt <= this.ledAt) state.expiresAt = null;
			}
		} finally {
			state.leader = null;
			this.leading = null;
			this.release(handed);
		}
	}
}
