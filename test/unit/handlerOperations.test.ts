import { operation as create } from '../../nodes/PaySystem/resources/handler/create.operation';
import { operation as remove } from '../../nodes/PaySystem/resources/handler/delete.operation';
import { operation as getAll } from '../../nodes/PaySystem/resources/handler/getAll.operation';
import { operation as update } from '../../nodes/PaySystem/resources/handler/update.operation';
import { answer, callsOf, failureOf, itemsOf, ok, plan, refused } from './paySystemSteps';

const SETTINGS = { CURRENCY: ['RUB'], CODES: { API_KEY: { NAME: 'API key' } }, FORM_DATA: { ACTION_URI: 'https://pay.example/form' } };

describe('handler / create: sale.paysystem.handler.add with NAME, CODE, SORT and SETTINGS, output {id}', () => {
	const parameters = { name: ' My provider ', code: ' myprovider ', sort: 200, settings: JSON.stringify(SETTINGS) };

	it('sends the fields as the method names them, trimmed, with the settings JSON as an object', () => {
		expect(callsOf(plan(create, parameters).step)).toEqual([
			{ method: 'sale.paysystem.handler.add', params: { NAME: 'My provider', CODE: 'myprovider', SORT: 200, SETTINGS }, writes: true },
		]);
	});

	it('takes settings given as an object by an expression', () => {
		expect(callsOf(plan(create, { ...parameters, settings: SETTINGS }).step)[0].params.SETTINGS).toEqual(SETTINGS);
	});

	it.each([
		[7, { id: 7 }],
		['7', { id: 7 }],
	])('the answer %p is the item %p', (result, item) => {
		expect(itemsOf(answer(plan(create, parameters).step, [ok(result)]))).toEqual([item]);
	});

	it.each([[true], [0], ['x'], [null]])('an answer of %p is INVALID_RESPONSE', (result) => {
		expect(failureOf(answer(plan(create, parameters).step, [ok(result)])).failure.errorCode).toBe('INVALID_RESPONSE');
	});

	it('ERROR_HANDLER_ALREADY_EXIST stays the portal\'s failure, and the details name the code', () => {
		const planned = plan(create, parameters);
		expect(failureOf(answer(planned.step, [refused('ERROR_HANDLER_ALREADY_EXIST', 'Handler already exists!')])).failure.errorCode).toBe(
			'ERROR_HANDLER_ALREADY_EXIST',
		);
		expect(planned.ids).toEqual({ code: 'myprovider' });
		expect(create.subject(planned.ids)).toBe('handler myprovider');
	});

	it.each([
		['an empty name', { name: ' ' }, 'Name must be non-empty text; got " "'],
		['settings that are not JSON', { settings: '{oops' }, 'Settings must be a JSON object;'],
		['settings that are a list', { settings: '[1]' }, 'Settings must be a JSON object; got "[1]"'],
		['a negative sort', { sort: -1 }, 'Sort must be a whole number from 0 to 2147483647; got -1'],
		['an empty code', { code: '' }, 'REST Handler Code must be text of 1 to 255 characters; got ""'],
	])('%s is INVALID_PARAMETER, nothing sent', (_label, change, message) => {
		const { failure } = failureOf(plan(create, { ...parameters, ...change }).step);
		expect(failure.errorCode).toBe('INVALID_PARAMETER');
		expect(failure.message).toContain(message);
	});
});

describe('handler / update: sale.paysystem.handler.update with ID and the FIELDS given, output {id, success}', () => {
	it('sends only the fields given', () => {
		const { step } = plan(update, { handlerId: 5, updateFields: { name: 'Renamed', sort: 300 } });
		expect(callsOf(step)).toEqual([{ method: 'sale.paysystem.handler.update', params: { ID: 5, FIELDS: { NAME: 'Renamed', SORT: 300 } }, writes: true }]);
		expect(itemsOf(answer(step, [ok(true)]))).toEqual([{ id: 5, success: true }]);
	});

	it('sends code and settings', () => {
		const { step } = plan(update, { handlerId: '5', updateFields: { code: 'newcode', settings: '{"CODES":{}}' } });
		expect(callsOf(step)[0].params).toEqual({ ID: 5, FIELDS: { CODE: 'newcode', SETTINGS: { CODES: {} } } });
	});

	it('outputs the portal\'s false as success false', () => {
		expect(itemsOf(answer(plan(update, { handlerId: 5, updateFields: { name: 'x' } }).step, [ok(false)]))).toEqual([{ id: 5, success: false }]);
	});

	it('refuses an update that changes nothing', () => {
		expect(failureOf(plan(update, { handlerId: 5, updateFields: {} }).step).failure.message).toBe(
			'Update Fields must name at least one field to change',
		);
	});

	it('ERROR_HANDLER_NOT_FOUND names the handler', () => {
		const planned = plan(update, { handlerId: 9, updateFields: { name: 'x' } });
		expect(failureOf(answer(planned.step, [refused('ERROR_HANDLER_NOT_FOUND', 'Handler not found')])).failure.errorCode).toBe('ERROR_HANDLER_NOT_FOUND');
		expect(update.subject(planned.ids)).toBe('handler 9');
	});
});

describe('handler / getAll: every entry of sale.paysystem.handler.list, over all pages', () => {
	const entry = (id: number) => ({ ID: String(id), NAME: `H${id}`, CODE: `h${id}`, SORT: '100', SETTINGS: {} });

	it('one item per entry, following next with start', () => {
		const { step } = plan(getAll, {});
		expect(callsOf(step)).toEqual([{ method: 'sale.paysystem.handler.list', params: {} }]);
		const second = answer(step, [ok([entry(1), entry(2)], 2)]);
		expect(callsOf(second)).toEqual([{ method: 'sale.paysystem.handler.list', params: { start: 2 } }]);
		expect(itemsOf(answer(second, [ok([entry(3)])]))).toEqual([entry(1), entry(2), entry(3)]);
	});

	it('an empty list is no item', () => {
		expect(itemsOf(answer(plan(getAll, {}).step, [ok([])]))).toEqual([]);
	});

	it('a page that adds nothing ends the list whatever next says', () => {
		expect(itemsOf(answer(plan(getAll, {}).step, [ok([], 50)]))).toEqual([]);
	});

	it('a result that is not a list of entries is INVALID_RESPONSE', () => {
		expect(failureOf(answer(plan(getAll, {}).step, [ok({ a: 1 })])).failure.errorCode).toBe('INVALID_RESPONSE');
		expect(failureOf(answer(plan(getAll, {}).step, [ok([1])])).failure.errorCode).toBe('INVALID_RESPONSE');
	});
});

describe('handler / delete: the handlers and pay systems are read first; a handler in use is refused, naming its pay systems', () => {
	const handlers = [
		{ ID: '5', NAME: 'Card', CODE: 'resthandlercard' },
		{ ID: '6', NAME: 'Unused', CODE: 'unused' },
	];
	const paySystems = [
		{ ID: '11', NAME: 'Card payment', ACTION_FILE: 'resthandlercard' },
		{ ID: '13', NAME: 'Cash', ACTION_FILE: 'cash' },
		{ ID: '14', NAME: 'Card, second shop', ACTION_FILE: 'RestHandlerCard' },
	];

	it('reads both lists in one round', () => {
		expect(callsOf(plan(remove, { handlerId: 5 }).step)).toEqual([
			{ method: 'sale.paysystem.handler.list', params: {} },
			{ method: 'sale.paysystem.list', params: { SELECT: ['ID', 'NAME', 'ACTION_FILE'] } },
		]);
	});

	it('refuses a handler in use as HANDLER_IN_USE, naming each pay system, and sends no delete', () => {
		const done = failureOf(answer(plan(remove, { handlerId: 5 }).step, [ok(handlers), ok(paySystems)]));
		expect(done.failure).toEqual({
			errorCode: 'HANDLER_IN_USE',
			errorDescription: null,
			httpCode: null,
			message: 'HANDLER_IN_USE: The REST handler 5 (resthandlercard) is used by pay systems 11 "Card payment", 14 "Card, second shop"',
		});
		expect(done.ids).toEqual({ paySystemIds: [11, 14] });
	});

	it('deletes a handler no pay system uses: {id, success}', () => {
		const deleting = answer(plan(remove, { handlerId: 6 }).step, [ok(handlers), ok(paySystems)]);
		expect(callsOf(deleting)).toEqual([{ method: 'sale.paysystem.handler.delete', params: { ID: 6 }, writes: true }]);
		expect(itemsOf(answer(deleting, [ok(true)]))).toEqual([{ id: 6, success: true }]);
	});

	it('leaves an unknown handler to the portal, which answers ERROR_HANDLER_NOT_FOUND', () => {
		const deleting = answer(plan(remove, { handlerId: 99 }).step, [ok(handlers), ok(paySystems)]);
		expect(callsOf(deleting)).toEqual([{ method: 'sale.paysystem.handler.delete', params: { ID: 99 }, writes: true }]);
		expect(failureOf(answer(deleting, [refused('ERROR_HANDLER_NOT_FOUND', 'Handler not found')])).failure.errorCode).toBe('ERROR_HANDLER_NOT_FOUND');
	});

	it('a failed read fails the item and deletes nothing', () => {
		const done = failureOf(answer(plan(remove, { handlerId: 5 }).step, [ok(handlers), refused('ACCESS_DENIED', 'Access denied!', 403)]));
		expect(done.failure.errorCode).toBe('ACCESS_DENIED');
	});

	it.each([[0], ['abc'], [null]])('a handler ID of %p is INVALID_PARAMETER', (handlerId) => {
		expect(failureOf(plan(remove, { handlerId }).step).failure.errorCode).toBe('INVALID_PARAMETER');
	});
});
