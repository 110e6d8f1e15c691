import { startPortal } from '../../dev/emulator/portal';
import type { Portal } from '../../dev/emulator/portal';
import { CARD_INVOICE, METHOD, expectBetween, post, windowEnds } from './post';

const TIME_KEYS = ['start', 'finish', 'duration', 'processing', 'date_start', 'date_finish', 'operating_reset_at', 'operating'];
const BLOCKED = { error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked due to operation time limit.' };
const INVOICE_COMMAND = `${METHOD}?INVOICE_ID=10&PAY_SYSTEM_ID=11`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

describe('the operating budget: run time per method in a window, reported in every time object', () => {
	let portal: Portal;
	let settingsUrl: string;

	beforeAll(async () => {
		portal = await startPortal();
		settingsUrl = `${portal.webhookUrl}${METHOD}`;
	});

	afterAll(async () => {
		await portal.stop();
	});

	beforeEach(() => {
		// A new budget or window empties the ledger.
		portal.setOptions({ operatingBudgetSeconds: 0.02, processingSecondsPerCall: 0.01, operatingWindowSeconds: 600 });
		portal.clearLog();
		portal.resetStats();
	});

	it('gives each batch command its own time entry for its method, and refuses a command past its budget while the others run', async () => {
		const reply = await post(`${portal.webhookUrl}batch`, {
			halt: 0,
			cmd: { a: INVOICE_COMMAND, b: INVOICE_COMMAND, c: INVOICE_COMMAND, d: 'scope', e: INVOICE_COMMAND, f: 'user.current' },
		});
		expect(reply.status).toBe(200);
		const batch = reply.body.result;
		expect(Object.keys(batch.result)).toEqual(['a', 'b', 'c', 'd', 'f']);
		expect(batch.result_error).toEqual({ e: BLOCKED });
		expect(Object.keys(batch.result_time)).toEqual(['a', 'b', 'c', 'd', 'f']);
		for (const time of Object.values<Record<string, unknown>>(batch.result_time)) expect(Object.keys(time)).toEqual(TIME_KEYS);
		const times = batch.result_time;
		expect([times.a, times.b, times.c, times.d, times.f].map((time) => [time.processing, time.operating])).toEqual([
			[0.01, 0.01],
			[0.01, 0.02],
			[0.01, 0.03],
			[0.01, 0.01],
			[0.01, 0.01],
		]);
		// A method's window ends when its first call leaves it: the same moment for a, b and c.
		expectBetween(times.a.operating_reset_at, windowEnds(times.a, 600));
		expect([times.b.operating_reset_at, times.c.operating_reset_at]).toEqual([times.a.operating_reset_at, times.a.operating_reset_at]);
		expectBetween(times.d.operating_reset_at, windowEnds(times.d, 600));
		expect(Object.keys(reply.body.time)).toEqual(TIME_KEYS);
		expect(reply.body.time.processing).toBe(0.05);
		expect(portal.restCalls().map((entry) => [entry.status, entry.errorCode, entry.operatingLimitedCommands])).toEqual([[200, null, 1]]);
		expect(portal.stats()).toMatchObject({ requests: 1, operationTimeLimit: 0, operationTimeLimitCommands: 1 });

		// A single call now gets HTTP 429; the method is free again when its first call leaves the window.
		const blocked = await post(settingsUrl, CARD_INVOICE);
		expect(blocked.status).toBe(429);
		expect(blocked.body).toMatchObject(BLOCKED);
		expect(Object.keys(blocked.body.time)).toEqual(TIME_KEYS);
		expect([blocked.body.time.processing, blocked.body.time.operating]).toEqual([0, 0.03]);
		expect(blocked.body.time.operating_reset_at).toBe(times.a.operating_reset_at);

		// With halt, the refused command stops the batch.
		const halted = (await post(`${portal.webhookUrl}batch`, { halt: 1, cmd: { x: 'scope', y: INVOICE_COMMAND, z: 'scope' } })).body.result;
		expect(Object.keys(halted.result)).toEqual(['x']);
		expect(halted.result_error).toEqual({ y: BLOCKED });
		expect(Object.keys(halted.result_time)).toEqual(['x']);
		expect(halted.result_time.x.operating).toBe(0.02);
		expect(portal.stats()).toMatchObject({ requests: 3, operationTimeLimit: 1, operationTimeLimitCommands: 2 });
	});

	it('reports the run time so far in a single answer, this call included, and its window end', async () => {
		const first = (await post(settingsUrl, CARD_INVOICE)).body.time;
		const second = (await post(settingsUrl, CARD_INVOICE)).body.time;
		expect([first.operating, second.operating]).toEqual([0.01, 0.02]);
		expectBetween(first.operating_reset_at, windowEnds(first, 600));
		expect(second.operating_reset_at).toBe(first.operating_reset_at);
	});

	it('takes a new window from setOptions, starting an empty ledger', async () => {
		await post(settingsUrl, CARD_INVOICE);
		expect((await post(settingsUrl, CARD_INVOICE)).body.time.operating).toBe(0.02);
		portal.setOptions({ operatingWindowSeconds: 30 });
		const time = (await post(settingsUrl, CARD_INVOICE)).body.time;
		expect(time.operating).toBe(0.01);
		expectBetween(time.operating_reset_at, windowEnds(time, 30));
	});

	it('frees a refused method when its sum drops back to the budget, in a window of 2 s', async () => {
		portal.setOptions({ operatingWindowSeconds: 2 });
		const first = (await post(settingsUrl, CARD_INVOICE)).body.time;
		expect(first.operating).toBe(0.01);
		// More than a second later, so that this call's window ends in a later whole second than the first's.
		await sleep(1200);
		const second = (await post(settingsUrl, CARD_INVOICE)).body.time;
		expect(second.operating).toBe(0.02);
		expect(second.operating_reset_at).toBe(first.operating_reset_at);
		portal.setOptions({ processingSecondsPerCall: 0.05 });
		const third = (await post(settingsUrl, CARD_INVOICE)).body.time;
		expect([third.processing, third.operating]).toEqual([0.05, 0.07]);

		// 0.07 s booked against 0.02: the sum is back within the budget only once the third call has left.
		const blocked = await post(settingsUrl, CARD_INVOICE);
		expect(blocked.status).toBe(429);
		expect(blocked.body.time.operating).toBe(0.07);
		expectBetween(blocked.body.time.operating_reset_at, windowEnds(third, 2));
		expect(blocked.body.time.operating_reset_at).toBeGreaterThan(first.operating_reset_at);

		await sleep(Math.max(blocked.body.time.operating_reset_at, third.finish + 2) * 1000 + 100 - Date.now());
		const after = await post(settingsUrl, CARD_INVOICE);
		expect(after.status).toBe(200);
		expect([after.body.time.processing, after.body.time.operating]).toEqual([0.05, 0.05]);
		expect(portal.stats()).toMatchObject({ requests: 5, operationTimeLimit: 1, operationTimeLimitCommands: 0 });
	});
});
