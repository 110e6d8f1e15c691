import type { IDataObject } from 'n8n-workflow';

import { asMap } from '../../shared/bitrix24/transport/answers';
import type { Call } from '../../shared/bitrix24/transport/calls';
import { invalidResponse } from '../../shared/bitrix24/errors/failures';
import type { ItemInput } from '../../shared/bitrix24/run/itemInput';
import type { Operation, Step } from '../../shared/bitrix24/run/operation';

/** How the operations shape their output items (docs/contract.md#outputs). */
export type OutputMode = 'settings' | 'keyValue' | 'full';

export const OUTPUT_MODES: readonly OutputMode[] = ['settings', 'keyValue', 'full'];

export function outputModeOf(input: ItemInput): OutputMode {
	return input.option('outputMode', 'Output', 'settings', OUTPUT_MODES);
}

/**
 * One call that answers with a pay system's settings object (PHP's empty `[]` is `{}`), and what the
 * item makes of them. Settings that are not an object are an invalid answer, with the status the
 * result came with (null inside a batch).
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
 * One settings object as output `json`, by the item's output mode: the object itself, one
 * `{...ids, code, value}` per setting (none for empty settings), or the `full` item.
 */
export function toOutput(mode: OutputMode, settings: IDataObject, ids: IDataObject, full: IDataObject): IDataObject[] {
	switch (mode) {
		case 'keyValue':
			return Object.entries(settings).map(([code, value]) => ({ ...ids, code, value }) as IDataObject);
		case 'full':
			return [full];
		default:
			return [settings];
	}
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
