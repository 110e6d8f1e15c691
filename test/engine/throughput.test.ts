import type { FaultRule, LoggedRequest } from '../../dev/emulator/portal';
import { runWorkflow } from '../../dev/harness/engine';
import { hintOf } from '../contract/hints';
import { SETTINGS, byPaySystemId, expectBankSettingsFor, invoices, jsonOf, pairingOf, usePortal, webhookCredentials } from '../support';

const METHOD = 'sale.paysystem.settings.invoice.get';
const range = (from: number, count: number) => Array.from({ length: count }, (_, index) => from + index);
const refusals = (requests: LoggedRequest[]) => requests.filter((request) => request.errorCode === 'QUERY_LIMIT_EXCEEDED');
const commandsOf = (request: LoggedRequest) => request.params.cmd as Record<string, string>;
/** The method's budget is spent until `secondsAhead` from now, as the portal says in `time`. */
const operatingTimeLimit = (secondsAhead: number): FaultRule => ({
	restMethod: METHOD,
	response: {
		status: 429,
		json: {
			error: 'OPERATION_TIME_LIMIT',
			error_description: 'Method is blocked due to operation time limit.',
			time: { operating_reset_at: Math.ceil(Date.now() / 1000) + secondsAhead },
		},
	},
});
const command = (invoiceId: number) => `${METHOD}?INVOICE_ID=${invoiceId}&PAY_SYSTEM_ID=12`;

describe('Pacing: on the standard limits a run never meets QUERY_LIMIT_EXCEEDED', () => {
	const portal = usePortal();

	it('2,600 items go out as 52 batch calls, past the burst of 50, every item correct', async () => {
		const ids = range(1000, 2600);
		await expectBankSettingsFor(portal(), ids);
		expect(portal().restCalls().map((request) => [request.restMethod, request.status, request.batchCommands])).toEqual(
			range(0, 52).map(() => ['batch', 200, 50]),
		);
		expect(refusals(portal().requests)).toEqual([]);
	});

	it('two runs back to back share the portal\'s bucket: the second is paced, not refused', async () => {
		for (let run = 0; run < 2; run++) {
			const { errorOutput } = await runWorkflow({
				parameters: byPaySystemId(12, { batch: false }),
				items: invoices(...range(1, 30)),
				credentials: webhookCredentials(portal().webhookUrl),
				onError: 'continueErrorOutput',
			});
			expect(errorOutput).toEqual([]);
		}
		expect(portal().restCalls(METHOD)).toHaveLength(60);
		expect(refusals(portal().requests)).toEqual([]);
	});

	it('the Enterprise preset sends 120 single calls on an Enterprise portal without a refusal', async () => {
		portal().setOptions({ limits: { drainPerSecond: 5, burst: 250 } });
		const { errorOutput } = await runWorkflow({
			parameters: byPaySystemId(12, { batch: false, rateLimit: 'enterprise' }),
			items: invoices(...range(1, 120)),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(errorOutput).toEqual([]);
		expect(portal().restCalls(METHOD)).toHaveLength(120);
		expect(refusals(portal().requests)).toEqual([]);
	});
});

describe('Retries: transient failures are sent again, and the items succeed', () => {
	const portal = usePortal();

	it.each([
		['QUERY_LIMIT_EXCEEDED', { status: 503, json: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' } }],
		['INTERNAL_SERVER_ERROR', { status: 500, json: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal error' } }],
		['ERROR_UNEXPECTED_ANSWER', { status: 500, json: { error: 'ERROR_UNEXPECTED_ANSWER', error_description: 'Unexpected' } }],
		['an HTML 502 page', { status: 502, body: '<html>Bad gateway</html>', contentType: 'text/html' }],
		['a connection reset', { reset: true as const }],
	])('%s, twice, on a batch and on single calls', async (_name, response) => {
		for (const batch of [true, false]) {
			portal().clearLog();
			portal().addFault({ restMethod: batch ? 'batch' : METHOD, times: 2, response });
			const { output, errorOutput } = await runWorkflow({
				parameters: byPaySystemId(12, { batch }),
				items: invoices(7, 8),
				credentials: webhookCredentials(portal().webhookUrl),
				onError: 'continueErrorOutput',
			});
			expect(errorOutput).toEqual([]);
			expect(jsonOf(output)).toEqual([SETTINGS.bank(7), SETTINGS.bank(8)]);
			expect(portal().restCalls(batch ? 'batch' : METHOD)).toHaveLength(batch ? 3 : 4);
		}
	});

	it.each([
		['OVERLOAD_LIMIT', 503],
		['NO_AUTH_FOUND', 401],
		['insufficient_scope', 403],
		['ACCESS_DENIED', 403],
		['PORTAL_DELETED', 500],
	])('%s is not retried: one request, one error item', async (code, status) => {
		portal().addFault({ restMethod: METHOD, response: { status, json: { error: code, error_description: code } } });
		const { errorOutput } = await runWorkflow({
			parameters: byPaySystemId(12, { batch: false }),
			items: invoices(7),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(errorOutput.map((item) => item.json.details)).toEqual([
			{ errorCode: code, errorDescription: code, httpCode: status, invoiceId: 7, hint: hintOf(code) },
		]);
		expect(portal().restCalls(METHOD)).toHaveLength(1);
	});
});

describe('Retry bounds: a fault that lasts ends as error items after Max Retries repeats', () => {
	const portal = usePortal();

	it.each([true, false])('Max Retries 2: three requests per call, then INTERNAL_SERVER_ERROR items (batch %s)', async (batch) => {
		portal().addFault({ restMethod: batch ? 'batch' : METHOD, response: { status: 500, json: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Down' } } });
		const { output, errorOutput } = await runWorkflow({
			parameters: byPaySystemId(12, { batch, maxRetries: 2 }),
			items: invoices(7, 8),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(output).toEqual([]);
		expect(errorOutput.map((item) => item.json.details)).toEqual(
			[7, 8].map((invoiceId) => ({
				errorCode: 'INTERNAL_SERVER_ERROR',
				errorDescription: 'Down',
				httpCode: 500,
				invoiceId,
				hint: hintOf('INTERNAL_SERVER_ERROR'),
			})),
		);
		expect(portal().restCalls(batch ? 'batch' : METHOD)).toHaveLength(batch ? 3 : 6);
	});

	it('a refused batch waits for the reset its own answer gives, not the later one earlier answers reported', async () => {
		// The first batch's result_time says the budget's window ends ten minutes on; the refusal says 2 s.
		portal().addFault({ ...operatingTimeLimit(2), restMethod: 'batch', skip: 1, times: 1 });
		const ids = range(1, 60);
		await expectBankSettingsFor(portal(), ids);
		const batches = portal().restCalls('batch');
		expect(batches.map((call) => [call.status, call.batchCommands])).toEqual([
			[200, 50],
			[429, 10],
			[200, 10],
		]);
	}, 15_000);

	it('an operating-time reset past the retry wait bound fails at once, without waiting', async () => {
		portal().addFault(operatingTimeLimit(3600));
		const { errorOutput } = await runWorkflow({
			parameters: byPaySystemId(12, { batch: false }),
			items: invoices(7),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(errorOutput.map((item) => (item.json.details as { errorCode: string }).errorCode)).toEqual(['OPERATION_TIME_LIMIT']);
		expect(portal().restCalls(METHOD)).toHaveLength(1);
	});
});

describe('A retried batch resends only the commands that have no answer yet', () => {
	const portal = usePortal();

	it('answered commands (success or a final error) are not sent again; retryable and missing ones are', async () => {
		portal().addFault({
			restMethod: 'batch',
			times: 1,
			response: {
				status: 200,
				json: {
					result: {
						result: { i0: SETTINGS.bank(1) },
						result_error: {
							i1: { error: 'ERROR_INTERNAL_INVOICE_NOT_FOUND', error_description: 'Invoice not found' },
							i2: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' },
							i3: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal error' },
						},
						result_total: [],
						result_next: [],
						result_time: [],
					},
					time: {},
				},
			},
		});
		const { output, errorOutput } = await runWorkflow({
			parameters: byPaySystemId(12),
			items: invoices(1, 2, 3, 4, 5),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		const batches = portal().restCalls('batch');
		expect(batches.map(commandsOf)).toEqual([
			{ i0: command(1), i1: command(2), i2: command(3), i3: command(4), i4: command(5) },
			{ i2: command(3), i3: command(4), i4: command(5) },
		]);
		expect(jsonOf(output)).toEqual([SETTINGS.bank(1), SETTINGS.bank(3), SETTINGS.bank(4), SETTINGS.bank(5)]);
		expect(pairingOf(output)).toEqual([{ item: 0 }, { item: 2 }, { item: 3 }, { item: 4 }]);
		expect(errorOutput.map((item) => [item.pairedItem, (item.json.details as { errorCode: string }).errorCode])).toEqual([
			[{ item: 1 }, 'ERROR_INTERNAL_INVOICE_NOT_FOUND'],
		]);
	});
});

describe('OPERATION_TIME_LIMIT: the node waits until time.operating_reset_at, then goes on', () => {
	// A portal whose method budget (0.03 s of run time) fills after three calls and frees 2 s later.
	const portal = usePortal({ operatingBudgetSeconds: 0.03, operatingWindowSeconds: 2, processingSecondsPerCall: 0.01 });

	it('on single calls: the refused call is repeated after the reset, every item correct', async () => {
		const { output, errorOutput } = await runWorkflow({
			parameters: byPaySystemId(12, { batch: false }),
			items: invoices(1, 2, 3, 4, 5, 6),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(errorOutput).toEqual([]);
		expect(jsonOf(output)).toEqual([1, 2, 3, 4, 5, 6].map((id) => SETTINGS.bank(id)));
		const calls = portal().restCalls(METHOD);
		const refused = calls.flatMap((call, index) => (call.errorCode === 'OPERATION_TIME_LIMIT' ? [index] : []));
		// The calls in flight when the budget ran out are refused, three at most; none after the node knows.
		expect(refused.length).toBeGreaterThan(0);
		expect(refused.length).toBeLessThanOrEqual(3);
		expect(refused.every((index) => calls[index].status === 429)).toBe(true);
		// Each refused call went out again once the budget had been reset, and the portal answered it.
		for (const index of refused) {
			expect(calls.slice(index + 1).some((call) => call.status === 200 && call.params.INVOICE_ID === calls[index].params.INVOICE_ID)).toBe(true);
		}
		expect(calls.slice(refused[refused.length - 1] + 1).every((call) => call.status === 200)).toBe(true);
		expect(calls.filter((call) => call.status === 200)).toHaveLength(6);
	});

	it('in a batch: only the refused commands are sent again, after the reset time the other commands reported', async () => {
		const ids = [1, 2, 3, 4, 5, 6, 7, 8];
		await expectBankSettingsFor(portal(), ids);
		const sizes = portal().restCalls('batch').map((call) => Object.keys(commandsOf(call)).length);
		expect(sizes[0]).toBe(8);
		expect(sizes.slice(1).every((size, index) => size < sizes[index])).toBe(true);
		expect(sizes.length).toBeGreaterThan(1);
	});
});

describe('Cancellation stops a wait at once and sends nothing more', () => {
	const portal = usePortal();

	it('cancelled during an operating-time wait of a minute', async () => {
		portal().addFault(operatingTimeLimit(60));
		const { nodeFinished } = await runWorkflow({
			parameters: byPaySystemId(12, { batch: false }),
			items: invoices(7),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
			cancelWhen: new Promise<void>((resolve) => {
				const poll = setInterval(() => {
					if (portal().restCalls(METHOD).length > 0) {
						clearInterval(poll);
						resolve();
					}
				}, 10);
			}),
		});
		// Within the test's time limit, long before the minute is over, the node has stopped.
		const thrown = await nodeFinished;
		expect(thrown).toBeInstanceOf(Error);
		expect((thrown as Error).message).toBe('The execution was cancelled while the node waited for the Bitrix24 portal');
		expect(portal().restCalls(METHOD)).toHaveLength(1);
	});

	it('cancelled while pacing holds single calls behind the burst', async () => {
		const { nodeFinished } = await runWorkflow({
			parameters: byPaySystemId(12, { batch: false }),
			items: invoices(...range(1, 200)),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
			cancelWhen: new Promise<void>((resolve) => {
				const poll = setInterval(() => {
					if (portal().restCalls(METHOD).length >= 50) {
						clearInterval(poll);
						resolve();
					}
				}, 10);
			}),
		});
		const thrown = await nodeFinished;
		const sent = portal().restCalls(METHOD).length;
		expect((thrown as Error).message).toBe('The execution was cancelled while the node waited for the Bitrix24 portal');
		// 200 items would need 75 s of pacing; it stopped after the burst and at most one more call.
		expect(sent).toBeGreaterThanOrEqual(50);
		expect(sent).toBeLessThanOrEqual(51);
	});
});
