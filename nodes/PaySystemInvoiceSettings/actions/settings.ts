import type { IDataObject } from 'n8n-workflow';

import { asMap } from '../../shared/bitrix24/answers';
import type { Call } from '../../shared/bitrix24/calls';
import { invalidResponse } from '../../shared/bitrix24/failures';
import type { ItemInput } from '../../shared/bitrix24/itemInput';
import type { Step } from '../../shared/bitrix24/runner';

/** How the operations shape their output items (docs/contract.md#outputs). */
export type OutputMode = 'settings' | 'keyValue' | 'full';

export const OUTPUT_MODES: readonly OutputMode[] = ['settings', 'keyValue', 'full'];

export function outputModeOf(input: ItemInput): OutputMode {
	return input.option('outputMode', 'Output', 'settings', OUTPUT_MODES);
}

/**
 * One call that answers with a pay system's settings object (PHP's empty `[]` is `{}`), and what the
 * item makes of them. Settings that are not an object are an invalid answer.
 */
export function readSettings(call: Call, toItems: (settings: IDataObject, time: IDataObject | null) => Step): Step {
	return {
		calls: [call],
		next: ([answer]) => {
			if (!answer.ok) return { failure: answer.failure };
			const settings = asMap(answer.result);
			if (settings === null) return { failure: invalidResponse(200, 'The Bitrix24 portal sent settings that are not an object') };
			return toItems(settings as IDataObject, answer.time);
		},
	};
}
