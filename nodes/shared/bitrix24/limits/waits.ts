import type { INode } from 'n8n-workflow';
import * as n8nWorkflow from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

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

/**
 * The end of a run's waiting: fires when the execution is cancelled, or when the run stops because an
 * item failed and the answers still awaited are needed no more. Every pause and request of a client
 * ends with it.
 */
export class RunStop {
	private readonly controller = new AbortController();
	private cancelledByExecution = false;
	/** Resolves when the run stops or is cancelled. */
	readonly stopped: Promise<void>;

	constructor(
		private readonly node: INode,
		cancelSignal: AbortSignal | undefined,
	) {
		this.stopped = new Promise<void>((resolve) => this.controller.signal.addEventListener('abort', () => resolve(), { once: true }));
		const cancel = () => {
			this.cancelledByExecution = true;
			this.controller.abort();
		};
		if (cancelSignal?.aborted === true) cancel();
		else cancelSignal?.addEventListener('abort', cancel, { once: true });
	}

	get signal(): AbortSignal {
		return this.controller.signal;
	}

	/** The run needs no more answers. */
	halt(): void {
		this.controller.abort();
	}

	private error(): NodeOperationError {
		const message = this.cancelledByExecution
			? 'The execution was cancelled while the node waited for the Bitrix24 portal'
			: 'The run stopped while the node waited for the Bitrix24 portal';
		return new NodeOperationError(this.node, message);
	}

	throwIfStopped(): void {
		if (this.controller.signal.aborted) throw this.error();
	}

	/** Waits, or stops at once with an error when the execution is cancelled or the run stops meanwhile. */
	async pause(ms: number): Promise<void> {
		this.throwIfStopped();
		if (ms <= 0) return;
		// The sleep rejects only when the signal fires: the check after it throws the error that says why.
		await sleepUnlessCancelled(ms, this.controller.signal).catch(() => undefined);
		this.throwIfStopped();
	}
}
