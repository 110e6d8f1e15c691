import type { INodeProperties } from 'n8n-workflow';

import { operationOption } from '../../../shared/bitrix24/fields/fields';
import { wholeListOperation } from '../../../shared/bitrix24/run/operation';
import { readAllPages } from '../../../shared/bitrix24/run/results';
import { REST_METHODS } from '../../../shared/bitrix24/transport/methods';

/**
 * Handler > Get Many (`handler` / `getAll`): every REST handler of the portal, one item each as the
 * portal lists it (`ID`, `NAME`, `CODE`, `SORT`, `SETTINGS`), through `sale.paysystem.handler.list`.
 */
export const METHOD = REST_METHODS.handlers;

export const option = operationOption('Get Many', 'getAll', 'List the REST pay system handlers', 'Get many REST handlers');

export const fields: INodeProperties[] = [];

export const operation = wholeListOperation('handler/getAll', 'handler list', () =>
	readAllPages({ method: METHOD, params: {} }, (entries) => ({ items: entries })),
);
