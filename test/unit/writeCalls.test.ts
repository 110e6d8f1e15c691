// Calls that write (a payment confirmation) through the client's refusal-or-retry loop
// (transport/commands.ts: sortOutcome): never sent again after a failure the portal may have run them
// through, still sent again after a refusal for the portal's limits (docs/contract.md#confirm).
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import type { ClientSettings } from '../../nodes/shared/bitrix24/transport/client';
import { Bitrix24Client } from '../../nodes/shared/bitrix24/transport/client';
import { DEFAULT_CLIENT_SETTINGS } from '../../nodes/shared/bitrix24/run/options';

const PAY = { method: 'sale.paysystem.pay.payment', params: { PAYMENT_ID: 502, PAY_SYSTEM_ID: 12, PS_INVOICE_ID: 'txn-1' }, writes: true };
const READ = { method: 'sale.payment.get', params: { id: 601 } };
const PAY_COMMAND = 'sale.paysystem.pay.payment?PAYMENT_ID=502&PAY_SYSTEM_ID=12&PS_INVOICE_ID=txn-1';
const READ_COMMAND = 'sale.payment.get?id=601';

type Answer = { status: number; body: unknown } | { transportCode: string };

function portalAnswering(answers: Answer[]) {
	const requests: IDataObject[] = [];
	const context = {
		getNode: () => ({ name: 'Bitrix24 Pay System', type: 'n8n-nodes-bitrix24-paysystem.bitrix24PaySystem' }),
		getCredentials: async () => ({ webhookUrl: 'https://portal.example.com/rest/1/abcdefghijklmnop/', allowInsecureHttp: false }),
		getExecutionCancelSignal: () => undefined,
		helpers: {
			async httpRequestWithAuthentication(this: unknown, _type: string, options: IHttpRequestOptions) {
				requests.push({ url: options.url, body: structuredClone(options.body as IDataObject) });
				const answer = answers.shift();
				if (answer === undefined) throw new Error('the test portal has no more answers');
				if ('transportCode' in answer) throw Object.assign(new Error(`socket: ${answer.transportCode}`), { code: answer.transportCode });
				return { statusCode: answer.status, body: answer.body };
			},
		},
	} as unknown as IExecuteFunctions;
	return { context, requests };
}

const SETTINGS: ClientSettings = {
	...DEFAULT_CLIENT_SETTINGS,
	rateLimit: null,
	retryPolicy: { ...DEFAULT_CLIENT_SETTINGS.retryPolicy, maxRetries: 5, baseDelayMs: 1, maxDelayMs: 2 },
};

const OK = { status: 200, body: { result: true, time: {} } };
const envelope = (maps: IDataObject): Answer => ({
	status: 200,
	body: { result: { result: [], result_error: [], result_total: [], result_next: [], result_time: [], ...maps }, time: {} },
});

async function through(answers: Answer[], send: (client: Bitrix24Client) => Promise<unknown>) {
	const portal = portalAnswering(answers);
	const client = await Bitrix24Client.open(portal.context, 'webhook', SETTINGS);
	return { outcome: await send(client), requests: portal.requests };
}

const lost = (httpCode: number | null, message: string) => ({
	ok: false,
	failure: {
		errorCode: 'ANSWER_LOST',
		errorDescription: null,
		httpCode,
		message: `ANSWER_LOST: The portal may have applied the call, but its answer was lost (${message})`,
	},
});

describe('A call that writes is sent once when its answer is lost', () => {
	it.each<[string, Answer, number | null, string]>([
		['a connection reset', { transportCode: 'ECONNRESET' }, null, 'NETWORK_ERROR: The Bitrix24 portal could not be reached (ECONNRESET)'],
		['a timeout', { transportCode: 'ECONNABORTED' }, null, 'NETWORK_ERROR: The Bitrix24 portal could not be reached (ECONNABORTED)'],
		['JSON cut off', { status: 200, body: '{"result": tr' }, 200, 'INVALID_RESPONSE: The Bitrix24 portal answered HTTP 200 with JSON that breaks off'],
		['a proxy page with 502', { status: 502, body: '<html>Bad Gateway</html>' }, 502, 'INVALID_RESPONSE: The Bitrix24 portal answered HTTP 502 with a body that is not REST JSON'],
		['INTERNAL_SERVER_ERROR', { status: 500, body: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Try later' } }, 500, 'Bitrix24 error INTERNAL_SERVER_ERROR: Try later'],
	])('%s: one request, and the outcome ANSWER_LOST', async (_name, answer, httpCode, message) => {
		const { outcome, requests } = await through([answer, OK], async (client) => await client.call(PAY));
		expect(requests).toHaveLength(1);
		expect(outcome).toEqual(lost(httpCode, message));
	});

	it('a read with the same failure is sent again', async () => {
		const { outcome, requests } = await through([{ transportCode: 'ECONNRESET' }, OK], async (client) => await client.call(READ));
		expect(requests).toHaveLength(2);
		expect(outcome).toMatchObject({ ok: true, result: true });
	});

	it('a refusal for the portal\'s limits, answered before the portal runs anything, is sent again', async () => {
		const refused = { status: 503, body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' } };
		const { outcome, requests } = await through([refused, OK], async (client) => await client.call(PAY));
		expect(requests).toHaveLength(2);
		expect(outcome).toMatchObject({ ok: true, result: true });
	});

	it('a portal error that is final stays that error', async () => {
		const refused = { status: 400, body: { error: 'ERROR_CHECK_FAILURE', error_description: 'Pay system not found' } };
		const { outcome, requests } = await through([refused, OK], async (client) => await client.call(PAY));
		expect(requests).toHaveLength(1);
		expect(outcome).toMatchObject({ ok: false, failure: { errorCode: 'ERROR_CHECK_FAILURE', httpCode: 400 } });
	});
});

describe('Inside a batch, the reads beside a write are sent again, the write is not', () => {
	it('a batch that met a connection reset: the next request carries the read alone', async () => {
		const { outcome, requests } = await through(
			[{ transportCode: 'ECONNRESET' }, envelope({ result: { i1: { payment: { id: 601 } } } })],
			async (client) => await client.batch([PAY, READ]),
		);
		expect(requests.map((request) => (request.body as IDataObject).cmd)).toEqual([{ i0: PAY_COMMAND, i1: READ_COMMAND }, { i1: READ_COMMAND }]);
		expect(outcome).toEqual({
			ok: true,
			outcomes: [lost(null, 'NETWORK_ERROR: The Bitrix24 portal could not be reached (ECONNRESET)'), { ok: true, result: { payment: { id: 601 } }, time: null, httpCode: null }],
		});
	});

	it('a write the answer leaves out, or failed with a retried code, is not sent again; a refused one is', async () => {
		const { outcome, requests } = await through(
			[
				envelope({ result_error: { i1: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Try later' }, i2: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many' } } }),
				envelope({ result: { i2: true } }),
			],
			async (client) => await client.batch([PAY, { ...PAY, params: { ...PAY.params, PAYMENT_ID: 503 } }, { ...PAY, params: { ...PAY.params, PAYMENT_ID: 504 } }]),
		);
		expect(requests).toHaveLength(2);
		expect((requests[1].body as IDataObject).cmd).toEqual({ i2: PAY_COMMAND.replace('502', '504') });
		expect(outcome).toMatchObject({
			ok: true,
			outcomes: [
				{ ok: false, failure: { errorCode: 'ANSWER_LOST' } },
				{ ok: false, failure: { errorCode: 'ANSWER_LOST', message: 'ANSWER_LOST: The portal may have applied the call, but its answer was lost (Bitrix24 error INTERNAL_SERVER_ERROR: Try later)' } },
				{ ok: true, result: true },
			],
		});
	});
});
