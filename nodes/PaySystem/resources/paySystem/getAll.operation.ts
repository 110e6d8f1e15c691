import type { INodeProperties } from 'n8n-workflow';

import { operationOption } from '../../../shared/bitrix24/fields/fields';
import { wholeListOperation } from '../../../shared/bitrix24/run/operation';
import { readAllPages } from '../../../shared/bitrix24/run/results';
import { REST_METHODS } from '../../../shared/bitrix24/transport/methods';

/**
 * Pay System > Get Many (`paySystem` / `getAll`): every pay system of the portal, one item each with
 * the fields the portal lists, through `sale.paysystem.list`.
 */
export const METHOD = REST_METHODS.paySystems;

export const option = operationOption('Get Many', 'getAll', 'List the pay systems', 'Get many pay systems');

export const fields: INodeProperties[] = [];

export const operation = wholeListOperation('paySystem/getAll', 'pay system list', () =>
	readAllPages({ method: METHOD, params: {} }, (entries) => ({ items: entries })),
);
