import type { INodeProperties } from 'n8n-workflow';

import { operationOption } from '../../../shared/bitrix24/fields/fields';
import type { ItemInput } from '../../../shared/bitrix24/run/itemInput';
import type { Step } from '../../../shared/bitrix24/run/operation';
import { singleIdOperation } from '../../../shared/bitrix24/run/operation';
import { readSuccess } from '../../../shared/bitrix24/run/results';
import { REST_METHODS } from '../../../shared/bitrix24/transport/methods';
import { paySystemField } from '../fields';

/** Pay System > Delete (`paySystem` / `delete`): removes a pay system through `sale.paysystem.delete`; outputs `{id, success}`. */
export const METHOD = REST_METHODS.deletePaySystem;

const SHOW = { resource: ['paySystem'], operation: ['delete'] };

export const option = operationOption('Delete', 'delete', 'Delete a pay system on a REST handler', 'Delete a pay system');

export const fields: INodeProperties[] = [paySystemField(SHOW, 'The pay system to delete (ID)')];

function plan(input: ItemInput): Step {
	const id = input.wholeId('paySystemId', 'Pay System ID', { locator: true, identifies: 'paySystemId' });
	return readSuccess({ method: METHOD, params: { ID: id } }, id);
}

export const operation = singleIdOperation('paySystem/delete', 'paySystemId', 'pay system', plan);
