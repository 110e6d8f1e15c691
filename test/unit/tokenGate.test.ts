// The token gate on its own (nodes/shared/bitrix24/transport/tokenGate.ts): what waits, what goes, and
// how often the saved credential is read. test/engine/oauthRefreshRace.test.ts runs it in the node
// against the emulated portal on both n8n lines.
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { HttpAnswer } from '../../nodes/shared/bitrix24/transport/answers';
import type { Connection, RequestContext } from '../../nodes/shared/bitrix24/transport/connection';
import type { GateStop } from '../../nodes/shared/bitrix24/transport/tokenGate';
import { EXPIRY_MARGIN_MS, TokenGate, TokenGates } from '../../nodes/shared/bitrix24/transport/tokenGate';

const PORTAL = 'https://example.bitrix24.com';
const answer = (status: number | null, body: unknown, refreshFailed = false): HttpAnswer => ({ status, body, transportCode: null, message: 'answer', refreshFailed });
const OK = answer(200, { result: { ok: true } });
const EXPIRED = answer(401, { error: 'expired_token', error_description: 'The access token provided has expired.' });
const REFRESH_REFUSED = answer(null, undefined, true);

/** n8n's credential store: the saved access token and its `expires` (ms), and how often it was read. */
class Store {
	reads = 0;
	constructor(
		public token: string,
		public expiresAt: number | null,
	) {}

	get context(): RequestContext {
		return {
			getCredentials: async (): Promise<ICredentialDataDecryptedObject> => {
				this.reads += 1;
				const expires = this.expiresAt === null ? {} : { expires: this.expiresAt / 1000 };
				return { oauthTokenData: { access_token: this.token, refresh_token: `refresh-${this.token}`, ...expires } };
			},
		} as unknown as RequestContext;
	}
}

const running: GateStop = { stopped: new Promise<void>(() => undefined), throwIfStopped: () => undefined };

/** A client's gate over the token the store holds now, as Bitrix24Client.open reads it. */
function gateOf(store: Store, gates: TokenGates, options: { webhook?: boolean; stop?: GateStop } = {}): TokenGate {
	const connection: Connection = {
		authentication: options.webhook === true ? 'webhook' : 'oAuth2',
		credentialType: options.webhook === true ? 'bitrix24WebhookApi' : 'bitrix24OAuth2Api',
		baseUrl: `${PORTAL}/rest/`,
		secrets: [],
		accessToken: options.webhook === true ? null : store.token,
		accessTokenExpiresAt: options.webhook === true ? null : store.expiresAt,
	};
	return new TokenGate(store.context, connection, PORTAL, options.stop ?? running, gates);
}

/** A request whose answer the test gives: `sent` once it has left, `answer` to let it come back. */
interface Pending {
	/** How often it went into the portal's limits (each time takes a place and a turn in the bucket). */
	entered: number;
	sent: boolean;
	answer(reply: HttpAnswer): void;
	outcome: Promise<HttpAnswer>;
}

/** Sends one request through the gate as the client does: wait, go when it may, report, settle. */
function send(gate: TokenGate): Pending {
	let reply: (value: HttpAnswer) => void = () => undefined;
	const replied = new Promise<HttpAnswer>((resolve) => (reply = resolve));
	const pending: Pending = { entered: 0, sent: false, answer: reply, outcome: Promise.resolve(OK) };
	pending.outcome = (async () => {
		const turn = gate.turn();
		try {
			let outcome = await turn.wait();
			while (outcome === null) {
				pending.entered += 1;
				if (turn.mayGo()) {
					pending.sent = true;
					outcome = turn.answered(await replied);
				} else {
					outcome = await turn.wait();
				}
			}
			return outcome;
		} finally {
			await turn.done();
		}
	})();
	return pending;
}

const settle = async () => {
	for (let tick = 0; tick < 20; tick++) await Promise.resolve();
};
const sentOf = (requests: Pending[]) => requests.map((request) => request.sent);

describe('The token gate', () => {
	let gates: TokenGates;
	beforeEach(() => {
		gates = new TokenGates();
	});

	it('lets every request go at once while the token is fresh, and reads nothing', async () => {
		const store = new Store('t1', Date.now() + 3_600_000);
		const gate = gateOf(store, gates);
		const requests = [send(gate), send(gate), send(gate), send(gate), send(gate)];
		await settle();
		expect(sentOf(requests)).toEqual([true, true, true, true, true]);
		for (const request of requests) request.answer(OK);
		expect(await Promise.all(requests.map((request) => request.outcome))).toEqual(Array(5).fill(OK));
		expect(store.reads).toBe(0);
	});

	it('holds nothing for a webhook, and reads nothing', async () => {
		const store = new Store('unused', Date.now() - 60_000);
		const gate = gateOf(store, gates, { webhook: true });
		const requests = [send(gate), send(gate), send(gate)];
		await settle();
		expect(sentOf(requests)).toEqual([true, true, true]);
		for (const request of requests) request.answer(EXPIRED);
		await Promise.all(requests.map((request) => request.outcome));
		await expect(gate.readSaved()).resolves.toBeNull();
		expect(store.reads).toBe(0);
	});

	it('lets one request go with a token whose `expires` has passed; the others go once it is back, with what n8n saved', async () => {
		const store = new Store('t1', Date.now() - 60_000);
		const gate = gateOf(store, gates);
		const requests = [send(gate), send(gate), send(gate)];
		await settle();
		expect(sentOf(requests)).toEqual([true, false, false]);
		// n8n renewed the token for the one that went: the gate reads the credential once and opens.
		store.token = 't2';
		store.expiresAt = Date.now() + 3_600_000;
		requests[0].answer(OK);
		await settle();
		expect(sentOf(requests)).toEqual([true, true, true]);
		expect(store.reads).toBe(1);
		for (const request of requests.slice(1)) request.answer(OK);
		await Promise.all(requests.map((request) => request.outcome));
		expect(store.reads).toBe(1);
	});

	it(`counts a token as expired ${EXPIRY_MARGIN_MS / 1000} s before its \`expires\`: one request at a time until it is renewed`, async () => {
		const store = new Store('t1', Date.now() + EXPIRY_MARGIN_MS - 1_000);
		const gate = gateOf(store, gates);
		const requests = [send(gate), send(gate), send(gate)];
		await settle();
		expect(sentOf(requests)).toEqual([true, false, false]);
		// Still good at the portal: the next goes alone too.
		requests[0].answer(OK);
		await settle();
		expect(sentOf(requests)).toEqual([true, true, false]);
		store.token = 't2';
		store.expiresAt = Date.now() + 3_600_000;
		requests[1].answer(OK);
		await settle();
		expect(sentOf(requests)).toEqual([true, true, true]);
		// Those waiting went into the portal's limits only when they went.
		expect(requests.map((request) => request.entered)).toEqual([1, 1, 1]);
	});

	it('holds the requests of every client of the process that holds the same token, and no other', async () => {
		const store = new Store('t1', Date.now() - 60_000);
		const other = new Store('u1', Date.now() - 60_000);
		const [first, second, third] = [gateOf(store, gates), gateOf(store, gates), gateOf(other, gates)];
		const requests = [send(first), send(second), send(second), send(third)];
		await settle();
		expect(sentOf(requests)).toEqual([true, false, false, true]);
		store.token = 't2';
		store.expiresAt = Date.now() + 3_600_000;
		requests[0].answer(OK);
		await settle();
		expect(sentOf(requests)).toEqual([true, true, true, true]);
		// The second client learnt the renewed token from the first one's reading: nothing read twice.
		expect(store.reads).toBe(1);
	});

	it("hands the leader's failed refresh to those waiting while the saved token is unchanged: they are not sent", async () => {
		const store = new Store('t1', Date.now() - 60_000);
		const gate = gateOf(store, gates);
		const requests = [send(gate), send(gate), send(gate)];
		await settle();
		requests[0].answer(REFRESH_REFUSED);
		expect(await Promise.all(requests.map((request) => request.outcome))).toEqual(Array(3).fill(REFRESH_REFUSED));
		expect(sentOf(requests)).toEqual([true, false, false]);
		// A later request tries once more, alone.
		const later = [send(gate), send(gate)];
		await settle();
		expect(sentOf(later)).toEqual([true, false]);
	});

	it('closes on an answer that met an expired token when no `expires` is known, until one request has gone', async () => {
		const store = new Store('t1', null);
		const gate = gateOf(store, gates);
		const first = [send(gate), send(gate)];
		await settle();
		expect(sentOf(first)).toEqual([true, true]);
		first[0].answer(EXPIRED);
		await first[0].outcome;
		const next = [send(gate), send(gate)];
		await settle();
		expect(sentOf(next)).toEqual([true, false]);
		next[0].answer(OK);
		await settle();
		expect(sentOf(next)).toEqual([true, true]);
	});

	it('opens when the portal took the token after its `expires`: that moment was wrong, and answers tell from then on', async () => {
		const store = new Store('t1', Date.now() - 60_000);
		const gate = gateOf(store, gates);
		const requests = [send(gate), send(gate)];
		await settle();
		requests[0].answer(OK);
		await settle();
		const later = [send(gate), send(gate)];
		await settle();
		expect(sentOf([...requests, ...later])).toEqual([true, true, true, true]);
	});

	it('ends a wait when the run stops', async () => {
		const store = new Store('t1', Date.now() - 60_000);
		let stop: () => void = () => undefined;
		const stopped = new Promise<void>((resolve) => (stop = resolve));
		let isStopped = false;
		const halting: GateStop = {
			stopped,
			throwIfStopped: () => {
				if (isStopped) throw new Error('stopped');
			},
		};
		const leader = send(gateOf(store, gates));
		const waiting = send(gateOf(store, gates, { stop: halting }));
		await settle();
		isStopped = true;
		stop();
		await expect(waiting.outcome).rejects.toThrow('stopped');
		expect(waiting.sent).toBe(false);
		leader.answer(OK);
		await leader.outcome;
	});

	it('follows a renewal for a client that opens with the old token, and forgets a renewed token nobody waits for', async () => {
		const store = new Store('t1', Date.now() - 60_000);
		const gate = gateOf(store, gates);
		store.token = 't2';
		store.expiresAt = Date.now() + 3_600_000;
		await gate.readSaved();
		expect(gate.current()?.token).toBe('t2');
		expect(gateOf(new Store('t1', Date.now() - 60_000), gates).current()).toBe(gate.current());
		// Another token comes into use: `t1`, renewed and idle, is forgotten; a client still holding it
		// finds `t2` through it, and one that opens with `t1` now starts afresh.
		gateOf(new Store('u1', Date.now() + 3_600_000), gates);
		expect(gate.current()?.token).toBe('t2');
		expect(gateOf(new Store('t1', Date.now() - 60_000), gates).current()?.token).toBe('t1');
	});
});
