// Drives one operation of the Bitrix24 Pay System node by hand: an item's parameters in, its calls out,
// answers in, its output or failure out.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { Bitrix24Failure } from '../../nodes/shared/bitrix24/errors/failures';
import { ItemInput, parameterReader } from '../../nodes/shared/bitrix24/run/itemInput';
import type { Done, Operation, Step } from '../../nodes/shared/bitrix24/run/operation';
import { settle } from '../../nodes/shared/bitrix24/run/operation';
import type { Bitrix24Outcome } from '../../nodes/shared/bitrix24/transport/answers';
import type { Call } from '../../nodes/shared/bitrix24/transport/calls';

export interface Planned {
	step: Step;
	ids: IDataObject;
}

/** An operation's first step for one item with these node parameters (as the editor saves them). */
export function plan(operation: Operation, parameters: Record<string, unknown>): Planned {
	const context = {
		getNode: () => ({ parameters }),
		getNodeParameter: (name: string, _itemIndex: number, fallback: unknown, options?: { extractValue?: boolean }) => {
			const value = parameters[name] ?? fallback;
			return options?.extractValue === true && typeof value === 'object' && value !== null ? (value as IDataObject).value : value;
		},
	} as unknown as IExecuteFunctions;
	const input = new ItemInput(context, 0, parameterReader(context), operation.ids);
	try {
		return { step: settle(operation.plan(input)), ids: input.ids };
	} catch (error) {
		const problem = input.refusalOf(error);
		if (problem === null) throw error;
		return { step: { failure: { errorCode: 'INVALID_PARAMETER', errorDescription: null, httpCode: null, message: problem } }, ids: input.ids };
	}
}

export function callsOf(step: Step): Call[] {
	if (!('calls' in step)) throw new Error(`the item makes no call: ${JSON.stringify(step)}`);
	return step.calls;
}

/** A success as a single call (HTTP 200) answers it. */
export const ok = (result: unknown, next?: number): Bitrix24Outcome => ({ ok: true, result, time: null, httpCode: 200, ...(next === undefined ? {} : { next }) });

/** A Bitrix24 error answer. */
export function refused(errorCode: string, errorDescription: string, httpCode = 400): Bitrix24Outcome {
	const failure: Bitrix24Failure = { errorCode, errorDescription, httpCode, message: `Bitrix24 error ${errorCode}: ${errorDescription}` };
	return { ok: false, failure };
}

/** Feeds answers to a step, one round after another, and returns where it ends. */
export function answer(step: Step, ...rounds: Bitrix24Outcome[][]): Step {
	let current = step;
	for (const round of rounds) current = settle(callsOf(current).length === round.length ? (current as { next: (a: Bitrix24Outcome[]) => Step }).next(round) : fail(current, round));
	return current;
}

function fail(step: Step, round: Bitrix24Outcome[]): never {
	throw new Error(`the step made ${callsOf(step).length} calls, the test answered ${round.length}`);
}

export function itemsOf(step: Step): IDataObject[] {
	if (!('items' in step)) throw new Error(`the item did not succeed: ${JSON.stringify(step)}`);
	return step.items;
}

export function failureOf(step: Step): Extract<Done, { failure: Bitrix24Failure }> {
	if (!('failure' in step)) throw new Error(`the item did not fail: ${JSON.stringify(step)}`);
	return step;
}
