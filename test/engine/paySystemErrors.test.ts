import { hintOf } from '../contract/hints';
import { usePortal } from '../support';
import { HANDLER_SETTINGS, jsonsOf, locator, runPaySystem } from './paySystemRun';

// docs/contract.md#pay-system-management: the portal's refusals as error items with their hints, the
// refused handler delete, lists over several pages, and batching.
describe('Every management code is an error item with the portal\'s text and its hint', () => {
	const portal = usePortal();

	it.each([
		['ERROR_HANDLER_ALREADY_EXIST', 'handler', 'create', { name: 'x', code: 'resthandlercard', settings: JSON.stringify(HANDLER_SETTINGS) }, 'Handler already exists!', { code: 'resthandlercard' }],
		['ERROR_CHECK_FAILURE', 'handler', 'create', { name: 'x', code: 'newone', settings: '{"IFRAME_DATA":{"ACTION_URI":"https://x/"}}' }, 'Parameter SETTINGS[CODES] is not defined', { code: 'newone' }],
		['ERROR_HANDLER_NOT_FOUND', 'handler', 'update', { handlerId: 99, updateFields: { name: 'x' } }, 'Handler not found', { handlerId: 99 }],
		['ERROR_PERSON_TYPE_NOT_FOUND', 'paySystem', 'create', { name: 'x', personTypeId: 3, bxRestHandler: locator('resthandlercard', 'code'), entityRegistryType: 'ORDER' }, 'Incorrect person type id!', { bxRestHandler: 'resthandlercard' }],
		['ERROR_PAY_SYSTEM_NOT_FOUND', 'paySystem', 'delete', { paySystemId: locator(99) }, 'Pay system not found', { paySystemId: 99 }],
		['ACCESS_DENIED', 'settings', 'get', { paySystemId: locator(13), personTypeId: 0 }, 'Access denied!', { paySystemId: 13, personTypeId: 0 }],
	])('%s', async (errorCode, resource, operation, parameters, errorDescription, ids) => {
		const { output, errorOutput } = await runPaySystem(portal(), resource, operation, { ...parameters, options: { maxRetries: 0 } });
		expect(output).toEqual([]);
		const status = errorCode === 'ACCESS_DENIED' ? 403 : 400;
		expect(errorOutput.map((item) => item.json)).toEqual([
			{
				error: `Bitrix24 error ${errorCode}: ${errorDescription}`,
				details: { errorCode, errorDescription, httpCode: status, ...ids, hint: hintOf(errorCode) },
			},
		]);
		expect(errorOutput[0].pairedItem).toEqual({ item: 0 });
	});

	it('ACCESS_DENIED for a user who is not a CRM administrator', async () => {
		const { errorOutput } = await runPaySystem(portal(), 'handler', 'getAll', {}, [{}], portal().managerWebhookUrl);
		expect(errorOutput.map((item) => item.json.details)).toEqual([
			{ errorCode: 'ACCESS_DENIED', errorDescription: 'Access denied!', httpCode: 403, hint: hintOf('ACCESS_DENIED') },
		]);
	});
});

describe('A handler that pay systems still use is not deleted: HANDLER_IN_USE names them', () => {
	const portal = usePortal();

	it.each([[true], [false]])('batch %p: reads the lists, sends no delete, and names pay systems 11 and 14', async (batch) => {
		const { output, errorOutput } = await runPaySystem(portal(), 'handler', 'delete', { handlerId: 1, options: { batch } });
		expect(output).toEqual([]);
		expect(errorOutput.map((item) => item.json)).toEqual([
			{
				error: 'HANDLER_IN_USE: The REST handler 1 (resthandlercard) is used by pay systems 11 "Card payment (REST)", 14 "Card payment, second shop"',
				details: { errorCode: 'HANDLER_IN_USE', errorDescription: null, httpCode: null, handlerId: 1, paySystemIds: [11, 14], hint: hintOf('HANDLER_IN_USE') },
			},
		]);
		expect(portal().restCalls('sale.paysystem.handler.delete')).toEqual([]);
		expect(portal().paySystems.handler('resthandlercard')).toBeDefined();
	});

	it('a run of several deletes refuses the handlers in use and deletes the others, each paired with its item', async () => {
		const added = await runPaySystem(portal(), 'handler', 'create', { name: 'Spare', code: 'spare', settings: JSON.stringify(HANDLER_SETTINGS) });
		const [{ id }] = jsonsOf(added) as Array<{ id: number }>;
		const { output, errorOutput } = await runPaySystem(portal(), 'handler', 'delete', { handlerId: '={{ $json.id }}' }, [{ id: 1 }, { id }]);
		expect(output.map((item) => [item.json, item.pairedItem])).toEqual([[{ id, success: true }, { item: 1 }]]);
		expect(errorOutput.map((item) => [item.json.details, item.pairedItem])).toEqual([
			[expect.objectContaining({ errorCode: 'HANDLER_IN_USE', handlerId: 1 }), { item: 0 }],
		]);
	});
});

describe('Get Many follows the portal\'s pages', () => {
	const portal = usePortal();
	const entry = (id: number) => ({ ID: String(id), NAME: `Handler ${id}`, CODE: `h${id}`, SORT: '100', SETTINGS: {} });

	it('asks for the next page with start while the answer names one, and outputs every entry once', async () => {
		portal().addFault({ restMethod: 'sale.paysystem.handler.list', times: 1, response: { status: 200, json: { result: [entry(1), entry(2)], next: 2, total: 5, time: {} } } });
		portal().addFault({ restMethod: 'sale.paysystem.handler.list', params: { start: 2 }, times: 1, response: { status: 200, json: { result: [entry(3), entry(4)], next: 4, total: 5, time: {} } } });
		portal().addFault({ restMethod: 'sale.paysystem.handler.list', params: { start: 4 }, times: 1, response: { status: 200, json: { result: [entry(5)], total: 5, time: {} } } });
		const result = await runPaySystem(portal(), 'handler', 'getAll', { options: { batch: false } });
		expect(jsonsOf(result)).toEqual([1, 2, 3, 4, 5].map(entry));
		expect(result.output.every((item) => JSON.stringify(item.pairedItem) === '{"item":0}')).toBe(true);
		expect(portal().restCalls('sale.paysystem.handler.list').map((call) => call.params.start)).toEqual([undefined, 2, 4]);
	});
});

describe('Batching: the items of a run go in batch calls of up to 50, or one request each', () => {
	const portal = usePortal();
	const items = Array.from({ length: 3 }, (_, index) => ({ code: `batched${index}` }));
	const parameters = { name: '={{ $json.code }}', code: '={{ $json.code }}', settings: JSON.stringify(HANDLER_SETTINGS) };

	it('batch on: three creates in one request, each with its id', async () => {
		const result = await runPaySystem(portal(), 'handler', 'create', { ...parameters, options: { batch: true } }, items);
		expect(jsonsOf(result)).toEqual([{ id: 5 }, { id: 6 }, { id: 7 }]);
		expect(portal().restCalls().map((call) => call.restMethod)).toEqual(['batch']);
		expect(portal().paySystems.handler('batched2')?.SETTINGS).toEqual(HANDLER_SETTINGS);
	});

	it('batch off: one request per item', async () => {
		const result = await runPaySystem(portal(), 'handler', 'create', { ...parameters, options: { batch: false } }, items);
		expect(jsonsOf(result)).toEqual([{ id: 5 }, { id: 6 }, { id: 7 }]);
		expect(portal().restCalls().map((call) => call.restMethod)).toEqual(Array(3).fill('sale.paysystem.handler.add'));
	});
});
