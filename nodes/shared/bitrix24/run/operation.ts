/**
 * What an operation is to the runner: how an input item becomes calls, and how their answers become
 * output items, one step at a time. An operation never sends anything itself.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Bitrix24Failure } from '../errors/failures';
import type { Bitrix24Outcome } from '../transport/answers';
import type { Call } from '../transport/calls';
import type { ItemInput } from './itemInput';

/** An item that is done: its output `json` objects, or its failure (with ids it learned on the way). */
export type Done = { items: IDataObject[] } | { failure: Bitrix24Failure; ids?: IDataObject };

/**
 * Where one input item stands: calls still to be answered (and what to do with the answers, in the
 * calls' order), or done.
 */
export type Step = { calls: Call[]; next: (answers: Bitrix24Outcome[]) => Step } | Done;

/** What an operation brings to the runner: how an item becomes calls, and how answers become items. */
export interface Operation {
	/** The node's `operation` value, or `<resource>/<operation>` in a node with resources. */
	value: string;
	/** The ids an error's `details` names, each null until the item gives a valid one. */
	ids: IDataObject;
	/** How messages name what an item reads, e.g. "invoice 42"; null when its ids are not known. */
	subject(ids: IDataObject): string | null;
	/** What messages say instead, e.g. "no valid invoice ID". */
	noSubject: string;
	/** Reads and checks one item's parameters (refusing through `input`) and returns its first step. */
	plan(input: ItemInput): Step;
	/**
	 * What an item changes that no other item may change at the same time, e.g. "payment 501" (null:
	 * nothing). Items with the same key, of this run and of every run in the process on the same
	 * portal, go one after another (keyedLocks.ts). Operations that only read leave it out.
	 */
	exclusive?(ids: IDataObject): string | null;
}

/** A step with no calls left to make is decided by its continuation at once. */
export function settle(step: Step): Step {
	let current = step;
	while ('calls' in current && current.calls.length === 0) current = current.next([]);
	return current;
}

/**
 * Several steps of one item taken side by side: their calls go out together (in one round, batched
 * with the other items'), each step gets back its own answers, in as many rounds as the slowest
 * needs, and `finish` decides the item from all of them once every one is done.
 */
export function allSteps(steps: readonly Step[], finish: (done: Done[]) => Step): Step {
	const current = steps.map(settle);
	const waiting = current.filter((step): step is Extract<Step, { calls: Call[] }> => 'calls' in step);
	if (waiting.length === 0) return finish(current as Done[]);
	return {
		calls: waiting.flatMap((step) => step.calls),
		next: (answers) => {
			let offset = 0;
			const following = current.map((step) => {
				if (!('calls' in step)) return step;
				const own = answers.slice(offset, offset + step.calls.length);
				offset += step.calls.length;
				return step.next(own);
			});
			return allSteps(following, finish);
		},
	};
}

/** An operation whose items name one ID: error `details` carry it, messages call it "<noun> <id>". */
export function singleIdOperation(value: string, idName: string, noun: string, plan: Operation['plan']): Operation {
	return {
		value,
		ids: { [idName]: null },
		subject: (ids) => (ids[idName] === null ? null : `${noun} ${String(ids[idName])}`),
		noSubject: `no valid ${noun} ID`,
		plan,
	};
}

/** An operation that reads a whole list: its items name no ID, messages call it by `noun`. */
export function wholeListOperation(value: string, noun: string, plan: Operation['plan']): Operation {
	return { value, ids: {}, subject: () => noun, noSubject: noun, plan };
}
