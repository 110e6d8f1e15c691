import { fitsBatchCommand, toBatchCommand } from '../../nodes/shared/bitrix24/transport/calls';

describe('a batch command carries nested parameters as PHP reads them back (docs/contract.md#wire-format)', () => {
	it('writes objects and lists as KEY[sub]=value, every key and value percent-encoded', () => {
		const command = toBatchCommand({
			method: 'sale.paysystem.update',
			params: { ID: 11, FIELDS: { NAME: 'Card & co', ACTIVE: 'Y', LIST: ['a', 'b'] } },
		});
		expect(command).toBe('sale.paysystem.update?ID=11&FIELDS[NAME]=Card%20%26%20co&FIELDS[ACTIVE]=Y&FIELDS[LIST][0]=a&FIELDS[LIST][1]=b');
	});

	it('percent-encodes nested keys, so no key can add a parameter', () => {
		const command = toBatchCommand({ method: 'm', params: { SETTINGS: { 'A&ID=1': { TYPE: 'VALUE', VALUE: 'x=y' } } } });
		expect(command).toBe('m?SETTINGS[A%26ID%3D1][TYPE]=VALUE&SETTINGS[A%26ID%3D1][VALUE]=x%3Dy');
	});

	it('leaves out null values, as PHP does', () => {
		expect(toBatchCommand({ method: 'm', params: { ID: 1, FIELDS: { NAME: null, SORT: 5 } } })).toBe('m?ID=1&FIELDS[SORT]=5');
	});

	it.each([
		['a flat call', { ID: 1, NAME: 'x' }, true],
		['nested objects and lists', { FIELDS: { NAME: 'x', L: [1] } }, true],
		['a nested key with [', { SETTINGS: { 'A[B': 1 } }, false],
		['a nested key with ]', { SETTINGS: { X: { 'B]': 1 } } }, false],
		['an empty object, which a query cannot carry', { SETTINGS: {} }, false],
		['an empty nested list', { SETTINGS: { CODES: [] } }, false],
	])('%s fits a batch command: %p', (_label, params, fits) => {
		expect(fitsBatchCommand({ method: 'm', params })).toBe(fits);
	});
});
