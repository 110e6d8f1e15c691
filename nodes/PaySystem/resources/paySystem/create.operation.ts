import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { handlerLocator, operationOption } from '../../../shared/bitrix24/fields/fields';
import type { ItemInput } from '../../../shared/bitrix24/run/itemInput';
import type { Operation, Step } from '../../../shared/bitrix24/run/operation';
import { readNewId } from '../../../shared/bitrix24/run/results';
import { REST_METHODS } from '../../../shared/bitrix24/transport/methods';
import { nameField, personTypeField, settingsField } from '../fields';

/**
 * Pay System > Create (`paySystem` / `create`): adds a pay system on a REST handler through
 * `sale.paysystem.add` and outputs `{id}` (docs/contract.md#pay-systems).
 */
export const METHOD = REST_METHODS.addPaySystem;

const SHOW = { resource: ['paySystem'], operation: ['create'] };

/** What a pay system is registered for (ENTITY_REGISTRY_TYPE). */
export const ENTITY_REGISTRY_TYPES = ['ORDER', 'CRM_INVOICE', 'CRM_QUOTE'] as const;

export const option = operationOption('Create', 'create', 'Add a pay system on a REST handler', 'Create a pay system');

export const fields: INodeProperties[] = [
	nameField(SHOW, 'The pay system\'s name, as buyers see it (NAME)'),
	personTypeField(SHOW, 1, 'The payer type the pay system serves (PERSON_TYPE_ID); it must exist for the Entity Registry Type'),
	handlerLocator(SHOW, 'The REST handler the pay system runs on (BX_REST_HANDLER)'),
	{
		displayName: 'Entity Registry Type',
		name: 'entityRegistryType',
		type: 'options',
		options: [
			{ name: 'CRM Invoice', value: 'CRM_INVOICE', description: 'Legacy CRM invoices' },
			{ name: 'CRM Quote', value: 'CRM_QUOTE', description: 'CRM quotes' },
			{ name: 'Order', value: 'ORDER', description: 'Orders and their payments, as smart invoices and deals use them' },
		],
		default: 'ORDER',
		displayOptions: { show: SHOW },
		description: 'What the pay system takes payments for (ENTITY_REGISTRY_TYPE)',
	},
	{
		displayName: 'Active',
		name: 'active',
		type: 'boolean',
		default: true,
		displayOptions: { show: SHOW },
		description: 'Whether buyers can choose the pay system (ACTIVE)',
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		default: '',
		displayOptions: { show: SHOW },
		description: 'What buyers read about the pay system (DESCRIPTION); left out when empty',
	},
	{
		displayName: 'XML ID',
		name: 'xmlId',
		type: 'string',
		default: '',
		displayOptions: { show: SHOW },
		description: 'An external ID for the pay system (XML_ID); left out when empty',
	},
	settingsField(SHOW, 'The pay system\'s settings as JSON, each code as {"TYPE": ..., "VALUE": ...} (SETTINGS); left out when empty', false),
];

function plan(input: ItemInput): Step {
	const bxRestHandler = input.handlerCode('bxRestHandler', 'REST Handler Code');
	input.ids.bxRestHandler = bxRestHandler;
	const params: IDataObject = {
		NAME: input.text('name', 'Name', true),
		PERSON_TYPE_ID: input.wholeNumber('personTypeId', 'Person Type ID', 1),
		BX_REST_HANDLER: bxRestHandler,
		ENTITY_REGISTRY_TYPE: input.choice('entityRegistryType', 'Entity Registry Type', 'ORDER', ENTITY_REGISTRY_TYPES),
		ACTIVE: input.flag('active', 'Active', true),
	};
	const description = input.text('description', 'Description', false);
	if (description !== '') params.DESCRIPTION = description;
	const xmlId = input.text('xmlId', 'XML ID', false);
	if (xmlId !== '') params.XML_ID = xmlId;
	const settings = input.jsonObject('settings', 'Settings');
	if (Object.keys(settings).length > 0) params.SETTINGS = settings;
	return readNewId({ method: METHOD, params });
}

export const operation: Operation = {
	value: 'paySystem/create',
	ids: { bxRestHandler: null },
	subject: (ids) => (ids.bxRestHandler === null ? null : `new pay system on handler ${String(ids.bxRestHandler)}`),
	noSubject: 'no valid REST handler code',
	plan,
};
