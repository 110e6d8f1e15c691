// Reading what a portal sent back (docs/contract.md#batch-envelope, #errors): each call's result with
// the status it came with, each failure with the status the contract gives it.
import type { HttpAnswer } from '../../nodes/shared/bitrix24/transport/answers';
import { commandMethod, hasCommandErrors, readAnswer, readBatchEnvelope, readThrownAnswer } from '../../nodes/shared/bitrix24/transport/answers';

const SETTINGS = { PS_WORK_MODE: 'TEST' };
const TIME = { start: 1, finish: 2, operating: 0.5 };
const answer = (status: number, body: unknown): HttpAnswer => ({ status, body, transportCode: null, message: '', refreshFailed: false });
const envelope = (maps: Record<string, unknown>) => ({ result: [], result_error: [], result_total: [], result_next: [], result_time: [], ...maps });

describe('A single call keeps the status its answer came with', () => {
	it('a result answered HTTP 200', () => {
		expect(readAnswer(answer(200, { result: SETTINGS, time: TIME }), [])).toEqual({ ok: true, result: SETTINGS, time: TIME, httpCode: 200 });
	});

	it('a list page with its next start', () => {
		expect(readAnswer(answer(200, { result: [], next: 50, time: TIME }), [])).toEqual({ ok: true, result: [], time: TIME, httpCode: 200, next: 50 });
	});

	it('a Bitrix24 error with its status', () => {
		expect(readAnswer(answer(400, { error: 'ERROR_CHECK_FAILURE', error_description: 'Pay system not found' }), [])).toEqual({
			ok: false,
			failure: { errorCode: 'ERROR_CHECK_FAILURE', errorDescription: 'Pay system not found', httpCode: 400, message: 'Bitrix24 error ERROR_CHECK_FAILURE: Pay system not found' },
			time: null,
		});
	});

	it('a 200 answer without a result is INVALID_RESPONSE with status 200', () => {
		expect(readAnswer(answer(200, { time: TIME }), [])).toEqual({
			ok: false,
			failure: {
				errorCode: 'INVALID_RESPONSE',
				errorDescription: null,
				httpCode: 200,
				message: 'INVALID_RESPONSE: The Bitrix24 portal answered HTTP 200 with a body that is not REST JSON',
			},
		});
	});
});

describe('A batch command: its own status or none (docs/contract.md#errors: httpCode inside a batch)', () => {
	it('a command that failed with a status of its own keeps that status', () => {
		const result = envelope({ result_error: { i0: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests', status: 503 } } });
		expect(readBatchEnvelope(result, ['i0'], [])).toEqual(
			new Map([
				[
					'i0',
					{
						ok: false,
						failure: { errorCode: 'QUERY_LIMIT_EXCEEDED', errorDescription: 'Too many requests', httpCode: 503, message: 'Bitrix24 error QUERY_LIMIT_EXCEEDED: Too many requests' },
						time: null,
					},
				],
			]),
		);
	});

	it.each([
		['no status', {}],
		['a status that is not a whole number', { status: 'bad' }],
		['a status of 0', { status: 0 }],
	])('a command that failed with %s has httpCode null', (_case, extra) => {
		const result = envelope({ result_error: { i0: { error: 'ERROR_CHECK_FAILURE', error_description: 'Pay system not found', ...extra } }, result_time: { i0: TIME } });
		expect(readBatchEnvelope(result, ['i0'], [])?.get('i0')).toEqual({
			ok: false,
			failure: { errorCode: 'ERROR_CHECK_FAILURE', errorDescription: 'Pay system not found', httpCode: null, message: 'Bitrix24 error ERROR_CHECK_FAILURE: Pay system not found' },
			time: TIME,
		});
	});

	it('a command that succeeded carries httpCode null, its time and its next start; one the answer left out is undefined', () => {
		const result = envelope({ result: { i0: SETTINGS, i1: [] }, result_time: { i0: TIME }, result_next: { i1: 50 } });
		expect(readBatchEnvelope(result, ['i0', 'i1', 'i2'], [])).toEqual(
			new Map<string, unknown>([
				['i0', { ok: true, result: SETTINGS, time: TIME, httpCode: null }],
				['i1', { ok: true, result: [], time: null, httpCode: null, next: 50 }],
				['i2', undefined],
			]),
		);
	});

	it.each([
		['no result map', { result_error: [] }],
		['no result_error map', { result: [] }],
		['a result that is not an object', 'OK'],
	])('an answer with %s is none at all', (_case, result) => {
		expect(readBatchEnvelope(result, ['i0'], [])).toBeNull();
	});
});

describe('What a single answer is read as', () => {
	it.each<[string, HttpAnswer, unknown]>([
		[
			'a refused OAuth2 refresh, its message redacted',
			{ status: 401, body: { error: 'expired_token' }, transportCode: null, message: 'refresh with rt-secret-1 refused', refreshFailed: true },
			{ ok: false, failure: { errorCode: 'OAUTH_REFRESH_FAILED', errorDescription: null, httpCode: null, message: 'OAUTH_REFRESH_FAILED: The OAuth2 access token could not be renewed (refresh with *** refused)' } },
		],
		[
			'no answer, named by its transport code',
			{ status: null, body: undefined, transportCode: 'ECONNRESET', message: 'socket hang up', refreshFailed: false },
			{ ok: false, failure: { errorCode: 'NETWORK_ERROR', errorDescription: null, httpCode: null, transportCode: 'ECONNRESET', message: 'NETWORK_ERROR: The Bitrix24 portal could not be reached (ECONNRESET)' } },
		],
		[
			'no answer and no code, named by its redacted message',
			{ status: null, body: undefined, transportCode: null, message: 'failed for https://p.example/rest/1/rt-secret-1/', refreshFailed: false },
			{ ok: false, failure: { errorCode: 'NETWORK_ERROR', errorDescription: null, httpCode: null, transportCode: null, message: 'NETWORK_ERROR: The Bitrix24 portal could not be reached (failed for https://p.example/rest/1/***/)' } },
		],
		[
			'a body sent as JSON text',
			answer(200, '{"result":{"A":1},"time":{"start":1}}'),
			{ ok: true, result: { A: 1 }, time: { start: 1 }, httpCode: 200 },
		],
		[
			'JSON that breaks off, retried',
			answer(200, '  {"result":{"A":'),
			{ ok: false, failure: { errorCode: 'INVALID_RESPONSE', errorDescription: null, httpCode: 200, truncated: true, message: 'INVALID_RESPONSE: The Bitrix24 portal answered HTTP 200 with JSON that breaks off' } },
		],
		[
			'a JSON list that breaks off',
			answer(502, '[1,'),
			{ ok: false, failure: { errorCode: 'INVALID_RESPONSE', errorDescription: null, httpCode: 502, truncated: true, message: 'INVALID_RESPONSE: The Bitrix24 portal answered HTTP 502 with JSON that breaks off' } },
		],
		[
			'a page that is not JSON',
			answer(200, 'OK {'),
			{ ok: false, failure: { errorCode: 'INVALID_RESPONSE', errorDescription: null, httpCode: 200, message: 'INVALID_RESPONSE: The Bitrix24 portal answered HTTP 200 with a body that is not REST JSON' } },
		],
		[
			'a result with an error status',
			answer(500, { result: SETTINGS }),
			{ ok: false, failure: { errorCode: 'INVALID_RESPONSE', errorDescription: null, httpCode: 500, message: 'INVALID_RESPONSE: The Bitrix24 portal answered HTTP 500 with a body that is not REST JSON' } },
		],
		[
			'a result with a 3xx status',
			answer(302, { result: SETTINGS }),
			{ ok: false, failure: { errorCode: 'INVALID_RESPONSE', errorDescription: null, httpCode: 302, message: 'INVALID_RESPONSE: The Bitrix24 portal answered HTTP 302 with a body that is not REST JSON' } },
		],
		[
			'a numeric code (crm.item.*), 0 included',
			answer(400, { error: 0, error_description: 'Access denied', time: TIME }),
			{ ok: false, failure: { errorCode: '0', errorDescription: 'Access denied', httpCode: 400, message: 'Bitrix24 error 0: Access denied' }, time: TIME },
		],
		['an error that is blank is no code', answer(200, { error: '  ', result: SETTINGS }), { ok: true, result: SETTINGS, time: null, httpCode: 200 }],
		['an error that is not a number is no code', answer(200, { error: Number.NaN, result: SETTINGS }), { ok: true, result: SETTINGS, time: null, httpCode: 200 }],
		['a time that is not an object is none', answer(200, { result: SETTINGS, time: 'now' }), { ok: true, result: SETTINGS, time: null, httpCode: 200 }],
	])('%s', (_case, http, outcome) => {
		expect(readAnswer(http, ['rt-secret-1'])).toStrictEqual(outcome);
	});

	it.each<[unknown, number | undefined]>([
		[50, 50],
		['100', 100],
		[0, undefined],
		[-50, undefined],
		[1.5, undefined],
		[null, undefined],
		['x', undefined],
	])('a next start of %p is %p', (next, expected) => {
		const outcome = readAnswer(answer(200, { result: [], next }), []);
		expect(outcome.ok ? outcome.next : 'failed').toBe(expected);
		expect(outcome.ok && 'next' in outcome).toBe(expected !== undefined);
	});
});

describe('A batch answer\'s maps may come as PHP lists', () => {
	it('reads lists keyed by position, and redacts each command\'s error', () => {
		const result = envelope({
			result: [SETTINGS],
			result_error: { i1: { error: 'ERROR_CHECK_FAILURE', error_description: 'echo rt-secret-1' } },
			result_time: [TIME],
			result_next: [],
		});
		expect(readBatchEnvelope(result, ['0', 'i1'], ['rt-secret-1'])).toEqual(
			new Map<string, unknown>([
				['0', { ok: true, result: SETTINGS, time: TIME, httpCode: null }],
				['i1', { ok: false, failure: { errorCode: 'ERROR_CHECK_FAILURE', errorDescription: 'echo ***', httpCode: null, message: 'Bitrix24 error ERROR_CHECK_FAILURE: echo ***' }, time: null }],
			]),
		);
	});

	it('an error for a command that also has a result is its failure', () => {
		const result = envelope({ result: { i0: SETTINGS }, result_error: { i0: { error: 'ERROR_CHECK_FAILURE' } } });
		expect(readBatchEnvelope(result, ['i0'], [])?.get('i0')).toEqual({
			ok: false,
			failure: { errorCode: 'ERROR_CHECK_FAILURE', errorDescription: null, httpCode: null, message: 'Bitrix24 error ERROR_CHECK_FAILURE' },
			time: null,
		});
	});

	it('hasCommandErrors: only an answer with failed commands', () => {
		expect([
			hasCommandErrors(envelope({ result_error: { i0: { error: 'X' } } })),
			hasCommandErrors(envelope({ result_error: [{ error: 'X' }] })),
			hasCommandErrors(envelope({})),
			hasCommandErrors({ result: {} }),
			hasCommandErrors('OK'),
		]).toEqual([true, true, false, false, false]);
	});

	it('commandMethod: the method before the query string', () => {
		expect([commandMethod('sale.paysystem.settings.invoice.get?INVOICE_ID=1'), commandMethod('batch')]).toEqual(['sale.paysystem.settings.invoice.get', 'batch']);
	});
});

describe('readThrownAnswer: what n8n threw around the request', () => {
	const url = 'https://portal.example.com/rest/batch.json';
	const base = { status: null, body: undefined, transportCode: null, refreshFailed: false };

	it.each<[string, unknown, object]>([
		['a refresh n8n says needs a reconnect', Object.assign(new Error('reconnect'), { failure: { cause: 'credential-invalid' } }), { ...base, message: 'reconnect', refreshFailed: true }],
		['the OAuth2 client\'s refusal with a body', Object.assign(new Error('refused'), { code: 'EAUTH', body: {} }), { ...base, transportCode: 'EAUTH', message: 'refused', refreshFailed: true }],
		['the OAuth2 client\'s unreadable token answer', Object.assign(new (class ResponseError extends Error {})('bad token answer'), { body: '' }), { ...base, message: 'bad token answer', refreshFailed: true }],
		['a request to another address (the token endpoint)', Object.assign(new Error('token'), { config: { url: 'https://oauth.example/token' } }), { ...base, message: 'token', refreshFailed: true }],
		['a request to the same address, written otherwise', Object.assign(new Error('same'), { config: { url: 'https://PORTAL.example.com/rest/batch.json' } }), { ...base, message: 'same' }],
		['an address that is not a URL', Object.assign(new Error('odd'), { config: { url: 'not a url' } }), { ...base, message: 'odd', refreshFailed: true }],
		['a code that is not a transport code', Object.assign(new Error('x'), { code: 'E42' }), { ...base, message: 'x' }],
		['a status in the chain, the first one', Object.assign(new Error('outer'), { response: { status: 502, data: 'a' }, cause: { response: { status: 500, data: 'b' } } }), { ...base, status: 502, body: 'a', message: 'outer' }],
		['not an error at all', 'boom', { ...base, message: 'boom' }],
	])('%s', (_case, thrown, expected) => {
		expect(readThrownAnswer(thrown, url)).toEqual(expected);
	});

	it('follows a chain that loops back on itself without hanging', () => {
		const error = Object.assign(new Error('loop'), { cause: undefined as unknown });
		error.cause = error;
		expect(readThrownAnswer(error, url)).toEqual({ ...base, message: 'loop' });
	});
});

describe('The CRM proxy\'s refusal with an empty code is an error with the portal\'s text (crm.invoice.get)', () => {
	const uncoded = { errorCode: 'UNCODED_ERROR', errorDescription: 'Not found', message: 'Bitrix24 error without a code: Not found' };

	it('as a single call, with its status', () => {
		expect(readAnswer(answer(400, { error: '', error_description: 'Not found' }), [])).toEqual({ ok: false, failure: { ...uncoded, httpCode: 400 }, time: null });
	});

	it('as a batch command', () => {
		const result = envelope({ result_error: { i0: { error: '', error_description: 'Not found' } } });
		expect(readBatchEnvelope(result, ['i0'], [])?.get('i0')).toEqual({ ok: false, failure: { ...uncoded, httpCode: null }, time: null });
	});

	it('an empty code without a text is still not REST JSON', () => {
		expect(readAnswer(answer(400, { error: '', error_description: '' }), [])).toMatchObject({ ok: false, failure: { errorCode: 'INVALID_RESPONSE' } });
	});
});
