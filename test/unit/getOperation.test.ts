import type { IDataObject, IExecuteFunctions, INodeParameters } from 'n8n-workflow';

import { METHOD, operation } from '../../nodes/PaySystemInvoiceSettings/actions/get.operation';
import type { Bitrix24Outcome } from '../../nodes/shared/bitrix24/transport/answers';
import { asMap } from '../../nodes/shared/bitrix24/transport/answers';
import type { Call } from '../../nodes/shared/bitrix24/transport/calls';
import { toBatchCommand } from '../../nodes/shared/bitrix24/transport/calls';
import { hintOf } from '../contract/hints';
import { toErrorItem } from '../../nodes/shared/bitrix24/errors/failures';
import { ItemInput, checkHandlerCode, parameterReader, parsePositiveId } from '../../nodes/shared/bitrix24/run/itemInput';
import type { Step } from '../../nodes/shared/bitrix24/run/operation';

/** The get operation's first step for one item with these node parameters. */
function planGet(parameters: INodeParameters): Step {
	const context = {
		getNode: () => ({ parameters }),
		getNodeParameter: (name: string, _itemIndex: number, fallback: unknown, options?: { extractValue?: boolean }) => {
			const value = parameters[name] ?? fallback;
			return options?.extractValue === true && typeof value === 'object' && value !== null ? (value as IDataObject).value : value;
		},
	} as unknown as IExecuteFunctions;
	return operation.plan(new ItemInput(context, 3, parameterReader(context), operation.ids));
}

/** The get operation's first step for an item whose expression in each of `failing` fails with "Referenced node is unexecuted". */
function planGetFailing(parameters: INodeParameters, failing: string[]): Step {
	const context = {
		getNode: () => ({ parameters }),
		getNodeParameter: (name: string, _itemIndex: number, fallback: unknown, options?: { extractValue?: boolean }) => {
			if (failing.includes(name)) throw new Error('Referenced node is unexecuted');
			const value = parameters[name] ?? fallback;
			return options?.extractValue === true && typeof value === 'object' && value !== null ? (value as IDataObject).value : value;
		},
	} as unknown as IExecuteFunctions;
	return operation.plan(new ItemInput(context, 0, parameterReader(context), operation.ids));
}

const byId = (outputMode = 'settings'): INodeParameters => ({
	invoiceId: 10,
	paySystemBy: 'id',
	paySystemId: { __rl: true, mode: 'id', value: 11 },
	options: { outputMode },
});

const byHandlerCode = (code: string, outputMode = 'settings'): INodeParameters => ({
	invoiceId: 10,
	paySystemBy: 'handler',
	bxRestHandler: { __rl: true, mode: 'code', value: code },
	options: { outputMode },
});

function callOf(step: Step): Call {
	if (!('calls' in step)) throw new Error('the item makes no call');
	expect(step.calls).toHaveLength(1);
	return step.calls[0];
}

/** The output json of an item whose one call (a single call, answered HTTP 200) answered with these settings. */
function itemsOf(step: Step, result: unknown, time: IDataObject | null): IDataObject[] {
	if (!('calls' in step)) throw new Error('the item makes no call');
	const answer: Bitrix24Outcome = { ok: true, result, time, httpCode: 200 };
	const next = step.next([answer]);
	if (!('items' in next)) throw new Error('the answer gave no items');
	return next.items;
}

describe('invoiceId is a whole number >= 1; expressions may give numbers or numeric strings; anything else is INVALID_PARAMETER', () => {
	it.each<[unknown, number]>([
		[1, 1],
		[10, 10],
		['12', 12],
		[' 7 ', 7],
		[2147483647, 2147483647],
		['2147483647', 2147483647],
	])('%p is the id %p', (value, id) => {
		expect(parsePositiveId(value)).toBe(id);
	});

	it.each<[string, unknown]>([
		['0', 0],
		['-1', -1],
		['1.5', 1.5],
		["'1.5'", '1.5'],
		["''", ''],
		["' '", ' '],
		["'abc'", 'abc'],
		["'12abc'", '12abc'],
		["'1e3'", '1e3'],
		['2147483648', 2147483648],
		["'2147483648'", '2147483648'],
		['Number.MAX_SAFE_INTEGER + 2', Number.MAX_SAFE_INTEGER + 2],
		['NaN', NaN],
		['Infinity', Infinity],
		['-Infinity', -Infinity],
		['null', null],
		['undefined', undefined],
		['true', true],
		['[]', []],
		['[1]', [1]],
		['{}', {}],
		["'-3'", '-3'],
		["'0x10'", '0x10'],
		["'0'", '0'],
	])('%s is not an id', (_label, value) => {
		expect(parsePositiveId(value)).toBeNull();
	});
});

describe('bxRestHandler: trimmed text of 1 to 255 characters without line breaks or control characters; anything else is INVALID_PARAMETER', () => {
	it.each<[string, unknown, string]>([
		['a plain code', 'resthandlercard', 'resthandlercard'],
		['a code in surrounding whitespace', ' resthandlercard\r\n\t', 'resthandlercard'],
		['a space inside', 'my handler', 'my handler'],
		['& = ? # % + /', 'a&b=c?d#e%f+g/h', 'a&b=c?d#e%f+g/h'],
		['unicode', 'обработчик ✓ 😀', 'обработчик ✓ 😀'],
		['a right-to-left override', '\u202Ecode', '\u202Ecode'],
		['255 characters', 'h'.repeat(255), 'h'.repeat(255)],
		['255 emoji (510 UTF-16 units)', '💳'.repeat(255), '💳'.repeat(255)],
	])('%s is sent as %j', (_label, value, code) => {
		expect(checkHandlerCode(value)).toEqual({ code });
	});

	const TEXT = 'REST Handler Code must be text of 1 to 255 characters; got';
	const CONTROL = 'REST Handler Code must not contain line breaks or other control characters; got';
	it.each<[string, unknown, string]>([
		['empty', '', `${TEXT} ""`],
		['only whitespace', ' \n\t ', `${TEXT} " \\n\\t "`],
		['a number', 42, `${TEXT} 42`],
		['NaN', NaN, `${TEXT} NaN`],
		['null', null, `${TEXT} null`],
		['undefined', undefined, `${TEXT} nothing`],
		['an array', ['code'], `${TEXT} ["code"]`],
		['256 characters', 'h'.repeat(256), `${TEXT} 256 characters`],
		['10 KB', 'h'.repeat(10240), `${TEXT} 10240 characters`],
		['256 emoji', '💳'.repeat(256), `${TEXT} 256 characters`],
		['a line break', 'a\nb', `${CONTROL} "a\\nb"`],
		['CR LF', 'a\r\nb', `${CONTROL} "a\\r\\nb"`],
		['a tab', 'a\tb', `${CONTROL} "a\\tb"`],
		['NUL', 'a\u0000b', `${CONTROL} "a\\u0000b"`],
		['DEL', 'a\u007Fb', `${CONTROL} "a\u007Fb"`],
		['a C1 control', 'a\u0085b', `${CONTROL} "a\u0085b"`],
		['a line separator', 'a\u2028b', `${CONTROL} "a\u2028b"`],
		['a paragraph separator', 'a\u2029b', `${CONTROL} "a\u2029b"`],
		['a lone high surrogate', 'card\ud800', 'REST Handler Code must be valid Unicode text; got "card\\ud800"'],
		['a lone low surrogate', '\udc00card', 'REST Handler Code must be valid Unicode text; got "\\udc00card"'],
	])('%s is refused', (_label, value, problem) => {
		expect(checkHandlerCode(value)).toEqual({ problem });
	});
});

describe('A refused value names its field as the editor shows it (INVALID_PARAMETER)', () => {
	it.each<[string, INodeParameters, string[], string]>([
		['Pay System By, whose expression fails', byId(), ['paySystemBy'], 'Pay System By could not be read: Referenced node is unexecuted'],
		['Pay System ID, whose expression fails', byId(), ['paySystemId'], 'Pay System ID could not be read: Referenced node is unexecuted'],
		['Pay System ID, not a number', { ...byId(), paySystemId: { __rl: true, mode: 'id', value: 'card' } }, [], 'Pay System ID must be a whole number from 1 to 2147483647; got "card"'],
		['REST Handler Code, whose expression fails', byHandlerCode('card'), ['bxRestHandler'], 'REST Handler Code could not be read: Referenced node is unexecuted'],
		['Output, whose expression fails', byId(), ['options'], 'Options could not be read: Referenced node is unexecuted'],
	])('%s', (_case, parameters, failing, problem) => {
		expect(() => planGetFailing(parameters, failing)).toThrow(problem);
	});
});

describe('Wire: a single call sends {INVOICE_ID, PAY_SYSTEM_ID} or {INVOICE_ID, BX_REST_HANDLER}', () => {
	it('by pay system id the parameters are exactly INVOICE_ID and PAY_SYSTEM_ID', () => {
		expect(callOf(planGet(byId())).params).toStrictEqual({ INVOICE_ID: 10, PAY_SYSTEM_ID: 11 });
	});

	it('by handler the parameters are exactly INVOICE_ID and BX_REST_HANDLER', () => {
		expect(callOf(planGet(byHandlerCode('my_handler'))).params).toStrictEqual({ INVOICE_ID: 10, BX_REST_HANDLER: 'my_handler' });
	});

	it('the method is sale.paysystem.settings.invoice.get', () => {
		expect(METHOD).toBe('sale.paysystem.settings.invoice.get');
		expect(callOf(planGet(byId())).method).toBe(METHOD);
	});
});

describe('Wire: a batch command is the method, ? and a query string whose every value is percent-encoded', () => {
	const HANDLER_PREFIX = 'BX_REST_HANDLER=';

	function splitCommand(command: string): { method: string; query: string } {
		const mark = command.indexOf('?');
		return { method: command.slice(0, mark), query: command.slice(mark + 1) };
	}

	it('by pay system id', () => {
		expect(toBatchCommand(callOf(planGet(byId())))).toBe('sale.paysystem.settings.invoice.get?INVOICE_ID=10&PAY_SYSTEM_ID=11');
	});

	it('by a plain handler code', () => {
		expect(toBatchCommand(callOf(planGet(byHandlerCode('my_handler.v2-x~'))))).toBe(
			'sale.paysystem.settings.invoice.get?INVOICE_ID=10&BX_REST_HANDLER=my_handler.v2-x~',
		);
	});

	it('by a handler code that tries to add a parameter', () => {
		expect(toBatchCommand(callOf(planGet(byHandlerCode('a&PAY_SYSTEM_ID=1'))))).toBe(
			'sale.paysystem.settings.invoice.get?INVOICE_ID=10&BX_REST_HANDLER=a%26PAY_SYSTEM_ID%3D1',
		);
	});

	it("!'()* are percent-encoded too", () => {
		expect(toBatchCommand(callOf(planGet(byHandlerCode("!'()*"))))).toBe('sale.paysystem.settings.invoice.get?INVOICE_ID=10&BX_REST_HANDLER=%21%27%28%29%2A');
	});

	it.each([
		['an ampersand and a parameter', 'a&PAY_SYSTEM_ID=1'],
		['an equals sign', 'x=y'],
		['a question mark', 'what?INVOICE_ID=5'],
		['a hash', 'hash#tag'],
		['a percent sign', '100%'],
		['a percent escape', 'a%26b'],
		['a plus sign', 'a+b'],
		['a slash', 'path/to/handler'],
		['spaces', 'with some spaces'],
		['a newline and a carriage return', 'line\nbreak\r\nend'],
		['quotes', 'quote"s and \'single\''],
		["!'()*", "!'()*"],
		['unicode', 'обработчик ✓ 😀'],
		['everything at once', '& = ? # % + / \n " \' ! ( ) * ü'],
		['a parameter array', 'x&INVOICE_ID[]=1&halt=1'],
	])('a handler code with %s decodes to exactly INVOICE_ID and BX_REST_HANDLER with the code as written', (_case, handler) => {
		// The encoding alone: some of these codes never pass the operation's own check.
		const { method, query } = splitCommand(toBatchCommand({ method: METHOD, params: { INVOICE_ID: 10, BX_REST_HANDLER: handler } }));
		expect(method).toBe(METHOD);
		const params = new URLSearchParams(query);
		expect([...params.keys()]).toEqual(['INVOICE_ID', 'BX_REST_HANDLER']);
		expect(params.get('INVOICE_ID')).toBe('10');
		expect(params.get('BX_REST_HANDLER')).toBe(handler);

		expect(query.startsWith(`INVOICE_ID=10&${HANDLER_PREFIX}`)).toBe(true);
		const value = query.slice(`INVOICE_ID=10&${HANDLER_PREFIX}`.length);
		expect(value).not.toMatch(/[&=#+ \n\r?]/);
		expect(value).toMatch(/^[A-Za-z0-9_.~%-]*$/);
		expect(decodeURIComponent(value)).toBe(handler);
	});
});

describe('PHP portals send an empty settings object as []: that is {}', () => {
	it('an answer of [] gives the settings {}', () => {
		expect(itemsOf(planGet(byId()), [], null)).toStrictEqual([{}]);
	});

	it('[] is {}', () => {
		expect(asMap([])).toStrictEqual({});
	});

	it('an object is the same object', () => {
		const settings = { REST_SERVICE_ID: 'snum', PS_WORK_MODE: 'REGULAR', NESTED: { a: 1 } };
		expect(asMap(settings)).toBe(settings);
		expect(asMap({})).toStrictEqual({});
	});

	it('a non-empty list is a map keyed by position', () => {
		expect(asMap(['a', { b: 1 }, null])).toStrictEqual({ '0': 'a', '1': { b: 1 }, '2': null });
	});

	it.each<[string, unknown]>([
		['null', null],
		['undefined', undefined],
		['a number', 42],
		['a string', 'settings'],
		['a boolean', true],
	])('%s is not a settings map', (_case, result) => {
		expect(asMap(result)).toBeNull();
	});
});

describe('Output settings: one item per input item, json is the settings object', () => {
	it('gives the settings as they came', () => {
		const settings: IDataObject = { REST_SERVICE_ID: 'snum', PS_WORK_MODE: 'REGULAR' };
		expect(itemsOf(planGet(byId('settings')), settings, { start: 1 })).toStrictEqual([settings]);
	});

	it('gives one item for empty settings', () => {
		expect(itemsOf(planGet(byId('settings')), {}, null)).toStrictEqual([{}]);
	});
});

describe("Output keyValue: one item per setting {invoiceId, code, value}, in the portal's key order", () => {
	it('gives one item per key in key order', () => {
		const settings: IDataObject = { Z_CODE: 'z', A_CODE: 1, M_CODE: null, OBJ_CODE: { nested: true } };
		expect(itemsOf(planGet(byId('keyValue')), settings, null)).toStrictEqual([
			{ invoiceId: 10, code: 'Z_CODE', value: 'z' },
			{ invoiceId: 10, code: 'A_CODE', value: 1 },
			{ invoiceId: 10, code: 'M_CODE', value: null },
			{ invoiceId: 10, code: 'OBJ_CODE', value: { nested: true } },
		]);
	});

	it('an invoice whose settings are empty yields no item', () => {
		expect(itemsOf(planGet(byId('keyValue')), {}, { start: 1 })).toStrictEqual([]);
	});
});

describe('Output full: one item per input {invoiceId, paySystemId, bxRestHandler, settings, time}; the selector not used is null', () => {
	const settings: IDataObject = { REST_SERVICE_ID: 'snum' };
	const time: IDataObject = { start: 1700000000.1, finish: 1700000000.2, duration: 0.1, operating: 0, operating_reset_at: 1700000600 };

	it('by pay system id', () => {
		expect(itemsOf(planGet(byId('full')), settings, time)).toStrictEqual([
			{ invoiceId: 10, paySystemId: 11, bxRestHandler: null, settings, time },
		]);
	});

	it('by handler', () => {
		expect(itemsOf(planGet(byHandlerCode('my_handler', 'full')), settings, time)).toStrictEqual([
			{ invoiceId: 10, paySystemId: null, bxRestHandler: 'my_handler', settings, time },
		]);
	});

	it('with empty settings and no time', () => {
		expect(itemsOf(planGet(byId('full')), {}, null)).toStrictEqual([
			{ invoiceId: 10, paySystemId: 11, bxRestHandler: null, settings: {}, time: null },
		]);
	});
});

describe('Errors: a failed item is exactly {json: {error, details: {errorCode, errorDescription, httpCode, invoiceId, hint}}, pairedItem} with no error property on the item', () => {
	const message = 'Bitrix24 error ERROR_INTERNAL_INVOICE_NOT_FOUND: Invoice not found';
	const failure = {
		errorCode: 'ERROR_INTERNAL_INVOICE_NOT_FOUND',
		errorDescription: 'Invoice not found',
		httpCode: 400,
		message,
	};
	const failedItem = (itemIndex: number, invoiceId: number | null) => ({
		itemIndex,
		ids: { invoiceId },
		subject: operation.subject({ invoiceId }),
		noSubject: operation.noSubject,
	});

	it('a Bitrix24 error', () => {
		const item = toErrorItem(failure, failedItem(2, 404));
		expect(item).toStrictEqual({
			json: {
				error: message,
				details: {
					errorCode: 'ERROR_INTERNAL_INVOICE_NOT_FOUND',
					errorDescription: 'Invoice not found',
					httpCode: 400,
					invoiceId: 404,
					hint: hintOf('ERROR_INTERNAL_INVOICE_NOT_FOUND'),
				},
			},
			pairedItem: { item: 2 },
		});
		expect(Object.keys(item.json)).toEqual(['error', 'details']);
		expect(Object.prototype.hasOwnProperty.call(item, 'error')).toBe(false);
	});

	it('an invalid parameter: invoiceId null, errorDescription null, httpCode null', () => {
		expect(() => planGet({ ...byId(), invoiceId: 'abc' })).toThrow('Invoice ID must be a whole number from 1 to 2147483647; got "abc"');
		const item = toErrorItem(
			{
				errorCode: 'INVALID_PARAMETER',
				errorDescription: null,
				httpCode: null,
				message: 'INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got "abc"',
			},
			failedItem(0, null),
		);
		expect(item).toStrictEqual({
			json: {
				error: 'INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got "abc"',
				details: {
					errorCode: 'INVALID_PARAMETER',
					errorDescription: null,
					httpCode: null,
					invoiceId: null,
					hint: hintOf('INVALID_PARAMETER'),
				},
			},
			pairedItem: { item: 0 },
		});
		expect(Object.keys(item.json)).toEqual(['error', 'details']);
		expect(Object.prototype.hasOwnProperty.call(item, 'error')).toBe(false);
	});
});
