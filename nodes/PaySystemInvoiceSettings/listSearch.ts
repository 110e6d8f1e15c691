import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { Bitrix24Client } from '../shared/bitrix24/client';
import type { AuthenticationMethod } from '../shared/bitrix24/connection';
import { toNodeError } from '../shared/bitrix24/failures';

async function fetchList(context: ILoadOptionsFunctions, method: string, params: IDataObject): Promise<Array<Record<string, unknown>>> {
	const authentication = context.getCurrentNodeParameter('authentication') as AuthenticationMethod | undefined;
	const client = await Bitrix24Client.open(context, authentication ?? 'webhook');
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

/** Pay systems for the "Pay System" list, searchable by name or ID (sale.paysystem.list has no paging). */
export async function searchPaySystems(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const paySystems = await fetchList(this, 'sale.paysystem.list', {
		SELECT: ['ID', 'NAME', 'ACTION_FILE', 'ACTIVE'],
		ORDER: { SORT: 'ASC', ID: 'ASC' },
	});
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
	const handlers = await fetchList(this, 'sale.paysystem.handler.list', {});
	return matching(
		handlers.map((handler) => ({ name: `${String(handler.NAME)} (${String(handler.CODE)})`, value: String(handler.CODE) })),
		filter,
	);
}
