import { PAY_SYSTEMS } from '../../dev/emulator/seed';
import { LOST_WRITE_HINTS } from '../../nodes/shared/bitrix24/errors/codes';
import { usePortal } from '../support';
import { HANDLER_SETTINGS, jsonsOf, locator, runPaySystem } from './paySystemRun';

// docs/contract.md#management-retries: a management write whose answer was lost is not sent again;
// the item is ANSWER_LOST with what to check, and the portal holds what it ran, once.
const ADD = 'sale.paysystem.add';
const newPaySystem = {
	name: '={{ $json.name }}',
	personTypeId: 1,
	bxRestHandler: locator('resthandlercard', 'code'),
	entityRegistryType: 'ORDER',
};

const lostItem = (hint: string, ids: Record<string, unknown>) => ({
	error: expect.stringMatching(/^ANSWER_LOST: The portal may have applied the call, but its answer was lost \(NETWORK_ERROR: /),
	details: { errorCode: 'ANSWER_LOST', errorDescription: null, httpCode: null, ...ids, hint },
});

describe('A management write whose answer was lost is sent once: ANSWER_LOST with a hint', () => {
	const portal = usePortal();
	const paySystemNames = async () => jsonsOf(await runPaySystem(portal(), 'paySystem', 'getAll', {})).map((entry) => entry.NAME);

	it.each([[true], [false]])('batch %p: a pay system create lost on the way adds one pay system and is not sent again', async (batch) => {
		// Two items: with batch on they share one request, and the fault takes it.
		portal().addFault({ restMethod: batch ? 'batch' : ADD, times: 1, response: { lostAnswer: 'reset' } });
		const items = [{ name: 'Lost card' }, { name: 'Second card' }];
		const { output, errorOutput } = await runPaySystem(portal(), 'paySystem', 'create', { ...newPaySystem, options: { batch } }, items);
		// The error output keeps the input's fields beside the error.
		const lost = (name: string) => ({ ...lostItem(LOST_WRITE_HINTS.create, { bxRestHandler: 'resthandlercard' }), name });
		if (batch) {
			expect(output).toEqual([]);
			expect(errorOutput.map((item) => [item.json, item.pairedItem])).toEqual([[lost('Lost card'), { item: 0 }], [lost('Second card'), { item: 1 }]]);
			expect(portal().restCalls().map((call) => call.restMethod)).toEqual(['batch']);
		} else {
			expect(errorOutput.map((item) => [item.json, item.pairedItem])).toEqual([[lost('Lost card'), { item: 0 }]]);
			expect(output.map((item) => item.pairedItem)).toEqual([{ item: 1 }]);
			expect(portal().restCalls(ADD)).toHaveLength(2);
		}
		const names = await paySystemNames();
		expect(names).toHaveLength(PAY_SYSTEMS.length + 2);
		expect(names.filter((name) => name === 'Lost card')).toHaveLength(1);
	});

	it('a pay system create that met a 503 page is not sent again either: the portal may have run it', async () => {
		portal().addFault({ restMethod: ADD, times: 1, response: { status: 503, body: '<html>503</html>', contentType: 'text/html' } });
		const { errorOutput } = await runPaySystem(portal(), 'paySystem', 'create', { ...newPaySystem, options: { batch: false } }, [{ name: 'Once' }]);
		expect(errorOutput.map((item) => item.json.details)).toEqual([expect.objectContaining({ errorCode: 'ANSWER_LOST', httpCode: 503, hint: LOST_WRITE_HINTS.create })]);
		expect(portal().restCalls(ADD)).toHaveLength(1);
	});

	it('a refusal for the portal\'s limits comes before it runs anything: the create is sent again and succeeds', async () => {
		portal().addFault({ restMethod: ADD, times: 1, response: { status: 503, json: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' } } });
		const { output, errorOutput } = await runPaySystem(portal(), 'paySystem', 'create', { ...newPaySystem, options: { batch: false } }, [{ name: 'Paced' }]);
		expect(errorOutput).toEqual([]);
		expect(jsonsOf({ output, errorOutput })).toEqual([{ id: expect.any(Number) }]);
		expect(portal().restCalls(ADD)).toHaveLength(2);
	});

	it.each([
		['handler', 'update', 'sale.paysystem.handler.update', { handlerId: 1, updateFields: { name: 'Renamed' } }, { handlerId: 1 }],
		['handler', 'create', 'sale.paysystem.handler.add', { name: 'x', code: 'lostone', settings: JSON.stringify(HANDLER_SETTINGS) }, { code: 'lostone' }],
		['paySystem', 'update', 'sale.paysystem.update', { paySystemId: locator(11), bxRestHandler: locator('resthandlercard', 'code'), personTypeId: 1, updateFields: { name: 'Renamed' } }, { paySystemId: 11 }],
		['paySystem', 'delete', 'sale.paysystem.delete', { paySystemId: locator(12) }, { paySystemId: 12 }],
		['settings', 'update', 'sale.paysystem.settings.update', { paySystemId: locator(11), personTypeId: 0, settings: '{"SHOP_ID":{"TYPE":"VALUE","VALUE":"7"}}' }, { paySystemId: 11, personTypeId: 0 }],
	])('%s / %s: sent once, ANSWER_LOST with what to check', async (resource, operation, method, parameters, ids) => {
		portal().addFault({ restMethod: method, times: 1, response: { lostAnswer: 'reset' } });
		const { output, errorOutput } = await runPaySystem(portal(), resource, operation, { ...parameters, options: { batch: false } });
		expect(output).toEqual([]);
		const hint = operation === 'create' ? LOST_WRITE_HINTS.create : LOST_WRITE_HINTS.change;
		expect(errorOutput.map((item) => item.json)).toEqual([lostItem(hint, ids)]);
		expect(portal().restCalls(method)).toHaveLength(1);
	});

	it('handler / delete: the lists are read, the delete is sent once and its lost answer is ANSWER_LOST', async () => {
		const added = await runPaySystem(portal(), 'handler', 'create', { name: 'Spare', code: 'spare', settings: JSON.stringify(HANDLER_SETTINGS) });
		const [{ id }] = jsonsOf(added) as Array<{ id: number }>;
		portal().addFault({ restMethod: 'sale.paysystem.handler.delete', times: 1, response: { lostAnswer: 'reset' } });
		const { errorOutput } = await runPaySystem(portal(), 'handler', 'delete', { handlerId: id, options: { batch: false } });
		expect(errorOutput.map((item) => item.json)).toEqual([lostItem(LOST_WRITE_HINTS.change, { handlerId: id })]);
		expect(portal().restCalls('sale.paysystem.handler.delete')).toHaveLength(1);
		expect(portal().paySystems.handler('spare')).toBeUndefined();
	});
});
