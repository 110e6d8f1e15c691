// What the node does differently for n8n 1.x, checked without n8n 1.x installed: the client against a
// request helper that treats a request as n8n 1.123's does, the errors that helper throws, the
// error item shape each engine routes, and the sleep that stops on cancellation.
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import type { Bitrix24Outcome } from '../../nodes/shared/bitrix24/answers';
import { readThrownAnswer } from '../../nodes/shared/bitrix24/answers';
import type { ClientSettings } from '../../nodes/shared/bitrix24/client';
import { Bitrix24Client, DEFAULT_CLIENT_SETTINGS } from '../../nodes/shared/bitrix24/client';
import { ERROR_OUTPUT_NOTICE, ERROR_OUTPUT_SHAPE, errorItemShapeFor } from '../../nodes/shared/bitrix24/errorRouting';
import { describeErrorCode } from '../../nodes/shared/bitrix24/errorTable';
import { toErrorItem } from '../../nodes/shared/bitrix24/failures';
import { cancellableSleep } from '../../nodes/shared/bitrix24/sleep';

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
		expect(outcome).toEqual({ ok: true, result: SETTINGS, time: {} });
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
		expect(failureOf(single.outcome)).toMatchObject({ errorCode: 'INVALID_RESPONSE', httpCode: 502 });
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
		expect(failureOf(outcome)).toMatchObject({ errorCode: 'NO_AUTH_FOUND', httpCode: 401 });
		expect(requests.map((request) => request.ignoreHttpStatusErrors)).toEqual([true]);
		expect(refreshes).toBe(0);
	});
});

describe('A connection reset in n8n 1.x\'s shape (the code only as httpCode) is retried', () => {
	it.each(['webhook', 'oAuth2'] as const)('%s: a reset, then the answer', async (authentication) => {
		const { outcome, requests } = await callThrough(authentication, [{ reset: true }, settingsAnswer], fastRetries);
		expect(outcome).toEqual({ ok: true, result: SETTINGS, time: {} });
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
		expect(readThrownAnswer(reset, url)).toMatchObject({ status: null, transportCode: 'ECONNRESET', refreshFailed: false });
	});

	it('n8n 1.x: only httpCode and context.data are left', () => {
		expect(readThrownAnswer(n8n1ApiError('Forbidden', '403', { error: 'ACCESS_DENIED' }), url)).toMatchObject({
			status: 403,
			body: { error: 'ACCESS_DENIED' },
			transportCode: null,
			refreshFailed: false,
		});
		expect(readThrownAnswer(n8n1ApiError('The DNS server returned an error', 'ENOTFOUND'), url)).toMatchObject({ status: null, transportCode: 'ENOTFOUND' });
		expect(readThrownAnswer(n8n1ApiError('The provided authorization grant is invalid', 'EAUTH'), url)).toMatchObject({ refreshFailed: true });
	});

	it('takes no status from a code that is neither a status nor a transport code', () => {
		expect(readThrownAnswer(n8n1ApiError('Something', 'NETWORK_ERROR'), url)).toMatchObject({ status: null, transportCode: null });
	});
});

/** n8n 1.123's WorkflowExecute.handleNodeErrorOutput (n8n-core 1.122.48): the items it moves to the error output. */
const routedByN8n1 = (json: IDataObject) =>
	Boolean(json.error) && (Object.keys(json).length === 1 || (Boolean(json.message) && Object.keys(json).length === 2));
/** The same in n8n 2.36 and later (n8n-core 2.41.1). */
const routedByN8n2 = (json: IDataObject) => Boolean(json.error) && Object.keys(json).every((key) => ['error', 'message', 'details'].includes(key));

describe('The error item each n8n moves to the error output', () => {
	const failure = { errorCode: 'ERROR_CHECK_FAILURE', errorDescription: 'Pay system not found', httpCode: 400, message: 'Bitrix24 error ERROR_CHECK_FAILURE: Pay system not found' };
	const item = { itemIndex: 2, ids: { invoiceId: 10 }, subject: 'invoice 10', noSubject: 'no valid invoice ID' };

	it.each([
		['1.120.31', 'message'],
		['1.123.0', 'message'],
		['2.35.0', 'message'],
		['2.36.0', 'details'],
		['2.41.0', 'details'],
		['3.0.0', 'details'],
		['not a version', 'message'],
		[undefined, 'message'],
	])('n8n-workflow %s: %s', (version, shape) => {
		expect(errorItemShapeFor(version)).toBe(shape);
	});

	it('is {error, details} where n8n routes details (this repository runs n8n-workflow 2.41)', () => {
		expect(ERROR_OUTPUT_SHAPE).toBe('details');
		const { json } = toErrorItem(failure, item);
		expect(json).toEqual({
			error: failure.message,
			details: { errorCode: 'ERROR_CHECK_FAILURE', errorDescription: 'Pay system not found', httpCode: 400, invoiceId: 10, hint: describeErrorCode('ERROR_CHECK_FAILURE').hint },
		});
		expect([routedByN8n1(json), routedByN8n2(json)]).toEqual([false, true]);
	});

	it('is {error, message: hint} for an older n8n, which both rules route', () => {
		const routed = toErrorItem(failure, item, 'message');
		expect(routed).toEqual({ json: { error: failure.message, message: describeErrorCode('ERROR_CHECK_FAILURE').hint }, pairedItem: { item: 2 } });
		expect([routedByN8n1(routed.json), routedByN8n2(routed.json)]).toEqual([true, true]);
	});

	it('names what the older shape leaves out, and what keeps it', () => {
		expect(ERROR_OUTPUT_NOTICE).toContain('"details"');
		expect(ERROR_OUTPUT_NOTICE).toContain('Continue (regular output)');
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
