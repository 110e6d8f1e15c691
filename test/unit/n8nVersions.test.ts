// What the node does differently for n8n 1.x, checked without n8n 1.x installed: the client against a
// request helper that treats a request as n8n 1.123's does, the errors that helper throws, the
// error item both engines route, and the sleep that stops on cancellation.
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { Bitrix24Outcome } from '../../nodes/shared/bitrix24/transport/answers';
import { readThrownAnswer } from '../../nodes/shared/bitrix24/transport/answers';
import type { ClientSettings } from '../../nodes/shared/bitrix24/transport/client';
import { Bitrix24Client } from '../../nodes/shared/bitrix24/transport/client';
import { DEFAULT_CLIENT_SETTINGS } from '../../nodes/shared/bitrix24/run/options';
import { hintOf } from '../contract/hints';
import { toErrorItem, toRoutedErrorItem } from '../../nodes/shared/bitrix24/errors/failures';
import { cancellableSleep } from '../../nodes/shared/bitrix24/limits/waits';

const BASE = 'https://portal.example.com/rest/';
const CALL = { method: 'sale.paysystem.settings.invoice.get', params: { INVOICE_ID: 10, PAY_SYSTEM_ID: 11 } };
const SETTINGS = { PS_WORK_MODE: 'TEST' };

/**
 * The NodeApiError n8n 1.x (n8n-workflow 1.120) throws around a failed request: its class field
 * `cause` overwrites the axios error it was given, so only `httpCode` (the status, or the transport
 * code) and, for an object body, `context.data` remain. Its message is n8n's own wording.
 */
function n8n1ApiError(message: string, httpCode: string, data?: IDataObject): Error {
	return Object.assign(new Error(message), {
		name: 'NodeApiError',
		cause: undefined,
		httpCode,
		messages: [message],
		context: data === undefined ? {} : { data },
	});
}

type Answer = { status: number; body: unknown } | { reset: true } | { refusedRefresh: true };

/**
 * httpRequestWithAuthentication as n8n 1.123 runs it (n8n-core 1.122.48): any truthy
 * ignoreHttpStatusErrors makes every status a plain answer (`validateStatus = () => true`); otherwise
 * a status of 400 or more throws, and for an OAuth2 credential a thrown 401 makes n8n refresh the
 * token and send the request once more.
 */
function n8n1Context(credentialType: string, answers: Answer[]) {
	const requests: IHttpRequestOptions[] = [];
	let refreshes = 0;
	const next = (): Answer => {
		const answer = answers.shift();
		if (answer === undefined) throw new Error('the test portal has no more answers');
		return answer;
	};
	const send = (options: IHttpRequestOptions) => {
		requests.push(structuredClone({ ...options, abortSignal: undefined }));
		const answer = next();
		if ('reset' in answer) throw n8n1ApiError('The connection to the server was closed unexpectedly, perhaps it is offline.', 'ECONNRESET');
		if ('refusedRefresh' in answer) throw n8n1ApiError('The provided authorization grant is invalid', 'EAUTH');
		if (answer.status >= 400 && !options.ignoreHttpStatusErrors) {
			// n8n 1.x keeps an object body only.
			const data = typeof answer.body === 'object' ? (answer.body as IDataObject) : undefined;
			throw n8n1ApiError('Bad request - please check your parameters', String(answer.status), data);
		}
		return { statusCode: answer.status, body: answer.body };
	};
	const credentials: IDataObject =
		credentialType === 'bitrix24OAuth2Api'
			? { domain: 'portal.example.com', oauthTokenData: { access_token: 'a'.repeat(32), refresh_token: 'r'.repeat(32), client_endpoint: BASE } }
			: { webhookUrl: 'https://portal.example.com/rest/1/abcdefghijklmnop/', allowInsecureHttp: false };
	const context = {
		getNode: () => ({ name: 'Pay System Invoice Settings', type: 'n8n-nodes-bitrix24-paysystem.bitrix24PaySystemInvoiceSettings' }),
		getCredentials: async () => credentials,
		getExecutionCancelSignal: () => undefined,
		helpers: {
			async httpRequestWithAuthentication(this: unknown, type: string, options: IHttpRequestOptions) {
				try {
					return send(options);
				} catch (error) {
					if (type === 'bitrix24OAuth2Api' && (error as { httpCode?: string }).httpCode === '401') {
						refreshes += 1;
						return send(options);
					}
					throw error;
				}
			},
		},
	} as unknown as IExecuteFunctions;
	return { context, requests, refreshes: () => refreshes };
}

const answer = (status: number, body: unknown): Answer => ({ status, body });
const settingsAnswer = answer(200, { result: SETTINGS, time: {} });
const noRetries: ClientSettings = { ...DEFAULT_CLIENT_SETTINGS, rateLimit: null, retryPolicy: { ...DEFAULT_CLIENT_SETTINGS.retryPolicy, maxRetries: 0 } };
const fastRetries: ClientSettings = {
	...DEFAULT_CLIENT_SETTINGS,
	rateLimit: null,
	retryPolicy: { ...DEFAULT_CLIENT_SETTINGS.retryPolicy, maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 },
};

async function callThrough(authentication: 'webhook' | 'oAuth2', answers: Answer[], settings = noRetries) {
	const fake = n8n1Context(authentication === 'oAuth2' ? 'bitrix24OAuth2Api' : 'bitrix24WebhookApi', answers);
	const client = await Bitrix24Client.open(fake.context, authentication, settings);
	const outcome: Bitrix24Outcome = await client.call(CALL);
	return { outcome, requests: fake.requests, refreshes: fake.refreshes(), left: answers.length };
}

const failureOf = (outcome: Bitrix24Outcome) => {
	if (outcome.ok) throw new Error('the call succeeded');
	return outcome.failure;
};

describe('OAuth2 on n8n 1.x: every error status throws, so n8n refreshes an expired token', () => {
	it('lets an expired token (401) throw: n8n 1.x refreshes it and the repeated call succeeds', async () => {
		const { outcome, requests, refreshes } = await callThrough('oAuth2', [
			answer(401, { error: 'expired_token', error_description: 'The access token provided has expired.' }),
			settingsAnswer,
		]);
		expect(outcome).toEqual({ ok: true, result: SETTINGS, time: {}, httpCode: 200 });
		expect(refreshes).toBe(1);
		expect(requests.map((request) => request.ignoreHttpStatusErrors)).toEqual([false, false]);
	});

	it('reads a Bitrix24 error from the status and body n8n 1.x keeps on the thrown error', async () => {
		const { outcome, requests } = await callThrough('oAuth2', [answer(400, { error: 'ERROR_CHECK_FAILURE', error_description: 'Pay system not found' })]);
		expect(failureOf(outcome)).toEqual({
			errorCode: 'ERROR_CHECK_FAILURE',
			errorDescription: 'Pay system not found',
			httpCode: 400,
			message: 'Bitrix24 error ERROR_CHECK_FAILURE: Pay system not found',
		});
		expect(requests).toHaveLength(1);
	});

	it('reads a thrown HTML error page (whose body n8n 1.x drops) as INVALID_RESPONSE with its status, and retries it', async () => {
		const { outcome, requests } = await callThrough('oAuth2', [answer(502, '<html>Bad gateway</html>'), settingsAnswer], fastRetries);
		expect(outcome.ok).toBe(true);
		expect(requests).toHaveLength(2);
		const single = await callThrough('oAuth2', [answer(502, '<html>Bad gateway</html>')]);
		expect(failureOf(single.outcome)).toEqual({
			errorCode: 'INVALID_RESPONSE',
			errorDescription: null,
			httpCode: 502,
			message: 'INVALID_RESPONSE: The Bitrix24 portal answered HTTP 502 with a body that is not REST JSON',
		});
	});

	it('reads a refresh the OAuth2 client refused (code EAUTH) as OAUTH_REFRESH_FAILED, not retried', async () => {
		const { outcome, requests } = await callThrough('oAuth2', [{ refusedRefresh: true }], fastRetries);
		expect(failureOf(outcome)).toEqual({
			errorCode: 'OAUTH_REFRESH_FAILED',
			errorDescription: null,
			httpCode: null,
			message: 'OAUTH_REFRESH_FAILED: The OAuth2 access token could not be renewed (The provided authorization grant is invalid)',
		});
		expect(requests).toHaveLength(1);
	});
});

describe('Webhooks: every status is an answer, a 401 is final', () => {
	it('asks n8n to throw for no status, and reads a 401 without a refresh', async () => {
		const { outcome, requests, refreshes } = await callThrough('webhook', [answer(401, { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' })]);
		expect(failureOf(outcome)).toEqual({
			errorCode: 'NO_AUTH_FOUND',
			errorDescription: 'Wrong authorization data',
			httpCode: 401,
			message: 'Bitrix24 error NO_AUTH_FOUND: Wrong authorization data',
		});
		expect(requests.map((request) => request.ignoreHttpStatusErrors)).toEqual([true]);
		expect(refreshes).toBe(0);
	});
});

describe('A connection reset in n8n 1.x\'s shape (the code only as httpCode) is retried', () => {
	it.each(['webhook', 'oAuth2'] as const)('%s: a reset, then the answer', async (authentication) => {
		const { outcome, requests } = await callThrough(authentication, [{ reset: true }, settingsAnswer], fastRetries);
		expect(outcome).toEqual({ ok: true, result: SETTINGS, time: {}, httpCode: 200 });
		expect(requests).toHaveLength(2);
	});

	it('ends as NETWORK_ERROR naming ECONNRESET once the retries are spent', async () => {
		const { outcome, requests } = await callThrough('webhook', [{ reset: true }, { reset: true }, { reset: true }], fastRetries);
		expect(failureOf(outcome)).toEqual({
			errorCode: 'NETWORK_ERROR',
			errorDescription: null,
			httpCode: null,
			transportCode: 'ECONNRESET',
			message: 'NETWORK_ERROR: The Bitrix24 portal could not be reached (ECONNRESET)',
		});
		expect(requests).toHaveLength(3);
	});
});

describe('readThrownAnswer: the answer inside what n8n throws', () => {
	const url = `${BASE}batch.json`;

	it('n8n 2.x: the axios error is the cause, with the response or the transport code', () => {
		const response = { status: 400, data: '{"error":"ERROR_CHECK_FAILURE"' };
		const wrapped = Object.assign(new Error('Bad request - please check your parameters', { cause: Object.assign(new Error('Request failed'), { response, config: { url } }) }), {
			httpCode: '400',
			context: {},
		});
		expect(readThrownAnswer(wrapped, url)).toEqual({ status: 400, body: response.data, transportCode: null, message: wrapped.message, refreshFailed: false });
		const reset = Object.assign(new Error('The connection to the server was closed unexpectedly'), {
			httpCode: 'ECONNRESET',
			cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', config: { url } }),
		});
		expect(readThrownAnswer(reset, url)).toEqual({ status: null, body: undefined, transportCode: 'ECONNRESET', message: reset.message, refreshFailed: false });
	});

	it('n8n 1.x: only httpCode and context.data are left', () => {
		expect(readThrownAnswer(n8n1ApiError('Forbidden', '403', { error: 'ACCESS_DENIED' }), url)).toEqual({
			status: 403,
			body: { error: 'ACCESS_DENIED' },
			transportCode: null,
			message: 'Forbidden',
			refreshFailed: false,
		});
		expect(readThrownAnswer(n8n1ApiError('Bad gateway', '502'), url)).toEqual({ status: 502, body: undefined, transportCode: null, message: 'Bad gateway', refreshFailed: false });
		expect(readThrownAnswer(n8n1ApiError('The DNS server returned an error', 'ENOTFOUND'), url)).toEqual({
			status: null,
			body: undefined,
			transportCode: 'ENOTFOUND',
			message: 'The DNS server returned an error',
			refreshFailed: false,
		});
		expect(readThrownAnswer(n8n1ApiError('The provided authorization grant is invalid', 'EAUTH'), url)).toEqual({
			status: null,
			body: undefined,
			// Read as a transport code too; the refused refresh decides (readAnswer).
			transportCode: 'EAUTH',
			message: 'The provided authorization grant is invalid',
			refreshFailed: true,
		});
	});

	it('takes no status from a code that is neither a status nor a transport code', () => {
		expect(readThrownAnswer(n8n1ApiError('Something', 'NETWORK_ERROR'), url)).toEqual({ status: null, body: undefined, transportCode: null, message: 'Something', refreshFailed: false });
	});
});

/** n8n 1.123's json rule in WorkflowExecute.handleNodeErrorOutput (n8n-core 1.122.48): `{error}` or `{error, message}`. */
const routedByN8n1 = (json: IDataObject) =>
	Boolean(json.error) && (Object.keys(json).length === 1 || (Boolean(json.message) && Object.keys(json).length === 2));
/** The same in n8n 2.36 and later (n8n-core 2.41.1): keys among `error`, `message` and `details`. */
const routedByN8n2 = (json: IDataObject) => Boolean(json.error) && Object.keys(json).every((key) => ['error', 'message', 'details'].includes(key));

/**
 * What both engines do with a node's output under "Continue (using error output)", as n8n-core
 * 1.122.48 and 2.41.1 have it: handleNodeErrorOutput moves an item whose `item.error` is set, or whose
 * json the line's rule accepts, to the error output as `{...item, json: {...input json, ...item json}}`;
 * then every item still carrying `error` gets `json = {error: error.message}` (normalizeNodeErrors).
 */
function throughEngine(items: INodeExecutionData[], input: IDataObject[], routesJson: (json: IDataObject) => boolean) {
	const main: INodeExecutionData[] = [];
	const error: INodeExecutionData[] = [];
	for (const item of items) {
		const routed = item.error ? item.error : routesJson(item.json) ? item.json.error : undefined;
		if (!routed) main.push(item);
		else error.push({ ...item, json: { ...input[(item.pairedItem as { item: number }).item], ...item.json } });
	}
	for (const item of [...main, ...error]) if (item.error !== undefined) item.json = { error: item.error.message };
	return { main, error };
}

describe('The error item each n8n moves to the error output', () => {
	const node: INode = { id: 'n', name: 'Pay System Invoice Settings', type: 'n8n-nodes-bitrix24-paysystem.bitrix24PaySystemInvoiceSettings', typeVersion: 1, position: [0, 0], parameters: {} };
	const failure = { errorCode: 'ERROR_CHECK_FAILURE', errorDescription: 'Pay system not found', httpCode: 400, message: 'Bitrix24 error ERROR_CHECK_FAILURE: Pay system not found' };
	const item = { itemIndex: 1, ids: { invoiceId: 10 }, subject: 'invoice 10', noSubject: 'no valid invoice ID' };
	const input = [{ invoiceId: 9, ref: 'a' }, { invoiceId: 10, ref: 'b' }];
	const details = { errorCode: 'ERROR_CHECK_FAILURE', errorDescription: 'Pay system not found', httpCode: 400, invoiceId: 10, hint: hintOf('ERROR_CHECK_FAILURE') };
	const success = { json: { PS_WORK_MODE: 'TEST' }, pairedItem: { item: 0 } };

	it.each([
		['n8n 1.123', routedByN8n1],
		['n8n 2.41', routedByN8n2],
	])('%s: the routed item reaches the error output as {input fields, error, details}', (_line, rule) => {
		const { main, error } = throughEngine([success, toRoutedErrorItem(node, failure, item)], input, rule);
		expect(main).toEqual([success]);
		expect(error).toStrictEqual([{ json: { invoiceId: 10, ref: 'b', error: failure.message, details }, pairedItem: { item: 1 } }]);
	});

	it('carries its node error where the engines look for it, but not as a key a copy or JSON keeps', () => {
		const routed = toRoutedErrorItem(node, failure, item);
		expect(routed.error).toBeInstanceOf(NodeApiError);
		expect(routed.error?.message).toBe('Bitrix24 error ERROR_CHECK_FAILURE: Pay system not found [item 1, invoice 10]');
		expect((routed.error as NodeApiError).description).toBe(details.hint);
		expect(Object.keys(routed)).toEqual(['json', 'pairedItem']);
		expect(JSON.parse(JSON.stringify(routed))).toEqual(toErrorItem(failure, item));
	});

	it('without the node error, n8n 1.123 would leave the item in the main output; as a plain key, both would cut it to {error}', () => {
		const plain = toErrorItem(failure, item);
		expect([routedByN8n1(plain.json), routedByN8n2(plain.json)]).toEqual([false, true]);
		expect(throughEngine([plain], input, routedByN8n1).main).toEqual([plain]);
		const asKey = { ...plain, error: new NodeApiError(node, {}, { message: failure.message }) };
		for (const rule of [routedByN8n1, routedByN8n2]) {
			expect(throughEngine([{ ...asKey }], input, rule).error.map((routedItem) => routedItem.json)).toEqual([{ error: failure.message }]);
		}
	});
});

describe('The wait between retries stops on cancellation with either n8n-workflow', () => {
	/** n8n-workflow 1.120's helpers: `sleep(ms)` ignores any signal; `sleepWithAbort(ms, signal)` honours it. */
	const n8n1Helpers = {
		sleep: async (ms: number) => await new Promise<void>((resolve) => setTimeout(resolve, ms)),
		sleepWithAbort: async (ms: number, signal?: AbortSignal) =>
			await new Promise<void>((resolve, reject) => {
				const timer = setTimeout(resolve, ms);
				signal?.addEventListener('abort', () => {
					clearTimeout(timer);
					reject(new Error('cancelled'));
				});
			}),
	};
	/** n8n-workflow 2.41's: `sleep(ms, signal)` honours the signal, and there is no sleepWithAbort. */
	const n8n2Helpers = { sleep: n8n1Helpers.sleepWithAbort };

	it.each([
		['1.x', n8n1Helpers],
		['2.x', n8n2Helpers],
	])('n8n-workflow %s: a 60 s wait (past the test\'s time limit) ends when the signal fires', async (_version, helpers) => {
		const controller = new AbortController();
		const waiting = cancellableSleep(helpers)(60_000, controller.signal);
		setTimeout(() => controller.abort(), 20);
		await expect(waiting).rejects.toThrow('cancelled');
	});

	it('picks sleepWithAbort where n8n-workflow has it', () => {
		expect(cancellableSleep(n8n1Helpers)).toBe(n8n1Helpers.sleepWithAbort);
		expect(cancellableSleep(n8n2Helpers)).toBe(n8n2Helpers.sleep);
	});
});
