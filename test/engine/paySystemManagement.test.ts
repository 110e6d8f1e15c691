import { HANDLERS, PAY_SYSTEMS } from '../../dev/emulator/seed';
import { usePortal } from '../support';
import { HANDLER_SETTINGS, jsonsOf, locator, runPaySystem } from './paySystemRun';

// docs/contract.md#pay-system-management: create, update, list and delete round trips through n8n's
// engine, each with batching on and off.
describe.each([
	['batch on', { batch: true }],
	['batch off', { batch: false }],
])('Handlers, pay systems and settings round trip (%s)', (_label, options) => {
	const portal = usePortal();

	it('handler: create gives {id}, getAll lists it, update and delete give {id, success}', async () => {
		const created = await runPaySystem(portal(), 'handler', 'create', {
			name: 'n8n handler',
			code: 'n8nhandler',
			sort: 50,
			settings: JSON.stringify(HANDLER_SETTINGS),
			options,
		});
		expect(created.errorOutput).toEqual([]);
		expect(jsonsOf(created)).toEqual([{ id: HANDLERS.length + 1 }]);
		const id = HANDLERS.length + 1;

		const listed = jsonsOf(await runPaySystem(portal(), 'handler', 'getAll', { options }));
		expect(listed).toHaveLength(HANDLERS.length + 1);
		expect(listed[HANDLERS.length]).toMatchObject({ NAME: 'n8n handler', CODE: 'n8nhandler' });

		const updated = await runPaySystem(portal(), 'handler', 'update', { handlerId: id, updateFields: { name: 'Renamed' }, options });
		expect(jsonsOf(updated)).toEqual([{ id, success: true }]);
		expect(portal().paySystems.handler('n8nhandler')?.NAME).toBe('Renamed');

		const deleted = await runPaySystem(portal(), 'handler', 'delete', { handlerId: id, options });
		expect(jsonsOf(deleted)).toEqual([{ id, success: true }]);
		expect(portal().paySystems.handler('n8nhandler')).toBeUndefined();
	});

	it('pay system: create, update, getAll and delete; its settings set and read for a payer type', async () => {
		const created = await runPaySystem(portal(), 'paySystem', 'create', {
			name: 'n8n card',
			personTypeId: 1,
			bxRestHandler: locator('resthandlercard', 'code'),
			entityRegistryType: 'ORDER',
			active: true,
			xmlId: 'n8n-card',
			options,
		});
		expect(created.errorOutput).toEqual([]);
		const [{ id }] = jsonsOf(created) as Array<{ id: number }>;
		expect(portal().paySystems.get(id)).toMatchObject({ NAME: 'n8n card', ACTION_FILE: 'resthandlercard', ACTIVE: 'Y', XML_ID: 'n8n-card' });

		const updated = await runPaySystem(portal(), 'paySystem', 'update', {
			paySystemId: locator(id),
			bxRestHandler: locator('resthandlercard', 'code'),
			personTypeId: 2,
			updateFields: { name: 'n8n card 2', active: false },
			options,
		});
		expect(jsonsOf(updated)).toEqual([{ id, success: true }]);
		expect(portal().paySystems.get(id)).toMatchObject({ NAME: 'n8n card 2', ACTIVE: 'N' });

		const setting = { REST_SERVICE_ID_IFRAME: { TYPE: 'VALUE', VALUE: 'shop-7' } };
		const set = await runPaySystem(portal(), 'settings', 'update', { paySystemId: locator(id), personTypeId: 2, settings: JSON.stringify(setting), options });
		expect(jsonsOf(set)).toEqual([{ id, success: true }]);
		const read = await runPaySystem(portal(), 'settings', 'get', { paySystemId: locator(id), personTypeId: 2, options });
		expect(read.errorOutput).toEqual([]);
		expect(jsonsOf(read)).toHaveLength(1);
		expect(jsonsOf(read)[0]).toMatchObject(setting);

		const listed = jsonsOf(await runPaySystem(portal(), 'paySystem', 'getAll', { options }));
		expect(listed.map((entry) => Number(entry.ID))).toEqual([...PAY_SYSTEMS.map((entry) => entry.ID), id].map(Number));

		expect(jsonsOf(await runPaySystem(portal(), 'paySystem', 'delete', { paySystemId: locator(id), options }))).toEqual([{ id, success: true }]);
		expect(portal().paySystems.get(id)).toBeUndefined();
	});
});
