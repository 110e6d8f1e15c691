import type { RetryPolicy, RetryQuestion } from '../../nodes/shared/bitrix24/limits/retryPolicy';
import { isLimitRefusal, isRetried as isTransientFailure } from '../../nodes/shared/bitrix24/errors/codes';
import { backoffDelay, retryDelay } from '../../nodes/shared/bitrix24/limits/retryPolicy';
import { DEFAULT_CLIENT_SETTINGS, rangeOf } from '../../nodes/shared/bitrix24/run/options';
import { CONTRACT_ERROR_CODES } from '../contract/errorCodes';

const POLICY: RetryPolicy = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 30_000, maxTotalWaitMs: 660_000 };

function ask(overrides: Partial<RetryQuestion>): number | null {
	return retryDelay({
		failure: { errorCode: 'QUERY_LIMIT_EXCEEDED', httpCode: 503 },
		retry: 1,
		waitedMs: 0,
		policy: POLICY,
		random: () => 0.5,
		...overrides,
	});
}

const RETRIED_CODES = ['QUERY_LIMIT_EXCEEDED', 'OPERATION_TIME_LIMIT', 'INTERNAL_SERVER_ERROR', 'ERROR_UNEXPECTED_ANSWER'];

describe('What is retried', () => {
	it.each(CONTRACT_ERROR_CODES.filter(([code]) => RETRIED_CODES.includes(code)))('%s', (errorCode, httpCode) => {
		expect(isTransientFailure({ errorCode, httpCode })).toBe(true);
	});

	it.each(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'EPIPE'])('a connection that broke: %s', (transportCode) => {
		expect(isTransientFailure({ errorCode: 'NETWORK_ERROR', httpCode: null, transportCode })).toBe(true);
	});

	it.each([500, 502, 503, 504])('a non-JSON answer with HTTP %i', (httpCode) => {
		expect(isTransientFailure({ errorCode: 'INVALID_RESPONSE', httpCode })).toBe(true);
	});

	it.each([200, 404])('JSON that broke off on its way, with HTTP %i', (httpCode) => {
		expect(isTransientFailure({ errorCode: 'INVALID_RESPONSE', httpCode, truncated: true })).toBe(true);
	});
});

describe('What is not retried', () => {
	it.each([
		...CONTRACT_ERROR_CODES.filter(([code]) => !RETRIED_CODES.includes(code)),
		['INVALID_PARAMETER', null],
		['SOMETHING_NEW', 400],
])('%s', (errorCode, httpCode) => {
		expect(isTransientFailure({ errorCode, httpCode })).toBe(false);
		expect(ask({ failure: { errorCode, httpCode } })).toBeNull();
	});

	it.each(['ECONNREFUSED', 'ENOTFOUND', 'CERT_HAS_EXPIRED', null])('an address that does not answer: %s', (transportCode) => {
		expect(isTransientFailure({ errorCode: 'NETWORK_ERROR', httpCode: null, transportCode })).toBe(false);
	});

	it.each([200, 404, null])('a non-JSON answer with HTTP %s', (httpCode) => {
		expect(isTransientFailure({ errorCode: 'INVALID_RESPONSE', httpCode })).toBe(false);
	});
});

describe('Backoff: exponential with equal jitter, capped', () => {
	it.each([
		[1, 0, 250],
		[1, 1, 500],
		[2, 0, 500],
		[2, 1, 1000],
		[3, 0.5, 1500],
		[5, 1, 8000],
		[10, 0, 15_000],
		[10, 1, 30_000],
	])('retry %i with random %d waits %i ms', (retry, random, delay) => {
		expect(backoffDelay(retry, POLICY, () => random)).toBe(delay);
	});
});

describe('Bounds', () => {
	it('stops after maxRetries repeats', () => {
		expect(ask({ retry: 5 })).toBe(6000);
		expect(ask({ retry: 6 })).toBeNull();
		expect(ask({ retry: 1, policy: { ...POLICY, maxRetries: 0 } })).toBeNull();
	});

	it('stops when the wait would take the run past its total retry wait', () => {
		expect(ask({ waitedMs: POLICY.maxTotalWaitMs - 375 })).toBe(375);
		expect(ask({ waitedMs: POLICY.maxTotalWaitMs - 374 })).toBeNull();
	});

	it('defaults to 5 retries and 11 minutes of waiting in all', () => {
		expect(DEFAULT_CLIENT_SETTINGS.retryPolicy).toEqual({ maxRetries: 5, baseDelayMs: 500, maxDelayMs: 30_000, maxTotalWaitMs: 660_000 });
	});
});

describe("Refusals for the portal's limits are not retries", () => {
	it.each([
		['QUERY_LIMIT_EXCEEDED', true],
		['OPERATION_TIME_LIMIT', true],
		['INTERNAL_SERVER_ERROR', false],
		['NETWORK_ERROR', false],
		['ERROR_PAY_SYSTEM_NOT_FOUND', false],
	])('%s is a limit refusal: %s', (errorCode, expected) => {
		expect(isLimitRefusal({ errorCode, httpCode: null })).toBe(expected);
	});

	it('a run may wait 30 minutes for them unless its options say otherwise, at most a day', () => {
		expect([DEFAULT_CLIENT_SETTINGS.maxLimitWaitMs, rangeOf('maxWaitMinutes').max]).toEqual([1_800_000, 1440]);
	});
});
