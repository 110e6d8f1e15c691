import type { IDataObject } from 'n8n-workflow';

import type { InvoiceSettingsRequest } from '../../nodes/PaySystemInvoiceSettings/invoiceSettings';
import {
	METHOD,
	batchCommand,
	checkHandlerCode,
	methodParams,
	parsePositiveId,
	toErrorItem,
	toSettings,
	toSuccessItems,
} from '../../nodes/PaySystemInvoiceSettings/invoiceSettings';
import { ERROR_TABLE } from '../../nodes/shared/bitrix24/errorTable';

function request(overrides: Partial<InvoiceSettingsRequest> = {}): InvoiceSettingsRequest {
	return {
		itemIndex: 3,
		invoiceId: 10,
		paySystemId: 11,
		bxRestHandler: null,
		outputMode: 'settings',
		...overrides,
	};
}

function handlerRequest(bxRestHandler: string): InvoiceSettingsRequest {
	return request({ paySystemId: null, bxRestHandler });
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

describe('Wire: a single call sends {INVOICE_ID, PAY_SYSTEM_ID} or {INVOICE_ID, BX_REST_HANDLER}', () => {
	it('by pay system id the parameters are exactly INVOICE_ID and PAY_SYSTEM_ID', () => {
		expect(methodParams(request())).toStrictEqual({ INVOICE_ID: 10, PAY_SYSTEM_ID: 11 });
	});

	it('by handler the parameters are exactly INVOICE_ID and BX_REST_HANDLER', () => {
		expect(methodParams(handlerRequest('my_handler'))).toStrictEqual({ INVOICE_ID: 10, BX_REST_HANDLER: 'my_handler' });
	});

	it('the method is sale.paysystem.settings.invoice.get', () => {
		expect(METHOD).toBe('sale.paysystem.settings.invoice.get');
	});
});

describe('Wire: a batch command is the method, ? and a query string whose every value is percent-encoded', () => {
	const HANDLER_PREFIX = 'BX_REST_HANDLER=';

	function splitCommand(command: string): { method: string; query: string } {
		const mark = command.indexOf('?');
		return { method: command.slice(0, mark), query: command.slice(mark + 1) };
	}

	it('by pay system id', () => {
		expect(batchCommand(request())).toBe('sale.paysystem.settings.invoice.get?INVOICE_ID=10&PAY_SYSTEM_ID=11');
	});

	it('by a plain handler code', () => {
		expect(batchCommand(handlerRequest('my_handler.v2-x~'))).toBe(
			'sale.paysystem.settings.invoice.get?INVOICE_ID=10&BX_REST_HANDLER=my_handler.v2-x~',
		);
	});

	it('by a handler code that tries to add a parameter', () => {
		expect(batchCommand(handlerRequest('a&PAY_SYSTEM_ID=1'))).toBe(
			'sale.paysystem.settings.invoice.get?INVOICE_ID=10&BX_REST_HANDLER=a%26PAY_SYSTEM_ID%3D1',
		);
	});

	it("!'()* are percent-encoded too", () => {
		expect(batchCommand(handlerRequest("!'()*"))).toBe('sale.paysystem.settings.invoice.get?INVOICE_ID=10&BX_REST_HANDLER=%21%27%28%29%2A');
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
		const { method, query } = splitCommand(batchCommand(handlerRequest(handler)));
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
	it('[] is {}', () => {
		expect(toSettings([])).toStrictEqual({});
	});

	it('an object is the same object', () => {
		const settings = { REST_SERVICE_ID: 'snum', PS_WORK_MODE: 'REGULAR', NESTED: { a: 1 } };
		expect(toSettings(settings)).toBe(settings);
		expect(toSettings({})).toStrictEqual({});
	});

	it('a non-empty list is a map keyed by position', () => {
		expect(toSettings(['a', { b: 1 }, null])).toStrictEqual({ '0': 'a', '1': { b: 1 }, '2': null });
	});

	it.each<[string, unknown]>([
		['null', null],
		['undefined', undefined],
		['a number', 42],
		['a string', 'settings'],
		['a boolean', true],
	])('%s is not a settings map', (_case, result) => {
		expect(toSettings(result)).toBeNull();
	});
});

describe('Output settings: one item per input item, json is the settings object, paired with its input item', () => {
	it('gives the settings as they came', () => {
		const settings: IDataObject = { REST_SERVICE_ID: 'snum', PS_WORK_MODE: 'REGULAR' };
		expect(toSuccessItems(request({ outputMode: 'settings' }), settings, { start: 1 })).toStrictEqual([
			{ json: settings, pairedItem: { item: 3 } },
		]);
	});

	it('gives one item for empty settings', () => {
		expect(toSuccessItems(request({ outputMode: 'settings' }), {}, null)).toStrictEqual([{ json: {}, pairedItem: { item: 3 } }]);
	});
});

describe("Output keyValue: one item per setting {invoiceId, code, value}, paired with its input item, in the portal's key order", () => {
	it('gives one item per key in key order', () => {
		const settings: IDataObject = { Z_CODE: 'z', A_CODE: 1, M_CODE: null, OBJ_CODE: { nested: true } };
		expect(toSuccessItems(request({ outputMode: 'keyValue' }), settings, null)).toStrictEqual([
			{ json: { invoiceId: 10, code: 'Z_CODE', value: 'z' }, pairedItem: { item: 3 } },
			{ json: { invoiceId: 10, code: 'A_CODE', value: 1 }, pairedItem: { item: 3 } },
			{ json: { invoiceId: 10, code: 'M_CODE', value: null }, pairedItem: { item: 3 } },
			{ json: { invoiceId: 10, code: 'OBJ_CODE', value: { nested: true } }, pairedItem: { item: 3 } },
		]);
	});

	it('an invoice whose settings are empty yields no item', () => {
		expect(toSuccessItems(request({ outputMode: 'keyValue' }), {}, { start: 1 })).toStrictEqual([]);
	});
});

describe('Output full: one item per input {invoiceId, paySystemId, bxRestHandler, settings, time}; the selector not used is null', () => {
	const settings: IDataObject = { REST_SERVICE_ID: 'snum' };
	const time: IDataObject = { start: 1700000000.1, finish: 1700000000.2, duration: 0.1, operating: 0, operating_reset_at: 1700000600 };

	it('by pay system id', () => {
		expect(toSuccessItems(request({ outputMode: 'full' }), settings, time)).toStrictEqual([
			{
				json: { invoiceId: 10, paySystemId: 11, bxRestHandler: null, settings, time },
				pairedItem: { item: 3 },
			},
		]);
	});

	it('by handler', () => {
		expect(toSuccessItems(request({ outputMode: 'full', paySystemId: null, bxRestHandler: 'my_handler' }), settings, time)).toStrictEqual([
			{
				json: { invoiceId: 10, paySystemId: null, bxRestHandler: 'my_handler', settings, time },
				pairedItem: { item: 3 },
			},
		]);
	});

	it('with empty settings and no time', () => {
		expect(toSuccessItems(request({ outputMode: 'full' }), {}, null)).toStrictEqual([
			{
				json: { invoiceId: 10, paySystemId: 11, bxRestHandler: null, settings: {}, time: null },
				pairedItem: { item: 3 },
			},
		]);
	});
});

describe('Errors: a failed item is exactly {json: {error, details: {errorCode, errorDescription, httpCode, invoiceId}}, pairedItem} with no error property on the item', () => {
	const message = 'Bitrix24 error ERROR_INTERNAL_INVOICE_NOT_FOUND: Invoice not found';
	const failure = {
		errorCode: 'ERROR_INTERNAL_INVOICE_NOT_FOUND',
		errorDescription: 'Invoice not found',
		httpCode: 400,
		message,
	};

	it('a Bitrix24 error', () => {
		const item = toErrorItem(2, 404, failure);
		expect(item).toStrictEqual({
			json: {
				error: message,
				details: {
					errorCode: 'ERROR_INTERNAL_INVOICE_NOT_FOUND',
					errorDescription: 'Invoice not found',
					httpCode: 400,
					invoiceId: 404,
					hint: ERROR_TABLE.ERROR_INTERNAL_INVOICE_NOT_FOUND.hint,
				},
			},
			pairedItem: { item: 2 },
		});
		expect(Object.keys(item.json)).toEqual(['error', 'details']);
		expect(Object.prototype.hasOwnProperty.call(item, 'error')).toBe(false);
	});

	it('an invalid parameter: invoiceId null, errorDescription null, httpCode null', () => {
		const item = toErrorItem(0, null, {
			errorCode: 'INVALID_PARAMETER',
			errorDescription: null,
			httpCode: null,
			message: 'Invoice ID must be a whole number from 1 to 2147483647; got "abc"',
		});
		expect(item).toStrictEqual({
			json: {
				error: 'Invoice ID must be a whole number from 1 to 2147483647; got "abc"',
				details: {
					errorCode: 'INVALID_PARAMETER',
					errorDescription: null,
					httpCode: null,
					invoiceId: null,
					hint: ERROR_TABLE.INVALID_PARAMETER.hint,
				},
			},
			pairedItem: { item: 0 },
		});
		expect(Object.keys(item.json)).toEqual(['error', 'details']);
		expect(Object.prototype.hasOwnProperty.call(item, 'error')).toBe(false);
	});
});
