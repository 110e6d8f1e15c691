// The searchable lists of the editor (the first node's listSearch.ts, the library's fields/listSearch.ts) with a stand-in client: what each entry shows, and
// what a list the portal answers oddly gives. The lists against the emulated portal are in
// test/engine/editor.test.ts.
import type { ILoadOptionsFunctions } from 'n8n-workflow';

import { searchPaySystems } from '../../nodes/PaySystemInvoiceSettings/listSearch';
import { searchHandlers } from '../../nodes/shared/bitrix24/fields/listSearch';
import type { Bitrix24Outcome } from '../../nodes/shared/bitrix24/transport/answers';
import type { Call } from '../../nodes/shared/bitrix24/transport/calls';
import { Bitrix24Client } from '../../nodes/shared/bitrix24/transport/client';

/** The editor's context for a node with these parameters. */
function contextOf(parameters: Record<string, unknown>): ILoadOptionsFunctions {
	return {
		getNode: () => ({ name: 'Bitrix24', type: 'n8n-nodes-bitrix24-paysystem.bitrix24PaySystemInvoiceSettings', typeVersion: 1, parameters }),
		getCurrentNodeParameter: (name: string) => parameters[name],
	} as unknown as ILoadOptionsFunctions;
}

/** A stand-in client answering each method with its result; notes the authentication it was opened with and the calls. */
function standInClient(results: Record<string, unknown>) {
	const calls: Call[] = [];
	const open = jest.spyOn(Bitrix24Client, 'open').mockImplementation(async () => {
		return {
			call: async (call: Call): Promise<Bitrix24Outcome> => {
				calls.push(call);
				return { ok: true, result: results[call.method], time: null, httpCode: 200 };
			},
		} as unknown as Bitrix24Client;
	});
	return { open, calls };
}

afterEach(() => jest.restoreAllMocks());

describe('searchPaySystems', () => {
	it('names each pay system with its ID, says which are inactive, and asks for them in their sort order', async () => {
		const { calls } = standInClient({
			'sale.paysystem.list': [
				{ ID: '11', NAME: 'Card payment', ACTION_FILE: 'resthandlercard', ACTIVE: 'Y' },
				{ ID: '16', NAME: 'Old card payment', ACTION_FILE: 'resthandlercard', ACTIVE: 'N' },
				{ ID: '13', NAME: 'Cash', ACTION_FILE: 'cash' },
			],
		});
		const result = await searchPaySystems.call(contextOf({ operation: 'get' }));
		expect(result).toEqual({
			results: [
				{ name: 'Card payment (ID 11)', value: '11' },
				{ name: 'Old card payment (ID 16), inactive', value: '16' },
				{ name: 'Cash (ID 13)', value: '13' },
			],
		});
		expect(calls).toEqual([{ method: 'sale.paysystem.list', params: { SELECT: ['ID', 'NAME', 'ACTION_FILE', 'ACTIVE'], ORDER: { SORT: 'ASC', ID: 'ASC' } } }]);
	});

	it('opens the webhook credential when the node has no authentication parameter, and the one it names otherwise', async () => {
		const { open } = standInClient({ 'sale.paysystem.list': [] });
		await searchPaySystems.call(contextOf({}));
		await searchPaySystems.call(contextOf({ authentication: 'oAuth2' }));
		expect(open.mock.calls.map(([, authentication]) => authentication)).toEqual(['webhook', 'oAuth2']);
	});

	it('skips entries that are not objects, and lists nothing for an answer that is not a list', async () => {
		standInClient({ 'sale.paysystem.list': [null, 'Cash', 7, { ID: '11', NAME: 'Card payment' }] });
		expect((await searchPaySystems.call(contextOf({}))).results).toEqual([{ name: 'Card payment (ID 11)', value: '11' }]);
		jest.restoreAllMocks();
		standInClient({ 'sale.paysystem.list': { ID: '11', NAME: 'Card payment' } });
		expect((await searchPaySystems.call(contextOf({}))).results).toEqual([]);
	});

	it('for Get for Payment lists only the pay systems whose handler is a REST handler', async () => {
		const { calls } = standInClient({
			'sale.paysystem.list': [
				{ ID: '11', NAME: 'Card payment', ACTION_FILE: 'resthandlercard' },
				{ ID: '13', NAME: 'Cash', ACTION_FILE: 'cash' },
			],
			'sale.paysystem.handler.list': [{ CODE: 'resthandlercard', NAME: 'Card payment handler' }],
		});
		const result = await searchPaySystems.call(contextOf({ operation: 'getForPayment' }), ' CARD ');
		expect(result.results).toEqual([{ name: 'Card payment (ID 11)', value: '11' }]);
		expect(calls.map((call) => [call.method, call.params])).toEqual([
			['sale.paysystem.list', { SELECT: ['ID', 'NAME', 'ACTION_FILE', 'ACTIVE'], ORDER: { SORT: 'ASC', ID: 'ASC' } }],
			['sale.paysystem.handler.list', {}],
		]);
	});
});

describe('searchHandlers', () => {
	it('names each handler with its code, the code as the value, filtered by name or code', async () => {
		standInClient({
			'sale.paysystem.handler.list': [
				{ CODE: 'resthandlercard', NAME: 'Card payment handler' },
				{ CODE: 'resthandlerbank', NAME: 'Bank transfer handler' },
			],
		});
		expect(await searchHandlers.call(contextOf({}))).toEqual({
			results: [
				{ name: 'Card payment handler (resthandlercard)', value: 'resthandlercard' },
				{ name: 'Bank transfer handler (resthandlerbank)', value: 'resthandlerbank' },
			],
		});
		expect((await searchHandlers.call(contextOf({}), 'BANK')).results).toEqual([{ name: 'Bank transfer handler (resthandlerbank)', value: 'resthandlerbank' }]);
		expect((await searchHandlers.call(contextOf({}), 'resthandlercard')).results.map((entry) => entry.value)).toEqual(['resthandlercard']);
	});
});
