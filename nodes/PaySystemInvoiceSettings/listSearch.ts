import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { Bitrix24Client } from '../shared/bitrix24/transport/client';
import { toNodeError } from '../shared/bitrix24/errors/failures';
import { DEFAULT_CLIENT_SETTINGS } from '../shared/bitrix24/run/options';
import type { AuthenticationMethod } from '../shared/bitrix24/transport/connection';
import { REST_METHODS } from '../shared/bitrix24/transport/methods';

async function openClient(context: ILoadOptionsFunctions): Promise<Bitrix24Client> {
	const authentication = context.getCurrentNodeParameter('authentication') as AuthenticationMethod | undefined;
	return await Bitrix24Client.open(context, authentication ?? 'webhook', DEFAULT_CLIENT_SETTINGS);
}

async function fetchList(
	context: ILoadOptionsFunctions,
	client: Bitrix24Client,
	method: string,
	params: IDataObject,
): Promise<Array<Record<string, unknown>>> {
	const outcome = await client.call({ method, params });
	if (!outcome.ok) throw toNodeError(context.getNode(), outcome.failure);
	return Array.isArray(outcome.result)
		? outcome.result.filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null)
		: [];
}

function matching(items: INodeListSearchItems[], filter: string | undefined): INodeListSearchResult {
	const needle = (filter ?? '').trim().toLowerCase();
	const results = needle === '' ? items : items.filter((item) => `${item.name} ${String(item.value)}`.toLowerCase().includes(needle));
	return { results };
}

/**
 * Pay systems for the "Pay System" list, searchable by name or ID (sale.paysystem.list has no paging).
 * For a payment only pay systems on a REST handler are listed: the portal refuses the others.
 */
export async function searchPaySystems(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const client = await openClient(this);
	let paySystems = await fetchList(this, client, REST_METHODS.paySystems, {
		SELECT: ['ID', 'NAME', 'ACTION_FILE', 'ACTIVE'],
		ORDER: { SORT: 'ASC', ID: 'ASC' },
	});
	if (this.getCurrentNodeParameter('operation') === 'getForPayment') {
		const restHandlers = new Set((await fetchList(this, client, REST_METHODS.handlers, {})).map((handler) => String(handler.CODE)));
		paySystems = paySystems.filter((paySystem) => restHandlers.has(String(paySystem.ACTION_FILE)));
	}
	return matching(
		paySystems.map((paySystem) => ({
			name: `${String(paySystem.NAME)} (ID ${String(paySystem.ID)})${paySystem.ACTIVE === 'N' ? ', inactive' : ''}`,
			value: String(paySystem.ID),
		})),
		filter,
	);
}

/** REST handlers for the "REST Handler" list, searchable by name or code. */
export async function searchHandlers(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const handlers = await fetchList(this, await openClient(this), REST_METHODS.handlers, {});
	return matching(
		handlers.map((handler) => ({ name: `${String(handler.NAME)} (${String(handler.CODE)})`, value: String(handler.CODE) })),
		filter,
	);
}
