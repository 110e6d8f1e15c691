import { operation as create } from '../../nodes/PaySystem/resources/paySystem/create.operation';
import { operation as remove } from '../../nodes/PaySystem/resources/paySystem/delete.operation';
import { operation as getAll } from '../../nodes/PaySystem/resources/paySystem/getAll.operation';
import { operation as update } from '../../nodes/PaySystem/resources/paySystem/update.operation';
import { operation as getSettings } from '../../nodes/PaySystem/resources/settings/get.operation';
import { operation as updateSettings } from '../../nodes/PaySystem/resources/settings/update.operation';
import { LOST_WRITE_HINTS } from '../../nodes/shared/bitrix24/errors/codes';
import { answerLost, networkFailure, toErrorItem } from '../../nodes/shared/bitrix24/errors/failures';
import type { Bitrix24Outcome } from '../../nodes/shared/bitrix24/transport/answers';
import { answer, callsOf, failureOf, itemsOf, ok, plan, refused } from './paySystemSteps';

const locator = (value: unknown, mode = 'id') => ({ __rl: true, mode, value });

describe('paySystem / create: sale.paysystem.add, output {id}', () => {
	const parameters = {
		name: 'Card payment',
		personTypeId: 1,
		bxRestHandler: locator('resthandlercard', 'list'),
		entityRegistryType: 'ORDER',
		active: true,
		description: '',
		xmlId: '',
		settings: '{}',
	};

	it('sends NAME, PERSON_TYPE_ID, BX_REST_HANDLER, ENTITY_REGISTRY_TYPE and ACTIVE; leaves out empty description, XML ID and settings', () => {
		expect(callsOf(plan(create, parameters).step)).toEqual([
			{
				method: 'sale.paysystem.add',
				params: { NAME: 'Card payment', PERSON_TYPE_ID: 1, BX_REST_HANDLER: 'resthandlercard', ENTITY_REGISTRY_TYPE: 'ORDER', ACTIVE: 'Y' },
				writes: true,
			},
		]);
	});

	it('sends description, XML ID, settings and an inactive flag when given', () => {
		const settings = { API_KEY: { TYPE: 'VALUE', VALUE: 'k' } };
		const params = callsOf(plan(create, { ...parameters, active: false, description: 'Pay by card', xmlId: 'card-1', settings: JSON.stringify(settings), entityRegistryType: 'CRM_INVOICE' }).step)[0].params;
		expect(params).toEqual({
			NAME: 'Card payment',
			PERSON_TYPE_ID: 1,
			BX_REST_HANDLER: 'resthandlercard',
			ENTITY_REGISTRY_TYPE: 'CRM_INVOICE',
			ACTIVE: 'N',
			DESCRIPTION: 'Pay by card',
			XML_ID: 'card-1',
			SETTINGS: settings,
		});
	});

	it.each(['ORDER', 'CRM_INVOICE', 'CRM_QUOTE'])('takes entity registry type %s', (entityRegistryType) => {
		expect(callsOf(plan(create, { ...parameters, entityRegistryType }).step)[0].params.ENTITY_REGISTRY_TYPE).toBe(entityRegistryType);
	});

	it('refuses another entity registry type', () => {
		expect(failureOf(plan(create, { ...parameters, entityRegistryType: 'DEAL' }).step).failure.message).toBe(
			'Entity Registry Type must be one of ORDER, CRM_INVOICE, CRM_QUOTE; got "DEAL"',
		);
	});

	it('outputs {id}; ERROR_PERSON_TYPE_NOT_FOUND and ERROR_HANDLER_NOT_FOUND stay the portal\'s', () => {
		expect(itemsOf(answer(plan(create, parameters).step, [ok(21)]))).toEqual([{ id: 21 }]);
		for (const code of ['ERROR_PERSON_TYPE_NOT_FOUND', 'ERROR_HANDLER_NOT_FOUND']) {
			expect(failureOf(answer(plan(create, parameters).step, [refused(code, 'text')])).failure.errorCode).toBe(code);
		}
		expect(create.subject(plan(create, parameters).ids)).toBe('new pay system on handler resthandlercard');
	});

	it.each([
		['person type 0', { personTypeId: 0 }, 'Person Type ID must be a whole number from 1 to 2147483647; got 0'],
		['an empty name', { name: '' }, 'Name must be non-empty text; got ""'],
		['active as text', { active: 'yes' }, 'Active must be true or false; got "yes"'],
	])('%s is INVALID_PARAMETER', (_label, change, message) => {
		expect(failureOf(plan(create, { ...parameters, ...change }).step).failure.message).toBe(message);
	});
});

describe('paySystem / update: sale.paysystem.update with the handler and payer type the portal checks every time, output {id, success}', () => {
	it('sends ID and FIELDS with BX_REST_HANDLER, PERSON_TYPE_ID and the fields given', () => {
		const { step, ids } = plan(update, {
			paySystemId: locator('11'),
			bxRestHandler: locator('resthandlercard', 'code'),
			personTypeId: 2,
			updateFields: { name: 'Card', active: false, description: 'New text' },
		});
		expect(callsOf(step)).toEqual([
			{
				method: 'sale.paysystem.update',
				params: { ID: 11, FIELDS: { BX_REST_HANDLER: 'resthandlercard', PERSON_TYPE_ID: 2, NAME: 'Card', ACTIVE: 'N', DESCRIPTION: 'New text' } },
				writes: true,
			},
		]);
		expect(ids).toEqual({ paySystemId: 11 });
		expect(itemsOf(answer(step, [ok(true)]))).toEqual([{ id: 11, success: true }]);
	});

	it('ERROR_PAY_SYSTEM_NOT_FOUND names the pay system', () => {
		const planned = plan(update, { paySystemId: locator(99), bxRestHandler: locator('h', 'code'), personTypeId: 1, updateFields: {} });
		expect(failureOf(answer(planned.step, [refused('ERROR_PAY_SYSTEM_NOT_FOUND', 'Pay system not found')])).failure.errorCode).toBe('ERROR_PAY_SYSTEM_NOT_FOUND');
		expect(update.subject(planned.ids)).toBe('pay system 99');
	});
});

describe('paySystem / getAll and delete', () => {
	it('getAll lists every pay system, one item each, over all pages', () => {
		const { step } = plan(getAll, {});
		expect(callsOf(step)).toEqual([{ method: 'sale.paysystem.list', params: {} }]);
		const next = answer(step, [ok([{ ID: '11' }], 1)]);
		expect(callsOf(next)).toEqual([{ method: 'sale.paysystem.list', params: { start: 1 } }]);
		expect(itemsOf(answer(next, [ok([{ ID: '12' }])]))).toEqual([{ ID: '11' }, { ID: '12' }]);
	});

	it('delete sends the ID and outputs {id, success}', () => {
		const { step } = plan(remove, { paySystemId: locator('12', 'list') });
		expect(callsOf(step)).toEqual([{ method: 'sale.paysystem.delete', params: { ID: 12 }, writes: true }]);
		expect(itemsOf(answer(step, [ok(true)]))).toEqual([{ id: 12, success: true }]);
	});

	it('a delete answer that is not true or false is INVALID_RESPONSE', () => {
		expect(failureOf(answer(plan(remove, { paySystemId: locator(12) }).step, [ok('Y')])).failure.errorCode).toBe('INVALID_RESPONSE');
	});
});

describe('settings / get and update: sale.paysystem.settings.get and .update with ID and PERSON_TYPE_ID (0 = defaults)', () => {
	const settings = { API_KEY: { TYPE: 'VALUE', VALUE: 'k' }, SHOP_ID: { TYPE: '', VALUE: null } };

	it('get sends ID and PERSON_TYPE_ID and outputs the settings as the portal gives them', () => {
		const { step, ids } = plan(getSettings, { paySystemId: locator(11), personTypeId: 0 });
		expect(callsOf(step)).toEqual([{ method: 'sale.paysystem.settings.get', params: { ID: 11, PERSON_TYPE_ID: 0 } }]);
		expect(ids).toEqual({ paySystemId: 11, personTypeId: 0 });
		expect(getSettings.subject(ids)).toBe('pay system 11, payer type 0');
		expect(itemsOf(answer(step, [ok(settings)]))).toEqual([settings]);
	});

	it('get reads PHP\'s empty [] as {}', () => {
		expect(itemsOf(answer(plan(getSettings, { paySystemId: locator(11), personTypeId: 1 }).step, [ok([])]))).toEqual([{}]);
	});

	it('update sends SETTINGS and outputs {id, success}', () => {
		const { step } = plan(updateSettings, { paySystemId: locator(11), personTypeId: 1, settings: JSON.stringify(settings) });
		expect(callsOf(step)).toEqual([{ method: 'sale.paysystem.settings.update', params: { ID: 11, PERSON_TYPE_ID: 1, SETTINGS: settings }, writes: true }]);
		expect(itemsOf(answer(step, [ok(true)]))).toEqual([{ id: 11, success: true }]);
	});

	it('a negative payer type is INVALID_PARAMETER', () => {
		expect(failureOf(plan(getSettings, { paySystemId: locator(11), personTypeId: -1 }).step).failure.message).toBe(
			'Person Type ID must be a whole number from 0 to 2147483647; got -1',
		);
	});

	it('ACCESS_DENIED (a pay system on a built-in handler) stays the portal\'s', () => {
		const step = plan(getSettings, { paySystemId: locator(13), personTypeId: 0 }).step;
		expect(failureOf(answer(step, [refused('ACCESS_DENIED', 'Access denied!', 403)])).failure.httpCode).toBe(403);
	});
});

describe('A management write whose answer was lost: ANSWER_LOST with what to check before sending it again', () => {
	const lost = (): Bitrix24Outcome => ({ ok: false, failure: answerLost(networkFailure('ECONNRESET', 'ECONNRESET')) });

	it('a create points to the list', () => {
		const step = plan(create, { name: 'Card', personTypeId: 1, bxRestHandler: locator('resthandlercard', 'code'), entityRegistryType: 'ORDER', active: true, settings: '{}' }).step;
		const { failure } = failureOf(answer(step, [lost()]));
		expect(failure).toMatchObject({ errorCode: 'ANSWER_LOST', hint: LOST_WRITE_HINTS.create });
		expect(toErrorItem(failure, { itemIndex: 0, ids: {}, subject: null, noSubject: '' }).json.details).toMatchObject({ hint: LOST_WRITE_HINTS.create });
	});

	it('an update or delete points to the record', () => {
		const step = plan(remove, { paySystemId: locator(12) }).step;
		expect(failureOf(answer(step, [lost()])).failure).toMatchObject({ errorCode: 'ANSWER_LOST', hint: LOST_WRITE_HINTS.change });
	});

	it('any other failure keeps its code\'s hint', () => {
		const step = plan(remove, { paySystemId: locator(12) }).step;
		expect(failureOf(answer(step, [refused('ERROR_PAY_SYSTEM_NOT_FOUND', 'Pay system not found')])).failure.hint).toBeUndefined();
	});
});
