import * as n8nWorkflow from 'n8n-workflow';

/** Resolves after `ms`, or rejects as soon as `signal` fires (the execution was cancelled). */
export type CancellableSleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The sleep helpers of the n8n-workflow that n8n hands the node. */
export interface SleepHelpers {
	sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
	sleepWithAbort?: CancellableSleep;
}

/**
 * The sleep that stops on cancellation, from the helpers this n8n has: n8n 2.x's `sleep` takes the
 * cancel signal; n8n 1.x's `sleep` takes only the time and would wait on, and its `sleepWithAbort`
 * (gone from 2.x) takes the signal instead.
 */
export function cancellableSleep(helpers: SleepHelpers): CancellableSleep {
	return helpers.sleepWithAbort ?? helpers.sleep;
}

export const sleepUnlessCancelled: CancellableSleep = cancellableSleep(n8nWorkflow);
