import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { handlerLocator, operationOption } from '../../../shared/bitrix24/fields/fields';
import type { ItemInput } from '../../../shared/bitrix24/run/itemInput';
import type { Step } from '../../../shared/bitrix24/run/operation';
import { singleIdOperation } from '../../../shared/bitrix24/run/operation';
import { readSuccess } from '../../../shared/bitrix24/run/results';
import { REST_METHODS } from '../../../shared/bitrix24/transport/methods';
import { paySystemField, personTypeField, updateFieldsCollection } from '../fields';

/**
 * Pay System > Update (`paySystem` / `update`): changes a pay system through `sale.paysystem.update`
 * and outputs `{id, success}`. The portal checks the handler and the payer type on every update, so
 * both are required; the other fields change only when given (docs/contract.md#pay-systems).
 */
export const METHOD = REST_METHODS.updatePaySystem;

const SHOW = { resource: ['paySystem'], operation: ['update'] };

export const option = operationOption('Update', 'update', 'Change a pay system on a REST handler', 'Update a pay system');

export const fields: INodeProperties[] = [
	paySystemField(SHOW, 'The pay system to change (ID)'),
	handlerLocator(SHOW, 'The REST handler the pay system runs on (BX_REST_HANDLER); the portal needs it on every update'),
	personTypeField(SHOW, 1, 'The payer type the pay system serves (PERSON_TYPE_ID); the portal needs it on every update'),
	updateFieldsCollection(SHOW, [
		{ displayName: 'Active', name: 'active', type: 'boolean', default: true, description: 'Whether buyers can choose the pay system (ACTIVE)' },
		{ displayName: 'Description', name: 'description', type: 'string', default: '', description: 'What buyers read about the pay system (DESCRIPTION)' },
		{ displayName: 'Name', name: 'name', type: 'string', default: '', description: 'A new name for the pay system (NAME)' },
	]),
];

function plan(input: ItemInput): Step {
	const id = input.wholeId('paySystemId', 'Pay System ID', { locator: true, identifies: 'paySystemId' });
	const changes: IDataObject = {
		BX_REST_HANDLER: input.handlerCode('bxRestHandler', 'REST Handler Code'),
		PERSON_TYPE_ID: input.wholeNumber('personTypeId', 'Person Type ID', 1),
	};
	const given = input.value('updateFields', 'Update Fields', {}) as IDataObject;
	if (given.name !== undefined) changes.NAME = input.text('name', 'Name', true, given);
	if (given.active !== undefined) changes.ACTIVE = input.flag('active', 'Active', true, given);
	if (given.description !== undefined) changes.DESCRIPTION = input.text('description', 'Description', false, given);
	return readSuccess({ method: METHOD, params: { ID: id, FIELDS: changes } }, id);
}

export const operation = singleIdOperation('paySystem/update', 'paySystemId', 'pay system', plan);
