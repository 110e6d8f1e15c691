import { startPortal } from '../../dev/emulator/portal';
import type { Portal } from '../../dev/emulator/portal';
import { CARD_INVOICE, METHOD, post } from './post';

const LATENCY = { perRequestMs: 20, perCallMs: 5 };
const batchOf = (count: number) => ({ cmd: Object.fromEntries(Array.from({ length: count }, (_, index) => [`c${index}`, 'scope'])) });

describe('latency: each REST answer waits perRequestMs plus perCallMs for each method call it ran', () => {
	let portal: Portal;

	beforeAll(async () => {
		portal = await startPortal({ latency: LATENCY });
	});

	afterAll(async () => {
		await portal.stop();
	});

	beforeEach(() => {
		portal.setOptions({ latency: LATENCY, limits: null, batchAllowed: true, operatingBudgetSeconds: null });
		portal.clearFaults();
		portal.clearLog();
		portal.resetStats();
	});

	const logged = () => portal.restCalls().map((entry) => [entry.restMethod, entry.status, entry.latencyMs]);

	it('holds a single call for one call, whether it succeeds or fails', async () => {
		expect((await post(`${portal.webhookUrl}${METHOD}`, CARD_INVOICE)).status).toBe(200);
		expect((await post(`${portal.webhookUrl}${METHOD}`, { INVOICE_ID: 404, PAY_SYSTEM_ID: 11 })).status).toBe(400);
		expect((await post(`${portal.webhookUrl}no.such.method`)).status).toBe(404);
		expect((await post(`${portal.noScopeWebhookUrl}${METHOD}`, CARD_INVOICE)).status).toBe(403);
		expect(logged()).toEqual([
			[METHOD, 200, 25],
			[METHOD, 400, 25],
			['no.such.method', 404, 25],
			[METHOD, 403, 25],
		]);
	});

	it('holds a batch for every command it got to, failed ones included, and none after halt stops it', async () => {
		const commands = { a: `${METHOD}?INVOICE_ID=10&PAY_SYSTEM_ID=11`, b: `${METHOD}?INVOICE_ID=404&PAY_SYSTEM_ID=11`, c: 'scope' };
		const all = await post(`${portal.webhookUrl}batch`, { halt: 0, cmd: commands });
		expect(Object.keys(all.body.result.result)).toEqual(['a', 'c']);
		expect(Object.keys(all.body.result.result_error)).toEqual(['b']);
		const halted = await post(`${portal.webhookUrl}batch`, { halt: 1, cmd: commands });
		expect(Object.keys(halted.body.result.result)).toEqual(['a']);
		expect((await post(`${portal.webhookUrl}batch`, batchOf(50))).status).toBe(200);
		expect((await post(`${portal.webhookUrl}batch`, { cmd: {} })).status).toBe(200);
		expect(logged()).toEqual([
			['batch', 200, 35],
			['batch', 200, 30],
			['batch', 200, 270],
			['batch', 200, 20],
		]);
	});

	it('holds a request refused before any method ran for the request alone', async () => {
		expect((await post(`${portal.origin}/rest/1/wrongcode/scope`)).status).toBe(401);
		expect((await post(`${portal.origin}/rest/scope`, {}, { Authorization: 'Bearer 0123abcd' })).status).toBe(401);
		expect((await post(`${portal.webhookUrl}batch`, batchOf(51))).body.error).toBe('ERROR_BATCH_LENGTH_EXCEEDED');
		portal.setOptions({ batchAllowed: false });
		expect((await post(`${portal.webhookUrl}batch`, batchOf(3))).body.error).toBe('ERROR_BATCH_METHOD_NOT_ALLOWED');
		portal.setOptions({ limits: { drainPerSecond: 0.001, burst: 1 } });
		expect((await post(`${portal.webhookUrl}scope`)).status).toBe(200);
		expect((await post(`${portal.webhookUrl}scope`)).body.error).toBe('QUERY_LIMIT_EXCEEDED');
		portal.addFault({ times: 1, response: { status: 500, json: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' } } });
		expect((await post(`${portal.webhookUrl}scope`)).status).toBe(500);
		expect(logged()).toEqual([
			['scope', 401, 20],
			['scope', 401, 20],
			['batch', 400, 20],
			['batch', 405, 20],
			['scope', 200, 25],
			['scope', 503, 20],
			['scope', 500, 20],
		]);
	});

	it('holds an answer drawn from a fault mix for the request alone', async () => {
		portal.injectFaults({ restMethods: ['scope'], serverError: 1 });
		try {
			expect((await post(`${portal.webhookUrl}scope`)).status).toBe(500);
		} finally {
			portal.injectFaults(null);
		}
		expect(logged()).toEqual([['scope', 500, 20]]);
	});

	it('finishes the answer when the wait ends: its time runs from arrival to the end of the wait', async () => {
		portal.setOptions({ latency: { perRequestMs: 60, perCallMs: 0 } });
		const { body } = await post(`${portal.webhookUrl}scope`);
		expect(body.time.duration).toBe(body.time.finish - body.time.start);
		expect(body.time.duration).toBeGreaterThanOrEqual(0.055);
		expect(body.time.processing).toBe(0.01);
		expect(portal.restCalls().map((entry) => entry.latencyMs)).toEqual([60]);
	});

	it('serves requests side by side: three held at once are all in flight together', async () => {
		portal.setOptions({ latency: { perRequestMs: 300, perCallMs: 0 } });
		const replies = await Promise.all([1, 2, 3].map(() => post(`${portal.webhookUrl}scope`)));
		expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200]);
		expect(portal.stats()).toEqual({ requests: 3, queryLimitExceeded: 0, operationTimeLimit: 0, operationTimeLimitCommands: 0, inFlight: 0, maxInFlight: 3 });
		portal.resetStats();
		portal.setOptions({ latency: LATENCY });
		await post(`${portal.webhookUrl}scope`);
		await post(`${portal.webhookUrl}scope`);
		expect(portal.stats()).toMatchObject({ requests: 2, inFlight: 0, maxInFlight: 1 });
	});

	it('counts REST requests and their refusals in stats, not the OAuth server', async () => {
		// A budget of 0 lets each method run once.
		portal.setOptions({ limits: { drainPerSecond: 0.001, burst: 3 }, operatingBudgetSeconds: 0, processingSecondsPerCall: 0.01 });
		expect((await post(`${portal.webhookUrl}scope`)).status).toBe(200);
		expect((await post(`${portal.webhookUrl}scope`)).body.error).toBe('OPERATION_TIME_LIMIT');
		const batch = await post(`${portal.webhookUrl}batch`, { cmd: { a: 'scope', b: 'methods' } });
		expect(Object.keys(batch.body.result.result)).toEqual(['b']);
		expect((await post(`${portal.webhookUrl}scope`)).body.error).toBe('QUERY_LIMIT_EXCEEDED');
		expect((await post(`${portal.origin}/oauth/token/`, { grant_type: 'refresh_token' })).status).toBe(401);
		expect(portal.stats()).toEqual({ requests: 4, queryLimitExceeded: 1, operationTimeLimit: 1, operationTimeLimitCommands: 1, inFlight: 0, maxInFlight: 1 });
		portal.resetStats();
		expect(portal.stats()).toEqual({ requests: 0, queryLimitExceeded: 0, operationTimeLimit: 0, operationTimeLimitCommands: 0, inFlight: 0, maxInFlight: 0 });
	});

	it('answers at once and logs no latency once setOptions takes it away', async () => {
		portal.setOptions({ latency: null });
		await post(`${portal.webhookUrl}scope`);
		expect(portal.restCalls().map((entry) => entry.latencyMs)).toEqual([undefined]);
	});

	it('ends a held answer when the portal stops', async () => {
		const other = await startPortal({ latency: { perRequestMs: 60_000, perCallMs: 0 } });
		const held = post(`${other.webhookUrl}scope`);
		while (other.stats().inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 10));
		await other.stop();
		await expect(held).rejects.toThrow();
		expect(other.stats()).toMatchObject({ requests: 1, inFlight: 0, maxInFlight: 1 });
		expect(other.requests.map((entry) => [entry.status, entry.latencyMs])).toEqual([[200, 60_000]]);
	});
});
