import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { handlerInUse } from '../../../shared/bitrix24/errors/failures';
import { operationOption } from '../../../shared/bitrix24/fields/fields';
import type { ItemInput } from '../../../shared/bitrix24/run/itemInput';
import type { Step } from '../../../shared/bitrix24/run/operation';
import { allSteps, singleIdOperation } from '../../../shared/bitrix24/run/operation';
import { readAllPages, readSuccess } from '../../../shared/bitrix24/run/results';
import { REST_METHODS } from '../../../shared/bitrix24/transport/methods';
import { handlerIdField } from '../fields';

/**
 * Handler > Delete (`handler` / `delete`): removes a REST handler through
 * `sale.paysystem.handler.delete` and outputs `{id, success}`. The handlers and the pay systems are
 * read first: a handler that pay systems still use is refused as HANDLER_IN_USE, naming them, and
 * nothing is deleted (docs/contract.md#handler-delete).
 */
export const METHOD = REST_METHODS.deleteHandler;

const SHOW = { resource: ['handler'], operation: ['delete'] };

export const option = operationOption('Delete', 'delete', 'Delete a REST pay system handler no pay system uses', 'Delete a REST handler');

export const fields: INodeProperties[] = [handlerIdField(SHOW, 'ID of the REST handler to delete (ID)')];

/** The pay systems that run on the handler with this code; the portal compares codes without case. */
function paySystemsUsing(code: string, paySystems: IDataObject[]): IDataObject[] {
	return paySystems.filter((paySystem) => String(paySystem.ACTION_FILE ?? '').toLowerCase() === code.toLowerCase());
}

function plan(input: ItemInput): Step {
	const id = input.wholeId('handlerId', 'Handler ID', { identifies: 'handlerId' });
	const lists = [
		readAllPages({ method: REST_METHODS.handlers, params: {} }, (entries) => ({ items: entries })),
		readAllPages({ method: REST_METHODS.paySystems, params: { SELECT: ['ID', 'NAME', 'ACTION_FILE'] } }, (entries) => ({ items: entries })),
	];
	return allSteps(lists, ([handlers, paySystems]) => {
		if ('failure' in handlers) return handlers;
		if ('failure' in paySystems) return paySystems;
		const handler = handlers.items.find((entry) => Number(entry.ID) === id);
		// An unknown handler is the portal's to refuse, in its own words.
		const users = handler === undefined ? [] : paySystemsUsing(String(handler.CODE), paySystems.items);
		if (users.length > 0) {
			const named = users.map((paySystem) => `${String(paySystem.ID)} "${String(paySystem.NAME)}"`).join(', ');
			return {
				failure: handlerInUse(`The REST handler ${id} (${String(handler?.CODE)}) is used by pay systems ${named}`),
				ids: { paySystemIds: users.map((paySystem) => Number(paySystem.ID)) },
			};
		}
		return readSuccess({ method: METHOD, params: { ID: id } }, id);
	});
}

export const operation = singleIdOperation('handler/delete', 'handlerId', 'handler', plan);
