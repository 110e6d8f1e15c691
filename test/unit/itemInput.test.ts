// An item's parameters as an operation reads them (run/itemInput.ts): how a refused value is shown in the
// INVALID_PARAMETER message (docs/contract.md#errors), and which parameters are read once per run.
import type { IDataObject, IExecuteFunctions, INodeParameters, NodeOperationError } from 'n8n-workflow';

import { ItemInput, describeValue, parameterReader, parsePositiveId } from '../../nodes/shared/bitrix24/run/itemInput';

describe('describeValue: a refused value as the message shows it', () => {
	const circular: IDataObject = {};
	circular.self = circular;

	it.each<[string, unknown, string]>([
		['text, quoted', 'abc', '"abc"'],
		['nothing', undefined, 'nothing'],
		['null', null, 'null'],
		['a number', 1.5, '1.5'],
		['NaN', Number.NaN, 'NaN'],
		['Infinity', Number.POSITIVE_INFINITY, 'Infinity'],
		['a boolean', true, 'true'],
		['an object, as JSON', { id: 1 }, '{"id":1}'],
		['an array, as JSON', [1, 2], '[1,2]'],
		['an object JSON cannot write', circular, '[object Object]'],
		['a value JSON leaves out', () => 1, '() => 1'],
		['60 characters, whole', 'x'.repeat(58), `"${'x'.repeat(58)}"`],
		['61 characters, cut to 57 and ...', 'x'.repeat(59), `"${'x'.repeat(56)}...`],
	])('%s', (_case, value, shown) => {
		expect(describeValue(value)).toBe(shown);
	});
});

describe('parsePositiveId: a whole number from 1 to 2147483647, as a number or digits', () => {
	it.each<[unknown, number | null]>([
		[1, 1],
		[' 12 ', 12],
		['007', 7],
		[2147483647, 2147483647],
		[2147483648, null],
		[0, null],
		['0', null],
		[-1, null],
		['-1', null],
		[1.5, null],
		['1e3', null],
		['', null],
		[null, null],
		[true, null],
	])('%p is %p', (value, id) => {
		expect(parsePositiveId(value)).toBe(id);
	});
});

/** A node context whose parameters are these, counting how often each is read. */
function contextOf(parameters: INodeParameters, throwing: string[] = []) {
	const reads: string[] = [];
	const context = {
		getNode: () => ({ parameters }),
		getNodeParameter: (name: string, _itemIndex: number, fallback: unknown) => {
			reads.push(name);
			if (throwing.includes(name)) throw new Error(`Cannot read ${name}`);
			return parameters[name] ?? fallback;
		},
	} as unknown as IExecuteFunctions;
	return { context, reads };
}

describe('ItemInput', () => {
	it('reads a fixed parameter once per run, and one with an expression for every item', () => {
		const { context, reads } = contextOf({
			fixed: 5,
			nested: { mode: 'id', value: '={{ $json.id }}' },
			mapped: '={{ $json.id }}',
			list: ['fixed', '={{ $json.id }}'],
			fixedList: ['a', 'b'],
			empty: null,
		});
		const read = parameterReader(context);
		for (const itemIndex of [0, 1, 2]) {
			for (const name of ['fixed', 'nested', 'mapped', 'list', 'fixedList', 'empty']) read(name, itemIndex, null);
		}
		expect(reads).toEqual(['fixed', 'nested', 'mapped', 'list', 'fixedList', 'empty', 'nested', 'mapped', 'list', 'nested', 'mapped', 'list']);
	});

	it('refuses an option outside its values, naming them', () => {
		const { context } = contextOf({ options: { outputMode: 'table' } });
		const input = new ItemInput(context, 0, parameterReader(context), {});
		expect(() => input.option('outputMode', 'Output', 'settings', ['settings', 'keyValue', 'full'])).toThrow(
			'Output must be one of settings, keyValue, full; got "table"',
		);
	});

	it('takes the fallback of an option that is not set', () => {
		const { context } = contextOf({});
		const input = new ItemInput(context, 0, parameterReader(context), {});
		expect(input.option('outputMode', 'Output', 'settings', ['settings', 'keyValue', 'full'])).toBe('settings');
	});

	it('names the field whose expression failed', () => {
		const { context } = contextOf({}, ['invoiceId']);
		const input = new ItemInput(context, 0, parameterReader(context), {});
		expect(() => input.wholeId('invoiceId', 'Invoice ID')).toThrow('Invoice ID could not be read: Cannot read invoiceId');
	});

	it('records an id that identifies the item, and only that one', () => {
		const { context } = contextOf({ invoiceId: '42', paySystemId: 11 });
		const input = new ItemInput(context, 0, parameterReader(context), { invoiceId: null });
		expect([input.wholeId('invoiceId', 'Invoice ID', { identifies: 'invoiceId' }), input.wholeId('paySystemId', 'Pay System ID')]).toEqual([42, 11]);
		expect(input.ids).toEqual({ invoiceId: 42 });
	});

	it('takes an unset resource locator or handler code as empty text, and refuses it', () => {
		const { context } = contextOf({});
		const input = new ItemInput(context, 0, parameterReader(context), {});
		expect(() => input.wholeId('paySystemId', 'Pay System ID', { locator: true })).toThrow('Pay System ID must be a whole number from 1 to 2147483647; got ""');
		expect(() => input.handlerCode('bxRestHandler', 'REST Handler Code')).toThrow('REST Handler Code must be text of 1 to 255 characters; got ""');
	});

	it('gives a handler code trimmed, and refuses one the portal could not hold', () => {
		const { context } = contextOf({ bxRestHandler: ' resthandlercard ', broken: 'a\nb' });
		const input = new ItemInput(context, 0, parameterReader(context), {});
		expect(input.handlerCode('bxRestHandler', 'REST Handler Code')).toBe('resthandlercard');
		expect(() => input.handlerCode('broken', 'REST Handler Code')).toThrow('REST Handler Code must not contain line breaks or other control characters; got "a\\nb"');
	});

	it('tells its own refusals from other errors, and names the item in them', () => {
		const { context } = contextOf({ invoiceId: 'abc' });
		const input = new ItemInput(context, 2, parameterReader(context), {});
		let refusal: unknown;
		try {
			input.wholeId('invoiceId', 'Invoice ID');
		} catch (error) {
			refusal = error;
		}
		expect(input.refusalOf(refusal)).toBe('Invoice ID must be a whole number from 1 to 2147483647; got "abc"');
		expect((refusal as NodeOperationError).context.itemIndex).toBe(2);
		expect(input.refusalOf(new Error('Invoice ID must be a whole number'))).toBeNull();
	});
});
