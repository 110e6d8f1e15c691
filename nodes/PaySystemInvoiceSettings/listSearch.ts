import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { listPaySystems } from '../shared/bitrix24/fields/listSearch';

/** Pay systems for the "Pay System" list; for a payment only those on a REST handler, the only ones the portal reads. */
export async function searchPaySystems(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return await listPaySystems(this, filter, this.getCurrentNodeParameter('operation') === 'getForPayment');
}
