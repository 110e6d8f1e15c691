import { startPortal } from '../../dev/emulator/portal';
import type { Portal } from '../../dev/emulator/portal';
import { HANDLERS, PAY_SYSTEMS, settingsFor } from '../../dev/emulator/seed';
import { post } from './post';
import type { Reply } from './post';

// Managing REST handlers, pay systems and settings as Bitrix24's Sale\PaySystem\RestService does: its
// checks in its order, codes and texts, the administrator's right, and every change seen by the reads.
function errorOf(reply: Reply): [number, unknown, unknown] {
	return [reply.status, reply.body?.error, reply.body?.error_description];
}

const IFRAME = { ACTION_URI: 'https://pay.example.com/', FIELDS: { id: { CODE: 'SHOP_ID' } } };
const NEW_HANDLER = { NAME: 'n8n handler', CODE: 'n8nhandler', SETTINGS: { CODES: { SHOP_ID: { NAME: 'Shop ID' } }, IFRAME_DATA: IFRAME } };

describe('managing handlers, pay systems and settings', () => {
	let portal: Portal;
	const call = (method: string, payload: unknown = {}, base = portal.webhookUrl) => post(`${base}${method}`, payload);

	beforeEach(async () => {
		portal = await startPortal();
	});

	afterEach(async () => {
		await portal.stop();
	});

	describe('sale.paysystem.handler.*', () => {
		it('checks NAME, CODE, SETTINGS, CODES, the data block, its ACTION_URI and CLIENT_TYPE in the core order', async () => {
			const add = (payload: unknown) => call('sale.paysystem.handler.add', payload).then(errorOf);
			const failure = (text: string) => [400, 'ERROR_CHECK_FAILURE', text];
			expect(await add({})).toEqual(failure('Parameter NAME is not defined'));
			expect(await add({ NAME: 'x' })).toEqual(failure('Parameter CODE is not defined'));
			expect(await add({ NAME: 'x', CODE: 'x' })).toEqual(failure('Parameter SETTINGS is not defined'));
			expect(await add({ NAME: 'x', CODE: 'x', SETTINGS: { IFRAME_DATA: IFRAME } })).toEqual(failure('Parameter SETTINGS[CODES] is not defined'));
			expect(await add({ NAME: 'x', CODE: 'x', SETTINGS: { CODES: {} } })).toEqual(
				failure('Parameter SETTINGS[FORM_DATA] or SETTINGS[CHECKOUT_DATA] or SETTINGS[IFRAME_DATA] is not defined'),
			);
			expect(await add({ NAME: 'x', CODE: 'x', SETTINGS: { CODES: {}, FORM_DATA: { METHOD: 'POST' } } })).toEqual(failure('Parameter SETTINGS[FORM_DATA][ACTION_URI] is not defined'));
			// The core names IFRAME_DATA for a checkout block without ACTION_URI.
			expect(await add({ NAME: 'x', CODE: 'x', SETTINGS: { CODES: {}, CHECKOUT_DATA: { FIELDS: {} } } })).toEqual(failure('Parameter SETTINGS[IFRAME_DATA][ACTION_URI] is not defined'));
			expect(await add({ NAME: 'x', CODE: 'x', SETTINGS: { CODES: {}, IFRAME_DATA: IFRAME, CLIENT_TYPE: 'b2x' } })).toEqual(failure('Parameter value SETTINGS[CLIENT_TYPE] is invalid'));
			expect(await add({ ...NEW_HANDLER, CODE: 'resthandlercard' })).toEqual([400, 'ERROR_HANDLER_ALREADY_EXIST', 'Handler already exists!']);
		});

		it('adds a handler (its ID, SORT 100), lists it, updates it and deletes it', async () => {
			const added = await call('sale.paysystem.handler.add', { name: NEW_HANDLER.NAME, code: NEW_HANDLER.CODE, settings: NEW_HANDLER.SETTINGS });
			expect(added.body.result).toBe(5);
			const listed = (await call('sale.paysystem.handler.list')).body.result;
			expect(listed).toHaveLength(HANDLERS.length + 1);
			expect(listed[4]).toEqual({ ID: '5', NAME: 'n8n handler', CODE: 'n8nhandler', SORT: '100', SETTINGS: NEW_HANDLER.SETTINGS });
			expect(errorOf(await call('sale.paysystem.handler.update', { ID: 5 }))).toEqual([400, 'ERROR_CHECK_FAILURE', 'Parameter FIELDS is not defined']);
			expect(errorOf(await call('sale.paysystem.handler.update', { ID: 77, FIELDS: { NAME: 'y' } }))).toEqual([400, 'ERROR_HANDLER_NOT_FOUND', 'Handler not found']);
			expect((await call('sale.paysystem.handler.update', { ID: 5, FIELDS: { NAME: 'renamed', SORT: 50 } })).body.result).toBe(true);
			expect(portal.paySystems.handler('n8nhandler')).toMatchObject({ NAME: 'renamed', SORT: '50' });
			expect((await call('sale.paysystem.handler.delete', { ID: 5 })).body.result).toBe(true);
			expect(errorOf(await call('sale.paysystem.handler.delete', { ID: 5 }))).toEqual([400, 'ERROR_HANDLER_NOT_FOUND', 'Handler not found']);
		});

		it('refuses to delete a handler a pay system runs, naming its code in capitals', async () => {
			expect(errorOf(await call('sale.paysystem.handler.delete', { ID: 1 }))).toEqual([400, 'ERROR_PAY_SYSTEM_DELETE', 'Pay system with handler RESTHANDLERCARD exists!']);
			expect((await call('sale.paysystem.handler.delete', { ID: 4 })).body.result).toBe(true);
		});

		it('does not page its list', async () => {
			const reply = await call('sale.paysystem.handler.list');
			expect(Object.keys(reply.body)).toEqual(['result', 'time']);
		});
	});

	describe('sale.paysystem.add/.update/.delete', () => {
		it('checks the handler, then the payer type of the registry type (CRM_INVOICE when none is given)', async () => {
			const add = (payload: unknown) => call('sale.paysystem.add', payload).then(errorOf);
			expect(await add({ NAME: 'x' })).toEqual([400, 'ERROR_CHECK_FAILURE', 'Parameter BX_REST_HANDLER is not defined']);
			expect(await add({ NAME: 'x', BX_REST_HANDLER: 'nope', PERSON_TYPE_ID: 1 })).toEqual([400, 'ERROR_HANDLER_NOT_FOUND', 'Handler not found']);
			expect(await add({ NAME: 'x', BX_REST_HANDLER: 'resthandlerunused', PERSON_TYPE_ID: 1 })).toEqual([400, 'ERROR_PERSON_TYPE_NOT_FOUND', 'Incorrect person type id!']);
			expect(await add({ NAME: 'x', BX_REST_HANDLER: 'resthandlerunused', PERSON_TYPE_ID: 3, ENTITY_REGISTRY_TYPE: 'ORDER' })).toEqual([400, 'ERROR_PERSON_TYPE_NOT_FOUND', 'Incorrect person type id!']);
		});

		it('adds a pay system with its settings, lists it, updates it and deletes it', async () => {
			const added = await call('sale.paysystem.add', {
				NAME: 'Merchant',
				BX_REST_HANDLER: 'resthandlerunused',
				PERSON_TYPE_ID: 1,
				ENTITY_REGISTRY_TYPE: 'ORDER',
				ACTIVE: 'Y',
				XML_ID: 'ext-1',
				SETTINGS: { merchant_id: { TYPE: 'VALUE', VALUE: 'm-1' } },
			});
			expect(added.body.result).toBe(16);
			const listed = (await call('sale.paysystem.list', { filter: { ID: 16 } })).body.result;
			expect(listed).toEqual([{ ID: 16, NAME: 'Merchant', PSA_NAME: 'Merchant', ACTION_FILE: 'resthandlerunused', ACTIVE: 'Y', SORT: 100, DESCRIPTION: '', PERSON_TYPE_ID: 1, ENTITY_REGISTRY_TYPE: 'ORDER', IS_CASH: 'N', XML_ID: 'ext-1' }]);
			expect((await call('sale.paysystem.settings.get', { ID: 16, PERSON_TYPE_ID: 1 })).body.result).toEqual({ MERCHANT_ID: { TYPE: 'VALUE', VALUE: 'm-1' } });
			expect((await call('sale.paysystem.list')).body.result).toHaveLength(PAY_SYSTEMS.length + 1);
			expect((await call('sale.paysystem.update', { ID: 16, FIELDS: { NAME: 'Renamed', BX_REST_HANDLER: 'resthandlerunused', PERSON_TYPE_ID: 2, XML_ID: 'ignored' } })).body.result).toBe(true);
			expect(portal.paySystems.get(16)).toMatchObject({ NAME: 'Renamed', PERSON_TYPE_ID: 2, XML_ID: 'ext-1' });
			expect((await call('sale.paysystem.delete', { ID: 16 })).body.result).toBe(true);
			expect(errorOf(await call('sale.paysystem.delete', { ID: 16 }))).toEqual([400, 'ERROR_PAY_SYSTEM_NOT_FOUND', 'Pay system not found']);
		});

		it('looks the handler and the payer type up on every update, then the pay system', async () => {
			const update = (payload: unknown) => call('sale.paysystem.update', payload).then(errorOf);
			expect(await update({ ID: 11, FIELDS: { NAME: 'x' } })).toEqual([400, 'ERROR_HANDLER_NOT_FOUND', 'Handler not found']);
			expect(await update({ ID: 99, FIELDS: { NAME: 'x', BX_REST_HANDLER: 'resthandlercard', PERSON_TYPE_ID: 1 } })).toEqual([400, 'ERROR_PAY_SYSTEM_NOT_FOUND', 'Pay system not found']);
			expect(await update({ ID: 11, FIELDS: { NAME: 'x', BX_REST_HANDLER: 'resthandlercard' } })).toEqual([400, 'ERROR_PERSON_TYPE_NOT_FOUND', 'Incorrect person type id!']);
			// A pay system on a built-in handler is not REST's to change.
			expect(await update({ ID: 13, FIELDS: { NAME: 'x', BX_REST_HANDLER: 'cash', PERSON_TYPE_ID: 1 } })).toEqual([403, 'ACCESS_DENIED', 'Access denied!']);
			expect(await call('sale.paysystem.delete', { ID: 13 }).then(errorOf)).toEqual([403, 'ACCESS_DENIED', 'Access denied!']);
		});
	});

	describe('sale.paysystem.settings.*', () => {
		it('reads each code of the handler as TYPE and VALUE, the defaults for a payer type without its own', async () => {
			const reply = await call('sale.paysystem.settings.get', { ID: 12, PERSON_TYPE_ID: 0 });
			expect(reply.body.result).toEqual({
				BANK_NAME: { TYPE: 'VALUE', VALUE: 'Example Bank' },
				PAYMENT_ID: { TYPE: 'PAYMENT', VALUE: 'ACCOUNT_NUMBER' },
				PS_WORK_MODE: { TYPE: 'VALUE', VALUE: 'TEST' },
			});
			expect((await call('sale.paysystem.settings.get', { ID: 12, PERSON_TYPE_ID: 2 })).body.result).toEqual(reply.body.result);
		});

		it('checks PERSON_TYPE_ID, ID, the pay system and its handler in that order', async () => {
			const get = (payload: unknown) => call('sale.paysystem.settings.get', payload).then(errorOf);
			expect(await get({})).toEqual([400, 'ERROR_CHECK_FAILURE', 'Parameter PERSON_TYPE_ID is not defined']);
			expect(await get({ PERSON_TYPE_ID: 0 })).toEqual([400, 'ERROR_CHECK_FAILURE', 'Parameter ID is not defined']);
			expect(await get({ PERSON_TYPE_ID: 0, ID: 99 })).toEqual([400, 'ERROR_CHECK_FAILURE', 'Pay system not found']);
			expect(await get({ PERSON_TYPE_ID: 0, ID: 13 })).toEqual([403, 'ACCESS_DENIED', 'Access denied!']);
		});

		it('writes settings for one payer type; the defaults and the settings reads show them', async () => {
			const update = (payload: unknown) => call('sale.paysystem.settings.update', payload).then(errorOf);
			expect(await update({})).toEqual([400, 'ERROR_CHECK_FAILURE', 'Parameter ID is not defined']);
			expect(await update({ ID: 99, SETTINGS: { A: {} } })).toEqual([400, 'ERROR_CHECK_FAILURE', 'Pay system not found']);
			expect(await update({ ID: 11, SETTINGS: {} })).toEqual([400, 'ERROR_HANDLER_NOT_FOUND', 'Parameter SETTINGS is not defined or empty']);
			expect((await call('sale.paysystem.settings.update', { ID: 11, PERSON_TYPE_ID: 2, SETTINGS: { rest_service_id_iframe: { TYPE: 'VALUE', VALUE: 'shop-2' } } })).body.result).toBe(true);
			expect((await call('sale.paysystem.settings.get', { ID: 11, PERSON_TYPE_ID: 2 })).body.result.REST_SERVICE_ID_IFRAME).toEqual({ TYPE: 'VALUE', VALUE: 'shop-2' });
			expect((await call('sale.paysystem.settings.get', { ID: 11, PERSON_TYPE_ID: 1 })).body.result.REST_SERVICE_ID_IFRAME).toEqual({ TYPE: 'VALUE', VALUE: 'snum' });
			await call('sale.paysystem.settings.update', { ID: 11, SETTINGS: { REST_SERVICE_KEY_IFRAME: { TYPE: 'VALUE', VALUE: 'new-key' } } });
			const invoiceSettings = await call('sale.paysystem.settings.invoice.get', { INVOICE_ID: 10, PAY_SYSTEM_ID: 11 });
			expect(invoiceSettings.body.result).toEqual({ ...settingsFor(11, 10), REST_SERVICE_KEY_IFRAME: 'new-key' });
		});
	});

	it('refuses the sales manager every method that manages, with the REST access error', async () => {
		const manager = portal.managerWebhookUrl;
		for (const method of ['sale.paysystem.handler.list', 'sale.paysystem.handler.add', 'sale.paysystem.list', 'sale.paysystem.add', 'sale.paysystem.settings.get', 'sale.paysystem.settings.update']) {
			expect([method, ...errorOf(await call(method, {}, manager))]).toEqual([method, 403, 'ACCESS_DENIED', 'Access denied!']);
		}
		expect((await call('profile', {}, manager)).body.result).toMatchObject({ ID: '2', ADMIN: false });
	});

	it('answers inside batch, and a change made by one command is seen by the next', async () => {
		const cmd = {
			add: 'sale.paysystem.handler.add?NAME=b&CODE=batchhandler&SETTINGS[CODES][X][NAME]=x&SETTINGS[FORM_DATA][ACTION_URI]=https://b.example.com/',
			again: 'sale.paysystem.handler.add?NAME=b&CODE=batchhandler&SETTINGS[CODES][X][NAME]=x&SETTINGS[FORM_DATA][ACTION_URI]=https://b.example.com/',
			list: 'sale.paysystem.handler.list',
		};
		const reply = await call('batch', { halt: 0, cmd });
		expect(reply.body.result.result.add).toBe(5);
		expect(reply.body.result.result_error.again).toEqual({ error: 'ERROR_HANDLER_ALREADY_EXIST', error_description: 'Handler already exists!' });
		expect(reply.body.result.result.list.map((handler: { CODE: string }) => handler.CODE)).toContain('batchhandler');
	});
});
