/**
 * How long to wait before sending a failed request again, and when to give up. Whether a failure is
 * sent again at all is the error table's word (errors/codes.ts `isRetried`). The methods only read, so a
 * repeat is always safe; the bounds keep a broken portal from holding a run for long. A refusal for
 * the portal's limits (QUERY_LIMIT_EXCEEDED, OPERATION_TIME_LIMIT) is not a broken portal: it uses no
 * retry, and its wait is the pacing's and the operating budget's, bounded by time (portalLimits.ts).
 */
import type { FailureFacts } from '../errors/codes';
import { isRetried } from '../errors/codes';

export interface RetryPolicy {
	/** Repeats of one request after its first attempt (the Max Retries option). */
	maxRetries: number;
	/** The first backoff; each later one doubles, up to `maxDelayMs`. */
	baseDelayMs: number;
	maxDelayMs: number;
	/** All retry waits of one run together, those for the portal's limits aside. */
	maxTotalWaitMs: number;
}

/** The backoff's fixed bounds; how many retries a run makes is its option's (run/options.ts). */
export const BACKOFF: Readonly<Omit<RetryPolicy, 'maxRetries'>> = {
	baseDelayMs: 500,
	maxDelayMs: 30_000,
	// A portal that fails this long is down, not busy.
	maxTotalWaitMs: 11 * 60_000,
};

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
	policy: RetryPolicy;
	random: () => number;
}

/** The wait before repeating a failed request, or null when it must not be repeated. */
export function retryDelay(question: RetryQuestion): number | null {
	const { failure, retry, waitedMs, policy, random } = question;
	if (retry > policy.maxRetries || !isRetried(failure)) return null;
	const delay = backoffDelay(retry, policy, random);
	return waitedMs + delay <= policy.maxTotalWaitMs ? delay : null;
}
