import { runWorkflow } from '../../dev/harness/engine';
import { HINTS } from '../contract/hints';
import { SETTINGS, byPaySystemId, expectBankSettingsFor, deals, forCrmItem, invoices, jsonOf, pairingOf, smartInvoices, usePortal, webhookCredentials } from '../support';

const range = (from: number, count: number) => Array.from({ length: count }, (_, index) => from + index);

describe('options.batch (default true): items grouped into batch calls of at most 50', () => {
	const portal = usePortal();

	// Requests always come to ceil(N / 50); a lone item left over is sent as a plain call.
	it.each([
		[1, 0, 1],
		[50, 1, 0],
		[51, 1, 1],
		[100, 2, 0],
		[120, 3, 0],
	])('%i items take %i batch calls and %i single calls', async (count, batches, singles) => {
		const ids = range(1, count);
		const { output } = await runWorkflow({
			parameters: byPaySystemId(12),
			items: invoices(...ids),
			credentials: webhookCredentials(portal().webhookUrl),
		});
		expect(portal().restCalls('batch')).toHaveLength(batches);
		expect(portal().restCalls('sale.paysystem.settings.invoice.get')).toHaveLength(singles);
		expect(portal().restCalls('batch').map((call) => call.batchCommands)).toEqual(
			Array.from({ length: batches }, (_, index) => Math.min(50, count - index * 50)),
		);
		expect(portal().restCalls()).toHaveLength(Math.ceil(count / 50));
		expect(jsonOf(output)).toEqual(ids.map((id) => SETTINGS.bank(id)));
		expect(pairingOf(output)).toEqual(ids.map((_, item) => ({ item })));
	});

	it('keeps order and pairing across batch boundaries with failures and invalid items in between', async () => {
		const ids: unknown[] = range(1, 110);
		ids[3] = 404;
		ids[49] = 'bad';
		ids[50] = 404;
		ids[104] = -1;
		const { output, errorOutput } = await runWorkflow({
			parameters: byPaySystemId(12),
			items: invoices(...ids),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		const failed = [3, 49, 50, 104];
		const succeeded = ids.map((_, index) => index).filter((index) => !failed.includes(index));
		expect(pairingOf(output)).toEqual(succeeded.map((item) => ({ item })));
		expect(jsonOf(output)).toEqual(succeeded.map((index) => SETTINGS.bank(ids[index] as number)));
		expect(pairingOf(errorOutput)).toEqual(failed.map((item) => ({ item })));
		expect(errorOutput.map((item) => (item.json.details as { errorCode: string }).errorCode)).toEqual([
			'ERROR_INTERNAL_INVOICE_NOT_FOUND',
			'INVALID_PARAMETER',
			'ERROR_INTERNAL_INVOICE_NOT_FOUND',
			'INVALID_PARAMETER',
		]);
		// 108 valid items (the two 404s are valid requests): two full batches and a batch of eight.
		expect(portal().restCalls('batch').map((call) => call.batchCommands)).toEqual([50, 50, 8]);
	});

	it('sends one single call per item with batch off', async () => {
		await runWorkflow({
			parameters: byPaySystemId(12, { batch: false }),
			items: invoices(...range(1, 5)),
			credentials: webhookCredentials(portal().webhookUrl),
		});
		expect(portal().restCalls('batch')).toEqual([]);
		expect(portal().restCalls('sale.paysystem.settings.invoice.get').map((call) => call.params.INVOICE_ID)).toEqual([1, 2, 3, 4, 5]);
	});

	it('after a 405 sends every later group as single calls, those of the next step and of other methods too', async () => {
		portal().setOptions({ batchAllowed: false });
		try {
			const { output, errorOutput } = await runWorkflow({
				parameters: forCrmItem({ parallelRequests: 1 }),
				items: [...smartInvoices(5, 6), ...deals(20)],
				credentials: webhookCredentials(portal().webhookUrl),
				onError: 'continueErrorOutput',
			});
			expect(errorOutput).toEqual([]);
			expect(jsonOf(output)).toEqual([SETTINGS.card, SETTINGS.bank(502), SETTINGS.bank(601), SETTINGS.card, SETTINGS.cardSecondShop]);
			expect(portal().restCalls().map((call) => [call.restMethod, call.status])).toEqual([
				['batch', 405],
				...[0, 1, 2].map(() => ['crm.item.payment.list', 200]),
				...[0, 1, 2, 3, 4].map(() => ['sale.paysystem.settings.payment.get', 200]),
			]);
		} finally {
			portal().setOptions({ batchAllowed: true });
		}
	});

	it('keeps batching the methods the portal accepts inside batch: payment lists one by one, their settings in a batch', async () => {
		portal().setOptions({ methodsNotInBatch: ['crm.item.payment.list'] });
		const { output, errorOutput } = await runWorkflow({
			parameters: forCrmItem(),
			items: [...smartInvoices(5, 6), ...deals(20)],
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(errorOutput).toEqual([]);
		expect(jsonOf(output)).toEqual([SETTINGS.card, SETTINGS.bank(502), SETTINGS.bank(601), SETTINGS.card, SETTINGS.cardSecondShop]);
		expect(pairingOf(output)).toEqual([0, 0, 1, 2, 2].map((item) => ({ item })));
		expect(portal().restCalls().map((call) => [call.restMethod, call.batchCommands ?? null])).toEqual([
			['batch', 3],
			['crm.item.payment.list', null],
			['crm.item.payment.list', null],
			['crm.item.payment.list', null],
			['batch', 5],
		]);
	});

	it('maps a command missing from the batch answer to INVALID_RESPONSE for that item only (retries off)', async () => {
		portal().addFault({
			restMethod: 'batch',
			response: {
				status: 200,
				json: {
					result: { result: { i0: SETTINGS.card }, result_error: [], result_total: [], result_next: [], result_time: [] },
					time: {},
				},
			},
		});
		const { output, errorOutput } = await runWorkflow({
			parameters: byPaySystemId(11, { maxRetries: 0 }),
			items: invoices(10, 11),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(output).toEqual([{ json: SETTINGS.card, pairedItem: { item: 0 } }]);
		expect(errorOutput).toEqual([
			{
				json: {
					invoiceId: 11,
					error: 'INVALID_RESPONSE: The Bitrix24 portal answered the batch call without this command',
					details: { errorCode: 'INVALID_RESPONSE', errorDescription: null, httpCode: null, invoiceId: 11, hint: HINTS.INVALID_RESPONSE },
				},
				pairedItem: { item: 1 },
			},
		]);
	});

	it('fails every item of a batch whose answer lacks its result maps with INVALID_RESPONSE and the request\'s status 200, not retried', async () => {
		portal().addFault({ restMethod: 'batch', response: { status: 200, json: { result: { result_total: [] }, time: {} } } });
		const { output, errorOutput } = await runWorkflow({
			parameters: byPaySystemId(11),
			items: invoices(10, 11),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(output).toEqual([]);
		expect(errorOutput.map((item) => item.json)).toEqual(
			[10, 11].map((invoiceId) => ({
				invoiceId,
				error: 'INVALID_RESPONSE: The Bitrix24 portal answered the batch call without its result maps',
				details: { errorCode: 'INVALID_RESPONSE', errorDescription: null, httpCode: 200, invoiceId, hint: HINTS.INVALID_RESPONSE },
			})),
		);
		// A 200 answer is what the portal meant to send: sending it again cannot help (docs/contract.md#retries).
		expect(portal().restCalls().map((call) => call.restMethod)).toEqual(['batch']);
	});

	it('reads a batch in which no command succeeded ("result": [])', async () => {
		const { output, errorOutput } = await runWorkflow({
			parameters: byPaySystemId(11),
			items: invoices(404, 404),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(output).toEqual([]);
		expect(pairingOf(errorOutput)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(errorOutput.map((item) => item.json.details)).toEqual(
			[0, 1].map(() => ({
				errorCode: 'ERROR_INTERNAL_INVOICE_NOT_FOUND',
				errorDescription: 'Invoice not found',
				httpCode: null,
				invoiceId: 404,
				hint: HINTS.ERROR_INTERNAL_INVOICE_NOT_FOUND,
			})),
		);
	});
});

describe('options.batch on a portal that refuses batch (HTTP 405) or a method inside it', () => {
	// The Enterprise limits hold the 61 requests of each run within the burst: nothing waits.
	const portal = usePortal({ limits: { drainPerSecond: 5, burst: 250 } });

	it('sends every group that left before the 405 came back again as single calls', async () => {
		portal().setOptions({ batchAllowed: false });
		try {
			const ids = range(1, 60);
			await expectBankSettingsFor(portal(), ids, { rateLimit: 'enterprise' });
			// Both groups left at once (Parallel Requests 3) before the first refusal came back.
			expect(portal().restCalls('batch').map((call) => [call.status, call.errorCode, call.batchCommands])).toEqual([
				[405, 'ERROR_BATCH_METHOD_NOT_ALLOWED', 50],
				[405, 'ERROR_BATCH_METHOD_NOT_ALLOWED', 10],
			]);
			expect(portal().restCalls('sale.paysystem.settings.invoice.get')).toHaveLength(60);
		} finally {
			portal().setOptions({ batchAllowed: true });
		}
	});

	it('sends a method the portal refuses inside batch (HTTP 200, every command ERROR_BATCH_METHOD_NOT_ALLOWED) one call at a time, for the rest of the run', async () => {
		portal().setOptions({ methodsNotInBatch: ['sale.paysystem.settings.invoice.get'] });
		const ids = range(1, 60);
		await expectBankSettingsFor(portal(), ids, { rateLimit: 'enterprise' });
		// Both groups (50 and 10) as batch calls, sent at once, the portal answers with refusals; then every
		// call on its own, each once.
		expect(portal().restCalls('batch').map((call) => [call.status, call.batchCommands])).toEqual([
			[200, 50],
			[200, 10],
		]);
		const single = portal().restCalls('sale.paysystem.settings.invoice.get').map((call) => Number(call.params.INVOICE_ID));
		expect(single.sort((a, b) => a - b)).toEqual(ids);
	});

	it('falls back to single calls, for the rest of the run, when the portal refuses batch (HTTP 405)', async () => {
		portal().setOptions({ batchAllowed: false });
		try {
			const ids = range(1, 60);
			// One request at a time, so the refusal of the first group comes back before the second group leaves.
			await expectBankSettingsFor(portal(), ids, { parallelRequests: 1, rateLimit: 'enterprise' });
			expect(portal().restCalls('batch').map((call) => [call.status, call.errorCode, call.batchCommands])).toEqual([
				[405, 'ERROR_BATCH_METHOD_NOT_ALLOWED', 50],
			]);
			expect(portal().restCalls('sale.paysystem.settings.invoice.get').map((call) => call.params.INVOICE_ID)).toEqual(ids);
		} finally {
			portal().setOptions({ batchAllowed: true });
		}
	});
});
