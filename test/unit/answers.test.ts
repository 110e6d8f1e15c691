// Reading what a portal sent back (docs/contract.md#batch-envelope, #errors): each call's result with
// the status it came with, each failure with the status the contract gives it.
import type { HttpAnswer } from '../../nodes/shared/bitrix24/transport/answers';
import { readAnswer, readBatchEnvelope } from '../../nodes/shared/bitrix24/transport/answers';

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
