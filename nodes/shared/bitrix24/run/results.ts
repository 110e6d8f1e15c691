/**
 * How the result of one call becomes what an item outputs, for the shapes Bitrix24's methods answer
 * with: an object (a pay system's settings), a new record's ID, a yes or no, or a list read page by page.
 * A result of another shape is an invalid answer, with the status it came with (null inside a batch).
 */
import type { IDataObject } from 'n8n-workflow';

import { LOCAL_ERROR_CODES, LOST_WRITE_HINTS } from '../errors/codes';
import type { Bitrix24Failure } from '../errors/failures';
import { invalidResponse } from '../errors/failures';
import { asMap, isRecord } from '../transport/answers';
import type { Call } from '../transport/calls';
import type { Done, Step } from './operation';

/**
 * One call that answers with an object (PHP's empty `[]` is `{}`), and what the item makes of it.
 */
export function readSettings(call: Call, toItems: (settings: IDataObject, time: IDataObject | null) => Step): Step {
	return {
		calls: [call],
		next: ([answer]) => {
			if (!answer.ok) return { failure: answer.failure };
			const settings = asMap(answer.result);
			if (settings === null) return { failure: invalidResponse(answer.httpCode, 'The Bitrix24 portal sent settings that are not an object') };
			return toItems(settings as IDataObject, answer.time);
		},
	};
}

/**
 * A management write's failure: one whose answer was lost (the client never sends a write twice,
 * transport/commands.ts) carries the hint of what to check before sending it again.
 */
function writeFailure(failure: Bitrix24Failure, hint: string): Done {
	return { failure: failure.errorCode === LOCAL_ERROR_CODES.answerLost ? { ...failure, hint } : failure };
}

/**
 * One call that adds a record and answers with its ID (a whole number, or digits as text): `{id}`.
 * It writes: never sent twice.
 */
export function readNewId(call: Call): Step {
	return {
		calls: [{ ...call, writes: true }],
		next: ([answer]) => {
			if (!answer.ok) return writeFailure(answer.failure, LOST_WRITE_HINTS.create);
			const id = typeof answer.result === 'string' && /^\d+$/.test(answer.result) ? Number(answer.result) : answer.result;
			if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) {
				return { failure: invalidResponse(answer.httpCode, `The Bitrix24 portal answered ${call.method} without the new record's ID`) };
			}
			return { items: [{ id }] };
		},
	};
}

/** One call that changes or deletes a record and answers yes or no: `{id, success}`. It writes: never sent twice. */
export function readSuccess(call: Call, id: number): Step {
	return {
		calls: [{ ...call, writes: true }],
		next: ([answer]) => {
			if (!answer.ok) return writeFailure(answer.failure, LOST_WRITE_HINTS.change);
			if (typeof answer.result !== 'boolean') {
				return { failure: invalidResponse(answer.httpCode, `The Bitrix24 portal answered ${call.method} with neither true nor false`) };
			}
			return { items: [{ id, success: answer.result }] };
		},
	};
}

/**
 * Every entry of a list, one page after another while the answer names a `next` start (inside a
 * batch, its `result_next`); a page that adds nothing ends the list, whatever `next` says.
 */
export function readAllPages(call: Call, toItems: (entries: IDataObject[]) => Step, found: IDataObject[] = []): Step {
	return {
		calls: [call],
		next: ([answer]) => {
			if (!answer.ok) return { failure: answer.failure };
			const page = Array.isArray(answer.result) ? answer.result : null;
			if (page === null || !page.every(isRecord)) {
				return { failure: invalidResponse(answer.httpCode, `The Bitrix24 portal answered ${call.method} with something that is not a list of entries`) };
			}
			const entries = [...found, ...(page as IDataObject[])];
			if (answer.next !== undefined && page.length > 0) {
				return readAllPages({ method: call.method, params: { ...call.params, start: answer.next } }, toItems, entries);
			}
			return toItems(entries);
		},
	};
}
