import type { IDataObject } from 'n8n-workflow';

import type { ItemInput } from '../../shared/bitrix24/run/itemInput';

/** How the operations shape their output items (docs/contract.md#outputs). */
export type OutputMode = 'settings' | 'keyValue' | 'full';

export const OUTPUT_MODES: readonly OutputMode[] = ['settings', 'keyValue', 'full'];

export function outputModeOf(input: ItemInput): OutputMode {
	return input.option('outputMode', 'Output', 'settings', OUTPUT_MODES);
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
