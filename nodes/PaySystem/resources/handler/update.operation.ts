import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { operationOption } from '../../../shared/bitrix24/fields/fields';
import type { ItemInput } from '../../../shared/bitrix24/run/itemInput';
import type { Step } from '../../../shared/bitrix24/run/operation';
import { singleIdOperation } from '../../../shared/bitrix24/run/operation';
import { readSuccess } from '../../../shared/bitrix24/run/results';
import { REST_METHODS } from '../../../shared/bitrix24/transport/methods';
import { handlerIdField, settingsField, updateFieldsCollection } from '../fields';

/**
 * Handler > Update (`handler` / `update`): changes the fields given of a REST handler through
 * `sale.paysystem.handler.update` and outputs `{id, success}` (docs/contract.md#pay-system-handlers).
 */
export const METHOD = REST_METHODS.updateHandler;

const SHOW = { resource: ['handler'], operation: ['update'] };

export const option = operationOption('Update', 'update', 'Change a REST pay system handler', 'Update a REST handler');

export const fields: INodeProperties[] = [
	handlerIdField(SHOW, 'ID of the REST handler to change (ID)'),
	updateFieldsCollection(SHOW, [
		{ displayName: 'Code', name: 'code', type: 'string', default: '', description: 'A new code for the handler (CODE)' },
		{ displayName: 'Name', name: 'name', type: 'string', default: '', description: 'A new name for the handler (NAME)' },
		settingsField(undefined, 'New SETTINGS as JSON; they replace the handler\'s settings whole', false),
		{
			displayName: 'Sort',
			name: 'sort',
			type: 'number',
			default: 100,
			typeOptions: { minValue: 0, numberPrecision: 0 },
			description: 'Where the handler appears in lists (SORT)',
		},
	]),
];

/** The fields to change, as FIELDS names them; at least one. */
function fieldsOf(input: ItemInput): IDataObject {
	const given = input.value('updateFields', 'Update Fields', {}) as IDataObject;
	const changes: IDataObject = {};
	if (given.name !== undefined) changes.NAME = input.text('name', 'Name', true, given);
	if (given.code !== undefined) changes.CODE = input.handlerCode('code', 'Code', given);
	if (given.sort !== undefined) changes.SORT = input.wholeNumber('sort', 'Sort', 0, { source: given });
	if (given.settings !== undefined) changes.SETTINGS = input.jsonObject('settings', 'Settings', given);
	if (Object.keys(changes).length === 0) input.refuse('Update Fields must name at least one field to change');
	return changes;
}

function plan(input: ItemInput): Step {
	const id = input.wholeId('handlerId', 'Handler ID', { identifies: 'handlerId' });
	return readSuccess({ method: METHOD, params: { ID: id, FIELDS: fieldsOf(input) } }, id);
}

export const operation = singleIdOperation('handler/update', 'handlerId', 'handler', plan);
