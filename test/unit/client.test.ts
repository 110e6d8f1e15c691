// The client's refusal-or-retry loop (transport/client.ts) against a portal that answers from a list:
// what is sent again, what is kept, and what each call ends as (docs/contract.md#retries, #batch-envelope).
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import type { ClientSettings } from '../../nodes/shared/bitrix24/transport/client';
import { Bitrix24Client } from '../../nodes/shared/bitrix24/transport/client';
import { DEFAULT_CLIENT_SETTINGS } from '../../nodes/shared/bitrix24/run/options';

const METHOD = 'sale.paysystem.settings.invoice.get';
const CALLS = [10, 11, 12].map((invoiceId) => ({ method: METHOD, params: { INVOICE_ID: invoiceId, PAY_SYSTEM_ID: 11 } }));
const SETTINGS = (invoiceId: number) => ({ PS_WORK_MODE: 'TEST', INVOICE: invoiceId });
const COMMAND = (invoiceId: number) => `${METHOD}?INVOICE_ID=${invoiceId}&PAY_SYSTEM_ID=11`;

type Answer = { status: number; body: unknown };

/** A webhook context whose portal answers each request with the next answer of the list. */
function portalAnswering(answers: Answer[]) {
	const requests: Array<{ url: string; body: IDataObject }> = [];
	const context = {
		getNode: () => ({ name: 'Pay System Invoice Settings', type: 'n8n-nodes-bitrix24-paysystem.bitrix24PaySystemInvoiceSettings' }),
		getCredentials: async () => ({ webhookUrl: 'https://portal.example.com/rest/1/abcdefghijklmnop/', allowInsecureHttp: false }),
		getExecutionCancelSignal: () => undefined,
		helpers: {
			async httpRequestWithAuthentication(this: unknown, _type: string, options: IHttpRequestOptions) {
				requests.push({ url: options.url, body: structuredClone(options.body as IDataObject) });
				const answer = answers.shift();
				if (answer === undefined) throw new Error('the test portal has no more answers');
				return { statusCode: answer.status, body: answer.body };
			},
		},
	} as unknown as IExecuteFunctions;
	return { context, requests, left: () => answers.length };
}

/** No pacing, and backoff of a millisecond or two. */
function settings(maxRetries: number, maxWaitMinutes = 30): ClientSettings {
	return {
		...DEFAULT_CLIENT_SETTINGS,
		rateLimit: null,
		maxLimitWaitMs: maxWaitMinutes * 60_000,
		retryPolicy: { ...DEFAULT_CLIENT_SETTINGS.retryPolicy, maxRetries, baseDelayMs: 1, maxDelayMs: 2 },
	};
}

const envelope = (maps: IDataObject): Answer => ({
	status: 200,
	body: { result: { result: [], result_error: [], result_total: [], result_next: [], result_time: [], ...maps }, time: {} },
});
const commandError = (error: string, error_description: string) => ({ error, error_description });
const portalFailure = (errorCode: string, errorDescription: string, httpCode: number | null) => ({
	ok: false,
	failure: { errorCode, errorDescription, httpCode, message: `Bitrix24 error ${errorCode}: ${errorDescription}` },
	time: null,
});

async function batchThrough(answers: Answer[], clientSettings: ClientSettings) {
	const portal = portalAnswering(answers);
	const client = await Bitrix24Client.open(portal.context, 'webhook', clientSettings);
	const outcome = await client.batch(CALLS);
	return { outcome, commands: portal.requests.map((request) => request.body.cmd), left: portal.left() };
}

describe('A batch: commands that failed transiently or went unanswered are sent again; answered ones never are', () => {
	it('sends again only the command that failed with a retried code, and keeps the final error of another', async () => {
		const { outcome, commands, left } = await batchThrough(
			[
				envelope({
					result: { i0: SETTINGS(10) },
					result_error: { i1: commandError('INTERNAL_SERVER_ERROR', 'Try later'), i2: commandError('ERROR_CHECK_FAILURE', 'Pay system not found') },
				}),
				envelope({ result: { i1: SETTINGS(11) } }),
			],
			settings(1),
		);
		expect(commands).toEqual([{ i0: COMMAND(10), i1: COMMAND(11), i2: COMMAND(12) }, { i1: COMMAND(11) }]);
		expect(outcome).toEqual({
			ok: true,
			outcomes: [
				{ ok: true, result: SETTINGS(10), time: null, httpCode: null },
				{ ok: true, result: SETTINGS(11), time: null, httpCode: null },
				portalFailure('ERROR_CHECK_FAILURE', 'Pay system not found', null),
			],
		});
		expect(left).toBe(0);
	});

	it('sends again a command the answer left out, and reports it INVALID_RESPONSE without a status once the retries are spent', async () => {
		const { outcome, commands } = await batchThrough([envelope({ result: { i0: SETTINGS(10), i2: SETTINGS(12) } }), envelope({ result: { i0: SETTINGS(10) } })], settings(1));
		expect(commands).toEqual([{ i0: COMMAND(10), i1: COMMAND(11), i2: COMMAND(12) }, { i1: COMMAND(11) }]);
		expect(outcome).toEqual({
			ok: true,
			outcomes: [
				{ ok: true, result: SETTINGS(10), time: null, httpCode: null },
				{
					ok: false,
					failure: {
						errorCode: 'INVALID_RESPONSE',
						errorDescription: null,
						httpCode: null,
						message: 'INVALID_RESPONSE: The Bitrix24 portal answered the batch call without this command',
					},
				},
				{ ok: true, result: SETTINGS(12), time: null, httpCode: null },
			],
		});
	});

	it('with Max Retries 0 sends nothing again, and a retried code is the command\'s final failure', async () => {
		const { outcome, commands } = await batchThrough(
			[envelope({ result: { i0: SETTINGS(10), i2: SETTINGS(12) }, result_error: { i1: commandError('INTERNAL_SERVER_ERROR', 'Try later') } })],
			settings(0),
		);
		expect(commands).toHaveLength(1);
		expect(outcome.ok && outcome.outcomes[1]).toEqual(portalFailure('INTERNAL_SERVER_ERROR', 'Try later', null));
	});

	it('sends a refusal for the rate limit again without spending a retry (Max Retries 0)', async () => {
		const { outcome, commands } = await batchThrough(
			[envelope({ result: { i0: SETTINGS(10), i2: SETTINGS(12) }, result_error: { i1: commandError('QUERY_LIMIT_EXCEEDED', 'Too many requests') } }), envelope({ result: { i1: SETTINGS(11) } })],
			settings(0),
		);
		expect(commands).toEqual([{ i0: COMMAND(10), i1: COMMAND(11), i2: COMMAND(12) }, { i1: COMMAND(11) }]);
		expect(outcome.ok && outcome.outcomes.map((call) => call.ok)).toEqual([true, true, true]);
	});

	it('with Max Wait 0 a refusal for the rate limit is final', async () => {
		const { outcome, commands } = await batchThrough([envelope({ result: { i0: SETTINGS(10), i2: SETTINGS(12) }, result_error: { i1: commandError('QUERY_LIMIT_EXCEEDED', 'Too many requests') } })], settings(5, 0));
		expect(commands).toHaveLength(1);
		expect(outcome.ok && outcome.outcomes[1]).toEqual(portalFailure('QUERY_LIMIT_EXCEEDED', 'Too many requests', null));
	});
});

describe('A batch request that fails as a whole', () => {
	it('is sent again whole after a retried failure, and its commands then answer', async () => {
		const failed = { status: 500, body: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Try later' } };
		const { outcome, commands } = await batchThrough([failed, failed, envelope({ result: { i0: SETTINGS(10), i1: SETTINGS(11), i2: SETTINGS(12) } })], settings(2));
		expect(commands).toEqual([0, 1, 2].map(() => ({ i0: COMMAND(10), i1: COMMAND(11), i2: COMMAND(12) })));
		expect(outcome.ok && outcome.outcomes.map((call) => call.ok)).toEqual([true, true, true]);
	});

	it('is that failure, with its status, once the retries are spent', async () => {
		const failed = { status: 500, body: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Try later' } };
		const { outcome, commands } = await batchThrough([failed, failed], settings(1));
		expect(commands).toHaveLength(2);
		expect(outcome).toEqual(portalFailure('INTERNAL_SERVER_ERROR', 'Try later', 500));
	});

	it('is that failure at once when it is final: a portal that refuses batch itself (HTTP 405)', async () => {
		const refused = { status: 405, body: { error: 'ERROR_BATCH_METHOD_NOT_ALLOWED', error_description: 'Method not allowed' } };
		const { outcome, commands, left } = await batchThrough([refused, refused], settings(5));
		expect(commands).toHaveLength(1);
		expect(left).toBe(1);
		expect(outcome).toEqual(portalFailure('ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method not allowed', 405));
	});

	it('keeps the answers of earlier rounds when a later round fails as a whole', async () => {
		const failed = { status: 500, body: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Try later' } };
		const { outcome, commands } = await batchThrough(
			[envelope({ result: { i0: SETTINGS(10), i2: SETTINGS(12) }, result_error: { i1: commandError('INTERNAL_SERVER_ERROR', 'Try later') } }), failed],
			settings(1),
		);
		expect(commands).toEqual([{ i0: COMMAND(10), i1: COMMAND(11), i2: COMMAND(12) }, { i1: COMMAND(11) }]);
		expect(outcome).toEqual({
			ok: true,
			outcomes: [
				{ ok: true, result: SETTINGS(10), time: null, httpCode: null },
				// The whole request's failure, for each command it carried.
				{ ok: false, failure: portalFailure('INTERNAL_SERVER_ERROR', 'Try later', 500).failure },
				{ ok: true, result: SETTINGS(12), time: null, httpCode: null },
			],
		});
	});
});

describe('A single call', () => {
	it('goes to <base><method>.json with its parameters as the body, and keeps its answer status', async () => {
		const portal = portalAnswering([{ status: 200, body: { result: SETTINGS(10), time: { operating: 0.5 } } }]);
		const client = await Bitrix24Client.open(portal.context, 'webhook', settings(0));
		expect(await client.call(CALLS[0])).toEqual({ ok: true, result: SETTINGS(10), time: { operating: 0.5 }, httpCode: 200 });
		expect(portal.requests).toEqual([{ url: `https://portal.example.com/rest/1/abcdefghijklmnop/${METHOD}.json`, body: { INVOICE_ID: 10, PAY_SYSTEM_ID: 11 } }]);
	});

	it('is sent again after a retried failure, and its final failure keeps its status', async () => {
		const failed = { status: 503, body: '<html>Service unavailable</html>' };
		const portal = portalAnswering([failed, failed]);
		const client = await Bitrix24Client.open(portal.context, 'webhook', settings(1));
		expect(await client.call(CALLS[0])).toEqual({
			ok: false,
			failure: { errorCode: 'INVALID_RESPONSE', errorDescription: null, httpCode: 503, message: 'INVALID_RESPONSE: The Bitrix24 portal answered HTTP 503 with a body that is not REST JSON' },
		});
		expect(portal.requests).toHaveLength(2);
	});
});

describe('The rest of the client', () => {
	it('a batch answer without its result maps fails every command with INVALID_RESPONSE and the request\'s status, not retried', async () => {
		const { outcome, commands } = await batchThrough([{ status: 200, body: { result: { result_total: [] }, time: {} } }], settings(5));
		expect(commands).toHaveLength(1);
		expect(outcome).toEqual({
			ok: false,
			failure: { errorCode: 'INVALID_RESPONSE', errorDescription: null, httpCode: 200, message: 'INVALID_RESPONSE: The Bitrix24 portal answered the batch call without its result maps' },
		});
	});

	it('a single call that fails as a whole is that failure', async () => {
		const portal = portalAnswering([{ status: 400, body: { error: 'ERROR_CHECK_FAILURE', error_description: 'Pay system not found' } }]);
		const client = await Bitrix24Client.open(portal.context, 'webhook', settings(5));
		expect(await client.call(CALLS[0])).toEqual(portalFailure('ERROR_CHECK_FAILURE', 'Pay system not found', 400));
		expect(portal.requests).toHaveLength(1);
	});

	it('knows its base, redacts the webhook code, and stops every wait once halted', async () => {
		const portal = portalAnswering([{ status: 500, body: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Try later' } }]);
		const client = await Bitrix24Client.open(portal.context, 'webhook', { ...settings(5), retryPolicy: { ...settings(5).retryPolicy, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
		expect(client.baseUrl).toBe('https://portal.example.com/rest/1/abcdefghijklmnop/');
		expect(client.redact('see https://portal.example.com/rest/1/abcdefghijklmnop/ and abcdefghijklmnop')).toBe('see https://portal.example.com/rest/1/***/ and ***');
		const calling = client.call(CALLS[0]);
		setTimeout(() => client.halt(), 20);
		await expect(calling).rejects.toThrow('The run stopped while the node waited for the Bitrix24 portal');
		expect(portal.requests).toHaveLength(1);
	});
});
