import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { BITRIX24_CODES } from '../errors/codes';
import type { Bitrix24Failure, FailedItem } from '../errors/failures';
import { invalidParameter, toErrorItem, toNodeError, toRoutedErrorItem } from '../errors/failures';
import type { Bitrix24Outcome } from '../transport/answers';
import type { Call } from '../transport/calls';
import { BATCH_LIMIT, fitsBatchCommand } from '../transport/calls';
import { Bitrix24Client } from '../transport/client';
import type { AuthenticationMethod } from '../transport/connection';
import { ItemInput, parameterReader } from './itemInput';
import { RunLocks } from './keyedLocks';
import type { Operation, Step } from './operation';
import { settle } from './operation';
import { clientSettingsOf } from './options';

interface ItemState {
	ids: IDataObject;
	step: Step;
	answers: Bitrix24Outcome[];
	unanswered: number;
}

interface PendingCall {
	itemIndex: number;
	slot: number;
	call: Call;
}

function chunks<T>(list: readonly T[], size: number): T[][] {
	const result: T[][] = [];
	for (let start = 0; start < list.length; start += size) result.push(list.slice(start, start + size));
	return result;
}

/**
 * Runs one operation over every input item: plans each item, sends the calls of all items in input
 * order (in `batch` calls of up to 50 unless batching is off or the portal refuses it), feeds each
 * item's answers back to it until it is done, and returns the output in input order. An item whose
 * answers call for more calls gets them in the next round, with those of the other items. Without
 * "continue on fail", the first failing item in input order stops the run. The operation is the one
 * whose `value` is what the `selectedBy` parameters hold, joined by "/" (e.g. `handler/create` for
 * a node with a resource and an operation).
 */
export async function runOperation(
	context: IExecuteFunctions,
	operations: readonly Operation[],
	selectedBy: readonly string[] = ['operation'],
): Promise<INodeExecutionData[][]> {
	const value = selectedBy.map((name) => String(context.getNodeParameter(name, 0, ''))).join('/');
	const operation = operations.find((candidate) => candidate.value === value);
	if (operation === undefined) throw new NodeOperationError(context.getNode(), `Unknown operation "${String(value)}"`);
	const authentication = context.getNodeParameter('authentication', 0, 'webhook') as AuthenticationMethod;
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const settings = clientSettingsOf(options);
	const items = context.getInputData().length;
	const progress = { done: 0 };
	settings.progress = () => `${progress.done} of ${items} items done`;
	const client = await Bitrix24Client.open(context, authentication, settings);
	const run = new Run(context, operation, client, options.batch !== false, settings.parallelRequests, progress);
	await run.sendAll();
	return [run.output()];
}

class Run {
	private readonly states: ItemState[];
	private readonly stopOnFailure: boolean;
	/** Every item below this index is done without a failure that stops the run. */
	private checkedUpTo = 0;
	/** Methods the portal refused inside `batch`: sent one call at a time. */
	private readonly singleMethods = new Set<string>();
	/** The lowest index of an item that failed so far; kept as items fail, not searched for per request. */
	private firstFailed = Number.POSITIVE_INFINITY;
	/** What ended the run early (its first failure in input order, or a cancellation), once known. */
	private stopError: unknown = null;
	/** The keys of what the items change, held while they work (keyedLocks.ts). */
	private readonly locks: RunLocks;

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly operation: Operation,
		private readonly client: Bitrix24Client,
		private useBatch: boolean,
		/** Requests sent at once: each lane sends one unit after another. */
		private readonly lanes: number,
		/** Items done, with their output or their failure, for the log line of a long wait. */
		private readonly progress: { done: number },
	) {
		this.stopOnFailure = !context.continueOnFail();
		const read = parameterReader(context);
		this.states = context.getInputData().map((_, itemIndex) => this.plan(new ItemInput(context, itemIndex, read, operation.ids)));
		const origin = new URL(client.baseUrl).origin;
		const keyOf = (state: ItemState) => ('calls' in state.step ? (operation.exclusive?.(state.ids) ?? null) : null);
		this.locks = new RunLocks(this.states.map((state) => keyOf(state)).map((key) => (key === null ? null : `${origin} ${key}`)));
		this.states.forEach((state, itemIndex) => this.noteDone(state, itemIndex));
	}

	private plan(input: ItemInput): ItemState {
		let step: Step;
		try {
			step = this.operation.plan(input);
		} catch (error) {
			const problem = input.refusalOf(error);
			if (problem === null) throw new NodeOperationError(this.context.getNode(), error as Error, { itemIndex: input.itemIndex });
			step = { failure: invalidParameter(problem) };
		}
		return { ids: input.ids, step: settle(step), answers: [], unanswered: 0 };
	}

	/**
	 * Sends every item's calls, round after round, until each item is done. Within a round, up to
	 * `lanes` units are in flight at once (the client lets fewer go while the portal refuses); units
	 * leave in input order, and answers are fed back to their items whatever order they come in.
	 */
	async sendAll(): Promise<void> {
		this.stopAtFirstFailure();
		try {
			// Waits while another run of the process changes what these items change.
			if (!(await this.locks.acquire(this.client.stopped))) this.client.throwIfStopped();
			await this.sendRounds();
		} finally {
			this.locks.releaseAll();
		}
	}

	private async sendRounds(): Promise<void> {
		for (;;) {
			const units = chunks(this.pendingCalls(), this.useBatch ? BATCH_LIMIT : 1);
			let next = 0;
			let sent = false;
			const lane = async (): Promise<void> => {
				while (next < units.length && this.stopError === null) {
					const unit = units[next++];
					// Items after a failure that stops the run need no answers.
					if (this.stopOnFailure && this.firstFailed < unit[0].itemIndex) return;
					sent = true;
					const outcomes = await this.send(unit.map((entry) => entry.call));
					unit.forEach((entry, position) => this.deliver(entry, outcomes[position]));
					this.stopAtFirstFailure();
				}
			};
			const laneCount = Math.min(this.lanes, units.length);
			await Promise.all(Array.from({ length: laneCount }, async () => await lane().catch((error: unknown) => this.stopWith(error))));
			if (this.stopError !== null) throw this.stopError;
			if (!sent) break;
		}
		this.stopAtFirstFailure();
	}

	/** The first error of a lane ends the run: the other lanes' waits and requests end with it. */
	private stopWith(error: unknown): void {
		if (this.stopError !== null) return;
		this.stopError = error;
		this.client.halt();
	}

	/** The calls every waiting item still needs, in input order, and each item's calls in its order. */
	private pendingCalls(): PendingCall[] {
		const pending: PendingCall[] = [];
		this.states.forEach((state, itemIndex) => {
			if (!('calls' in state.step) || this.locks.blocked(itemIndex)) return;
			state.answers = new Array<Bitrix24Outcome>(state.step.calls.length);
			state.unanswered = state.step.calls.length;
			state.step.calls.forEach((call, slot) => pending.push({ itemIndex, slot, call }));
		});
		return pending;
	}

	/**
	 * Sends a unit: one `batch` request when batching is on, single calls otherwise. A method the portal
	 * refuses inside `batch` (its commands answer ERROR_BATCH_METHOD_NOT_ALLOWED) is sent one call at a
	 * time, now and for the rest of the run; a portal that refuses `batch` itself gets single calls only.
	 */
	private async send(calls: Call[]): Promise<Bitrix24Outcome[]> {
		const outcomes = new Array<Bitrix24Outcome | undefined>(calls.length);
		const batched = calls.flatMap((call, position) => (this.useBatch && !this.singleMethods.has(call.method) && fitsBatchCommand(call) ? [position] : []));
		if (batched.length > 1) {
			const answer = await this.client.batch(batched.map((position) => calls[position]));
			if (answer.ok || answer.failure.errorCode !== BITRIX24_CODES.batchMethodNotAllowed) {
				batched.forEach((position, index) => {
					const outcome = answer.ok ? answer.outcomes[index] : { ok: false as const, failure: answer.failure };
					if (!outcome.ok && outcome.failure.errorCode === BITRIX24_CODES.batchMethodNotAllowed) this.singleMethods.add(calls[position].method);
					else outcomes[position] = outcome;
				});
			} else {
				this.useBatch = false;
			}
		}
		for (const [position, call] of calls.entries()) {
			if (outcomes[position] === undefined) outcomes[position] = await this.client.call(call);
		}
		return outcomes as Bitrix24Outcome[];
	}

	private deliver(entry: PendingCall, outcome: Bitrix24Outcome): void {
		const state = this.states[entry.itemIndex];
		state.answers[entry.slot] = outcome;
		state.unanswered -= 1;
		if (state.unanswered === 0 && 'calls' in state.step) {
			state.step = settle(state.step.next(state.answers));
			this.noteDone(state, entry.itemIndex);
		}
	}

	private noteDone(state: ItemState, itemIndex: number): void {
		if ('calls' in state.step) return;
		this.locks.done(itemIndex);
		this.progress.done += 1;
		if ('failure' in state.step) this.firstFailed = Math.min(this.firstFailed, itemIndex);
	}

	private failedItem(itemIndex: number): FailedItem {
		const state = this.states[itemIndex];
		const ids = { ...state.ids, ...('failure' in state.step ? state.step.ids : {}) };
		return { itemIndex, ids, subject: this.operation.subject(ids), noSubject: this.operation.noSubject };
	}

	/** Throws the first failure in input order once every item before it is done. */
	private stopAtFirstFailure(): void {
		if (!this.stopOnFailure) return;
		for (; this.checkedUpTo < this.states.length; this.checkedUpTo++) {
			const step = this.states[this.checkedUpTo].step;
			if ('calls' in step) return;
			if ('failure' in step) {
				// An AI agent runs the node as a tool: n8n gives that variant the type name + "Tool".
				const asTool = this.context.getNode().type.endsWith('Tool');
				throw toNodeError(this.context.getNode(), step.failure, this.failedItem(this.checkedUpTo), asTool);
			}
		}
	}

	output(): INodeExecutionData[] {
		const node = this.context.getNode();
		const toError = node.onError === 'continueErrorOutput'
			? (failure: Bitrix24Failure, item: FailedItem) => toRoutedErrorItem(node, failure, item)
			: toErrorItem;
		const output: INodeExecutionData[] = [];
		this.states.forEach((state, itemIndex) => {
			if ('items' in state.step) {
				for (const json of state.step.items) output.push({ json, pairedItem: { item: itemIndex } });
			} else if ('failure' in state.step) {
				output.push(toError(state.step.failure, this.failedItem(itemIndex)));
			}
		});
		return output;
	}
}
