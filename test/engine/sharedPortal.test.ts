// One portal, many senders (docs/contract.md#pacing): the node learns the rate a portal really grants
// from its refusals, keeps up to Parallel Requests in flight while it refuses nothing, waits for the
// operating budget instead of failing, and keeps output order, pairing and the stop rule as they are.
import type { LoggedRequest } from '../../dev/emulator/portal';
import { runWorkflow } from '../../dev/harness/engine';
import { SETTINGS, byPaySystemId, expectBankSettingsFor, invoices, jsonOf, n8nLogger, pairingOf, usePortal, webhookCredentials } from '../support';

const METHOD = 'sale.paysystem.settings.invoice.get';
const range = (from: number, count: number) => Array.from({ length: count }, (_, index) => from + index);
const refusals = (requests: LoggedRequest[]) => requests.filter((request) => request.errorCode === 'QUERY_LIMIT_EXCEEDED').length;
const errorCodeOf = (item: { json: { details?: unknown } }) => (item.json.details as { errorCode: string }).errorCode;

describe('A portal busier than its preset: the rate falls after refusals, and no item fails', () => {
	// A standard portal another client already uses: 1 request/s, burst 5, while the node assumes 2/s, burst 50.
	const portal = usePortal({ limits: { drainPerSecond: 1, burst: 5 } });

	it('15 single calls: a few refusals at first, then none; every item correct and in order', async () => {
		await expectBankSettingsFor(portal(), range(1, 15), { batch: false });
		const calls = portal().restCalls(METHOD);
		// The five the burst takes, then the three in flight when the first refusal came back are refused.
		const firstRefusal = calls.findIndex((call) => call.errorCode === 'QUERY_LIMIT_EXCEEDED');
		expect(firstRefusal).toBe(5);
		expect(refusals(calls)).toBeGreaterThanOrEqual(1);
		expect(refusals(calls)).toBeLessThanOrEqual(6);
		expect(calls.filter((call) => call.status === 200)).toHaveLength(15);
	}, 60_000);

	it('refusals use no retry: with Max Retries 0 the run still finishes every item', async () => {
		const ids = range(20, 10);
		const { output, errorOutput } = await runWorkflow({
			parameters: byPaySystemId(12, { batch: false, maxRetries: 0 }),
			items: invoices(...ids),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(errorOutput).toEqual([]);
		expect(jsonOf(output)).toEqual(ids.map((id) => SETTINGS.bank(id)));
		expect(refusals(portal().restCalls(METHOD))).toBeGreaterThan(0);
	}, 60_000);

	it('Max Wait 0: a refusal is final, the item fails with QUERY_LIMIT_EXCEEDED', async () => {
		const ids = range(40, 8);
		const { output, errorOutput } = await runWorkflow({
			parameters: byPaySystemId(12, { batch: false, maxWaitMinutes: 0, parallelRequests: 1 }),
			items: invoices(...ids),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		// The burst takes five; one of the three after it is refused and may not wait (which one depends on
		// how far the bucket drained meanwhile, on a busy machine the seventh). The pacing, slowed by the
		// refusal, holds the rest long enough for the portal to take them.
		expect(errorOutput).toHaveLength(1);
		const refused = (errorOutput[0].pairedItem as { item: number }).item;
		expect([5, 6, 7]).toContain(refused);
		expect(errorOutput.map((item) => [item.pairedItem, errorCodeOf(item)])).toEqual([[{ item: refused }, 'QUERY_LIMIT_EXCEEDED']]);
		expect(jsonOf(output)).toEqual(ids.filter((_, item) => item !== refused).map((id) => SETTINGS.bank(id)));
	}, 30_000);
});

describe('Requests in flight: up to Parallel Requests at once, never more', () => {
	// A slow portal: 100 ms per request and 2 ms per call run inside it.
	const portal = usePortal({ latency: { perRequestMs: 100, perCallMs: 2 } });

	it.each([
		[undefined, 3],
		[1, 1],
		[2, 2],
		[5, 5],
	])('Parallel Requests %s: %i batch calls in flight at most, 600 items correct and in order', async (parallelRequests, inFlight) => {
		await expectBankSettingsFor(portal(), range(1000, 600), parallelRequests === undefined ? {} : { parallelRequests });
		expect(portal().restCalls('batch')).toHaveLength(12);
		expect(portal().stats().maxInFlight).toBe(inFlight);
	}, 30_000);

	it('order and pairing hold across failures and retries with three in flight', async () => {
		// Invoice 404 does not exist; two batch calls meet a server error and are sent again.
		portal().addFault({ restMethod: 'batch', skip: 1, times: 2, response: { status: 500, json: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' } } });
		const ids = [...range(1, 120), 404, ...range(200, 79)];
		const { output, errorOutput } = await runWorkflow({
			parameters: byPaySystemId(12),
			items: invoices(...ids),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		const good = ids.filter((id) => id !== 404);
		expect(jsonOf(output)).toEqual(good.map((id) => SETTINGS.bank(id)));
		expect(pairingOf(output)).toEqual(ids.flatMap((id, item) => (id === 404 ? [] : [{ item }])));
		expect(errorOutput.map((item) => [item.pairedItem, errorCodeOf(item)])).toEqual([[{ item: 120 }, 'ERROR_INTERNAL_INVOICE_NOT_FOUND']]);
		expect(portal().restCalls('batch').filter((call) => call.status === 500)).toHaveLength(2);
		expect(portal().stats().maxInFlight).toBe(3);
	}, 30_000);

	it('stops at the first failure in input order, though a later item failed first with requests in flight', async () => {
		// Item 1's call is slow; item 3 fails at once; item 1 then fails too. The run names item 1.
		portal().setOptions({ latency: null });
		portal().addFault({ restMethod: METHOD, times: 1, response: { delayMs: 400 } });
		const { nodeError } = await runWorkflow({
			parameters: byPaySystemId(12, { batch: false }),
			items: invoices(404, 1, 200001, ...range(2, 20)),
			credentials: webhookCredentials(portal().webhookUrl),
		});
		expect(nodeError?.message).toBe('Bitrix24 error ERROR_INTERNAL_INVOICE_NOT_FOUND: Invoice not found [item 0, invoice 404]');
		// Once item 2 had failed, no lane took an item after it: besides the first three calls, only a lane
		// freed before that answer came back sent one more.
		expect(portal().restCalls(METHOD).length).toBeLessThanOrEqual(5);
	}, 30_000);
});

describe('The operating budget: a run that needs three budgets waits for the window, and no item fails', () => {
	// A budget compressed 200 times: 1 s of run time per 3 s window; each call runs 0.01 s.
	const portal = usePortal({ operatingBudgetSeconds: 1, operatingWindowSeconds: 3, processingSecondsPerCall: 0.01 });

	it('300 items in batches: at most three answers carry OPERATION_TIME_LIMIT, every item correct', async () => {
		await expectBankSettingsFor(portal(), range(1, 300));
		const refusedAnswers = portal().restCalls('batch').filter((call) => (call.operatingLimitedCommands ?? 0) > 0);
		expect(refusedAnswers.length).toBeGreaterThan(0);
		expect(refusedAnswers.length).toBeLessThanOrEqual(3);
		expect(portal().stats().operationTimeLimit).toBe(0);
	}, 60_000);

	it('Max Wait shorter than the reset: the refused items fail at once with OPERATION_TIME_LIMIT', async () => {
		portal().setOptions({ operatingBudgetSeconds: 0.02, operatingWindowSeconds: 120 });
		const { output, errorOutput } = await runWorkflow({
			parameters: byPaySystemId(12, { batch: false, parallelRequests: 1, maxWaitMinutes: 1 }),
			items: invoices(1, 2, 3, 4, 5),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(jsonOf(output)).toEqual([1, 2, 3].map((id) => SETTINGS.bank(id)));
		expect(errorOutput.map((item) => [item.pairedItem, errorCodeOf(item)])).toEqual([
			[{ item: 3 }, 'OPERATION_TIME_LIMIT'],
			[{ item: 4 }, 'OPERATION_TIME_LIMIT'],
		]);
	}, 30_000);
});

describe('A long wait is written to the log with what it waits for and how far the run is', () => {
	const portal = usePortal({ operatingBudgetSeconds: 0.02, operatingWindowSeconds: 7, processingSecondsPerCall: 0.01 });

	it('waiting about 7 s for the operating budget, then cancelled: one line, and nothing sent after the cancel', async () => {
		const info = jest.spyOn(n8nLogger(), 'info');
		let refusedAt = 0;
		const { nodeFinished } = await runWorkflow({
			parameters: byPaySystemId(12, { batch: false, parallelRequests: 1 }),
			items: invoices(1, 2, 3, 4, 5),
			credentials: webhookCredentials(portal().webhookUrl),
			cancelWhen: new Promise<void>((resolve) => {
				const poll = setInterval(() => {
					if (info.mock.calls.some(([message]) => String(message).includes('waiting'))) {
						clearInterval(poll);
						refusedAt = portal().restCalls(METHOD).length;
						resolve();
					}
				}, 10);
			}),
		});
		const thrown = await nodeFinished;
		expect((thrown as Error).message).toBe('The execution was cancelled while the node waited for the Bitrix24 portal');
		const lines = info.mock.calls.map(([message]) => String(message)).filter((message) => message.includes('waiting'));
		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatch(
			new RegExp(`^Bitrix24 portal ${portal().origin.replace(/\./g, '\\.')}: waiting [5-8] s for the operating-time budget of ${METHOD.replace(/\./g, '\\.')} \\(3 of 5 items done\\)$`),
		);
		expect(portal().restCalls(METHOD)).toHaveLength(refusedAt);
		info.mockRestore();
	}, 30_000);
});
