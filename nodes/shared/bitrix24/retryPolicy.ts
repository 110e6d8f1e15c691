/**
 * How long to wait before sending a failed request again, and when to give up. Whether a failure is
 * sent again at all is the error table's word (failures.ts `isRetried`). The methods only read, so a
 * repeat is always safe; the bounds keep a broken portal from holding a run for long.
 */
import type { FailureFacts } from './failures';
import { isRetried } from './failures';

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
	if (retry > policy.maxRetries || !isRetried(failure)) return null;
	let delay = backoffDelay(retry, policy, random);
	if (failure.errorCode === OPERATION_TIME_LIMIT && operatingResetAt !== null) {
		// The budget frees up at the reset moment; a second more covers clocks that differ a little.
		delay = Math.max(0, operatingResetAt * 1000 + 1000 - now);
	}
	return waitedMs + delay <= policy.maxTotalWaitMs ? delay : null;
}
