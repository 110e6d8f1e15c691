import { runWorkflow } from '../../dev/harness/engine';
import { hintOf } from '../contract/hints';
import { CONTRACT_ERROR_CODES } from '../contract/errorCodes';
import { SETTINGS, byHandler, byPaySystemId, invoices, usePortal, webhookCredentials } from '../support';

const METHOD = 'sale.paysystem.settings.invoice.get';

describe('With retries and waits for limits off, every Bitrix24 error code maps to an error item with its code, text, status and hint', () => {
	const portal = usePortal();

	it.each(CONTRACT_ERROR_CODES)('%s (HTTP %i) on a single call', async (code, status) => {
		portal().addFault({
			restMethod: METHOD,
			times: 1,
			response: { status, json: { error: code, error_description: `Text for ${code}` } },
		});
		const { output, errorOutput } = await runWorkflow({
			parameters: byPaySystemId(11, { batch: false, maxRetries: 0, maxWaitMinutes: 0 }),
			items: invoices(10),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(output).toEqual([]);
		expect(errorOutput).toEqual([
			{
				json: {
					invoiceId: 10,
					error: `Bitrix24 error ${code}: Text for ${code}`,
					details: {
						errorCode: code,
						errorDescription: `Text for ${code}`,
						httpCode: status,
						invoiceId: 10,
						hint: hintOf(code),
					},
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(portal().restCalls()).toHaveLength(1);
	});

	it.each(CONTRACT_ERROR_CODES.filter(([code]) => code !== 'ERROR_BATCH_METHOD_NOT_ALLOWED'))(
		'%s (HTTP %i) on a whole batch call fails every item of the batch with that status',
		async (code, status) => {
			portal().addFault({ restMethod: 'batch', times: 1, response: { status, json: { error: code, error_description: 'Whole batch' } } });
			const { errorOutput } = await runWorkflow({
				parameters: byPaySystemId(11, { maxRetries: 0, maxWaitMinutes: 0 }),
				items: invoices(10, 11),
				credentials: webhookCredentials(portal().webhookUrl),
				onError: 'continueErrorOutput',
			});
			expect(errorOutput.map((item) => item.json.details)).toEqual([10, 11].map((invoiceId) => ({
				errorCode: code,
				errorDescription: 'Whole batch',
				httpCode: status,
				invoiceId,
				hint: hintOf(code),
			})));
			expect(errorOutput.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		},
	);

	it('trims the space some portals put before the code', async () => {
		portal().addFault({ restMethod: METHOD, response: { status: 400, json: { error: ' ERROR_CHECK_FAILURE', error_description: 'Pay system not found' } } });
		const { errorOutput } = await runWorkflow({
			parameters: byPaySystemId(11, { batch: false }),
			items: invoices(10),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(errorOutput[0].json.details).toEqual({
			errorCode: 'ERROR_CHECK_FAILURE',
			errorDescription: 'Pay system not found',
			httpCode: 400,
			invoiceId: 10,
			hint: hintOf('ERROR_CHECK_FAILURE'),
		});
	});

	it('gives an empty error_description as null', async () => {
		portal().addFault({ restMethod: METHOD, response: { status: 503, json: { error: 'QUERY_LIMIT_EXCEEDED', error_description: '' } } });
		const { errorOutput } = await runWorkflow({
			parameters: byPaySystemId(11, { batch: false, maxRetries: 0, maxWaitMinutes: 0 }),
			items: invoices(10),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(errorOutput[0].json.error).toBe('Bitrix24 error QUERY_LIMIT_EXCEEDED');
		expect(errorOutput[0].json.details).toEqual({
			errorCode: 'QUERY_LIMIT_EXCEEDED',
			errorDescription: null,
			httpCode: 503,
			invoiceId: 10,
			hint: hintOf('QUERY_LIMIT_EXCEEDED'),
		});
	});
});

describe('The method\'s own errors, from the portal itself, inside a batch and as single calls', () => {
	const portal = usePortal();

	describe.each([
		['batch', true, null],
		['single calls', false, 400],
	])('with %s', (_label, batch, httpCode) => {
		it.each([
			['an unknown pay system', byPaySystemId(99, { batch }), 'ERROR_CHECK_FAILURE', 'Pay system not found'],
			['an unknown handler', byHandler('nosuchhandler', { batch }), 'ERROR_CHECK_FAILURE', 'Handler not found'],
			['a handler no pay system uses', byHandler('resthandlerunused', { batch }), 'ERROR_PAY_SYSTEM_NOT_FOUND', 'Pay system not found'],
			['a missing invoice', byPaySystemId(11, { batch }), 'ERROR_INTERNAL_INVOICE_NOT_FOUND', 'Invoice not found'],
		])('%s', async (_case, parameters, errorCode, errorDescription) => {
			const invoiceId = errorCode === 'ERROR_INTERNAL_INVOICE_NOT_FOUND' ? 404 : 10;
			const { errorOutput } = await runWorkflow({
				parameters,
				items: invoices(invoiceId, invoiceId),
				credentials: webhookCredentials(portal().webhookUrl),
				onError: 'continueErrorOutput',
			});
			const details = { errorCode, errorDescription, httpCode, invoiceId, hint: hintOf(errorCode) };
			expect(errorOutput.map((item) => item.json.details)).toEqual([details, details]);
			expect(errorOutput.map((item) => item.json.error)).toEqual(
				[0, 1].map(() => `Bitrix24 error ${errorCode}: ${errorDescription}`),
			);
		});
	});
});

describe('Faults the node turns into results, not stack traces (retries off)', () => {
	const portal = usePortal();
	const run = (batch: boolean) =>
		runWorkflow({
			parameters: byPaySystemId(11, { batch, maxRetries: 0 }),
			items: invoices(10),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});

	it.each([true, false])('an HTML error page is INVALID_RESPONSE with the HTTP status (batch %s)', async (batch) => {
		portal().addFault({ response: { status: 502, body: '<html><body>Bad gateway</body></html>', contentType: 'text/html' } });
		const { errorOutput } = await run(batch);
		expect(errorOutput.map((item) => item.json)).toEqual([
			{
				invoiceId: 10,
				error: 'INVALID_RESPONSE: The Bitrix24 portal answered HTTP 502 with a body that is not REST JSON',
				details: {
					errorCode: 'INVALID_RESPONSE',
					errorDescription: null,
					httpCode: 502,
					invoiceId: 10,
					hint: hintOf('INVALID_RESPONSE'),
				},
			},
		]);
	});

	it('a 200 answer that is not JSON is INVALID_RESPONSE with status 200', async () => {
		portal().addFault({ response: { status: 200, body: 'OK', contentType: 'text/plain' } });
		const { errorOutput } = await run(false);
		expect(errorOutput[0].json).toEqual({
			invoiceId: 10,
			error: 'INVALID_RESPONSE: The Bitrix24 portal answered HTTP 200 with a body that is not REST JSON',
			details: { errorCode: 'INVALID_RESPONSE', errorDescription: null, httpCode: 200, invoiceId: 10, hint: hintOf('INVALID_RESPONSE') },
		});
		// A 200 page is what the portal meant to send: not retried (docs/contract.md#retries).
		expect(portal().restCalls()).toHaveLength(1);
	});

	it.each([
		['inside a batch', true, null],
		['on a single call', false, 200],
	])('settings that are not an object are INVALID_RESPONSE for that item alone, %s with httpCode %p', async (_case, batch, httpCode) => {
		if (batch) {
			const result = { result: { i0: 'not settings', i1: SETTINGS.card }, result_error: [], result_total: [], result_next: [], result_time: [] };
			portal().addFault({ restMethod: 'batch', response: { status: 200, json: { result, time: {} } } });
		} else {
			portal().addFault({ restMethod: METHOD, params: { INVOICE_ID: 10 }, response: { status: 200, json: { result: 'not settings', time: {} } } });
		}
		const { output, errorOutput } = await runWorkflow({
			parameters: byPaySystemId(11, { batch }),
			items: invoices(10, 11),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(output).toEqual([{ json: SETTINGS.card, pairedItem: { item: 1 } }]);
		expect(errorOutput).toEqual([
			{
				json: {
					invoiceId: 10,
					error: 'INVALID_RESPONSE: The Bitrix24 portal sent settings that are not an object',
					details: { errorCode: 'INVALID_RESPONSE', errorDescription: null, httpCode, invoiceId: 10, hint: hintOf('INVALID_RESPONSE') },
				},
				pairedItem: { item: 0 },
			},
		]);
		// Not retried: the portal answered, and sending the same call again gets the same answer.
		expect(portal().restCalls()).toHaveLength(batch ? 1 : 2);
	});

	it.each([true, false])('a connection reset is NETWORK_ERROR without a status (batch %s)', async (batch) => {
		portal().addFault({ response: { reset: true } });
		const { errorOutput } = await run(batch);
		expect(errorOutput).toHaveLength(1);
		expect(errorOutput[0].json.details).toEqual({
			errorCode: 'NETWORK_ERROR',
			errorDescription: null,
			httpCode: null,
			invoiceId: 10,
			hint: hintOf('NETWORK_ERROR'),
		});
		expect(String(errorOutput[0].json.error)).toMatch(/^NETWORK_ERROR: The Bitrix24 portal could not be reached \(/);
	});

	it('an unreachable portal is NETWORK_ERROR for every item', async () => {
		const closed = await import('../../dev/emulator/portal').then(({ startPortal }) => startPortal());
		const webhookUrl = closed.webhookUrl;
		await closed.stop();
		const { errorOutput } = await runWorkflow({
			parameters: byPaySystemId(11, { batch: false }),
			items: invoices(10, 11),
			credentials: webhookCredentials(webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(errorOutput.map((item) => item.json.error)).toEqual([
			'NETWORK_ERROR: The Bitrix24 portal could not be reached (ECONNREFUSED)',
			'NETWORK_ERROR: The Bitrix24 portal could not be reached (ECONNREFUSED)',
		]);
	});
});
