import type { INodeProperties } from 'n8n-workflow';

import { operationOption } from '../../../shared/bitrix24/fields/fields';
import type { ItemInput } from '../../../shared/bitrix24/run/itemInput';
import type { Operation, Step } from '../../../shared/bitrix24/run/operation';
import { readNewId } from '../../../shared/bitrix24/run/results';
import { REST_METHODS } from '../../../shared/bitrix24/transport/methods';
import { nameField, settingsField } from '../fields';

/**
 * Handler > Create (`handler` / `create`): registers a REST pay system handler through
 * `sale.paysystem.handler.add` and outputs `{id}` (docs/contract.md#pay-system-handlers).
 */
export const METHOD = REST_METHODS.addHandler;

const SHOW = { resource: ['handler'], operation: ['create'] };

export const option = operationOption('Create', 'create', 'Register a REST pay system handler', 'Create a REST handler');

export const fields: INodeProperties[] = [
	nameField(SHOW, 'The handler\'s name, as Bitrix24 lists it when a pay system is set up (NAME)'),
	{
		displayName: 'Code',
		name: 'code',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. myprovider',
		displayOptions: { show: SHOW },
		description: 'The code pay systems name the handler by (CODE, their BX_REST_HANDLER); unique on the portal',
	},
	{
		displayName: 'Sort',
		name: 'sort',
		type: 'number',
		default: 100,
		typeOptions: { minValue: 0, numberPrecision: 0 },
		displayOptions: { show: SHOW },
		description: 'Where the handler appears in lists (SORT)',
	},
	settingsField(
		SHOW,
		'The handler\'s SETTINGS as JSON: CURRENCY, the parameters it needs (CODES) and how it takes payments (FORM_DATA, CHECKOUT_DATA or IFRAME_DATA, with ACTION_URI)',
		true,
	),
];

function plan(input: ItemInput): Step {
	const code = input.handlerCode('code', 'Code');
	input.ids.code = code;
	const params = {
		NAME: input.text('name', 'Name', true),
		CODE: code,
		SORT: input.wholeNumber('sort', 'Sort', 0),
		SETTINGS: input.jsonObject('settings', 'Settings'),
	};
	return readNewId({ method: METHOD, params });
}

export const operation: Operation = {
	value: 'handler/create',
	ids: { code: null },
	subject: (ids) => (ids.code === null ? null : `handler ${String(ids.code)}`),
	noSubject: 'no valid handler code',
	plan,
};
