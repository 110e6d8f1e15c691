/**
 * Which failures are worth sending again, and how long to wait first. The method only reads, so a
 * repeat is always safe; the bounds keep a broken portal from holding a run for long.
 */
import { describeErrorCode, LOCAL_ERROR_CODES } from './errorTable';

export interface RetryPolicy {
	/** Repeats of one request after its first attempt. */
	maxRetries: number;
	/** The first backoff; each later one doubles, up to `maxDelayMs`. */
	baseDelayMs: number;
	maxDelayMs: number;
	/** All retry waits of one run together, the operating-time wait included. */
	maxTotalWaitMs: number;
}

export const DEFAULT_MAX_RETRIES = 5;
export const MAX_RETRIES_LIMIT = 10;

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
	maxRetries: DEFAULT_MAX_RETRIES,
	baseDelayMs: 500,
	maxDelayMs: 30_000,
	// A full operating-time window (10 minutes) plus the backoffs around it.
	maxTotalWaitMs: 11 * 60_000,
};

export const OPERATION_TIME_LIMIT = 'OPERATION_TIME_LIMIT';
export const QUERY_LIMIT_EXCEEDED = 'QUERY_LIMIT_EXCEEDED';

/** Transport failures that say nothing about the request itself: the connection broke or timed out. */
const TRANSIENT_TRANSPORT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'EPIPE']);

export interface FailureFacts {
	errorCode: string;
	httpCode: number | null;
	transportCode?: string | null;
	/** The answer began as JSON and broke off. */
	truncated?: boolean;
}

/**
 * Retried: the Bitrix24 codes the error table marks retryable, a connection reset or timeout, a 5xx
 * answer that is not REST JSON (a proxy's error page while the portal restarts), and JSON that broke
 * off on its way. Not retried: a refused connection or an unknown host (the address is wrong), a
 * whole page that is not JSON under any other status, and every other code.
 */
export function isTransientFailure(failure: FailureFacts): boolean {
	if (failure.errorCode === LOCAL_ERROR_CODES.networkError) {
		return typeof failure.transportCode === 'string' && TRANSIENT_TRANSPORT_CODES.has(failure.transportCode);
	}
	if (failure.errorCode === LOCAL_ERROR_CODES.invalidResponse) {
		if (failure.truncated === true) return true;
		return failure.httpCode !== null && failure.httpCode >= 500 && failure.httpCode <= 599;
	}
	return describeErrorCode(failure.errorCode).retryable;
}

/** Exponential backoff with equal jitter: half the step is fixed, half random, so clients spread out. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
	const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
	return Math.round(step / 2 + (step / 2) * random());
}

export interface RetryQuestion {
	failure: FailureFacts;
	/** 1 for the first repeat of the request. */
	retry: number;
	/** What the run has waited for retries so far. */
	waitedMs: number;
	now: number;
	/** `time.operating_reset_at` (unix seconds) for the method, when the portal gave one. */
	operatingResetAt: number | null;
	policy: RetryPolicy;
	random: () => number;
}

/** The wait before repeating a failed request, or null when it must not be repeated. */
export function retryDelay(question: RetryQuestion): number | null {
	const { failure, retry, waitedMs, now, operatingResetAt, policy, random } = question;
	if (retry > policy.maxRetries || !isTransientFailure(failure)) return null;
	let delay = backoffDelay(retry, policy, random);
	if (failure.errorCode === OPERATION_TIME_LIMIT && operatingResetAt !== null) {
		// The budget frees up at the reset moment; a second more covers clocks that differ a little.
		delay = Math.max(0, operatingResetAt * 1000 + 1000 - now);
	}
	return waitedMs + delay <= policy.maxTotalWaitMs ? delay : null;
}
