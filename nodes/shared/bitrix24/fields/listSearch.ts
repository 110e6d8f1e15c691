/**
 * The editor's searchable lists of the portal's pay systems and REST handlers, for every node of the
 * package. A list that fails throws the node error a run would (code, hint), with nothing of the credential.
 */
import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { toNodeError } from '../errors/failures';
import { DEFAULT_CLIENT_SETTINGS } from '../run/options';
import { Bitrix24Client } from '../transport/client';
import type { AuthenticationMethod } from '../transport/connection';
import { REST_METHODS } from '../transport/methods';

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
 * Pay systems for a "Pay System" list, searchable by name or ID (sale.paysystem.list has no paging).
 * With `restOnly`, only pay systems on a REST handler are listed: the portal refuses the others to
 * every method that reads or changes a pay system's settings.
 */
export async function listPaySystems(context: ILoadOptionsFunctions, filter: string | undefined, restOnly: boolean): Promise<INodeListSearchResult> {
	const client = await openClient(context);
	let paySystems = await fetchList(context, client, REST_METHODS.paySystems, {
		SELECT: ['ID', 'NAME', 'ACTION_FILE', 'ACTIVE'],
		ORDER: { SORT: 'ASC', ID: 'ASC' },
	});
	if (restOnly) {
		const restHandlers = new Set((await fetchList(context, client, REST_METHODS.handlers, {})).map((handler) => String(handler.CODE)));
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

/** Pay systems on a REST handler for a "Pay System" list: the only ones the portal lets a REST client manage or read. */
export async function searchRestPaySystems(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return await listPaySystems(this, filter, true);
}

/** REST handlers for a "REST Handler" list, searchable by name or code. */
export async function searchHandlers(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const handlers = await fetchList(this, await openClient(this), REST_METHODS.handlers, {});
	return matching(
		handlers.map((handler) => ({ name: `${String(handler.NAME)} (${String(handler.CODE)})`, value: String(handler.CODE) })),
		filter,
	);
}
