import type { INodeProperties } from 'n8n-workflow';

import { Bitrix24PaySystem } from '../../nodes/PaySystem/Bitrix24PaySystem.node';
import { RESOURCES } from '../../nodes/PaySystem/resources';

const description = new Bitrix24PaySystem().description;
const property = (name: string, resource?: string): INodeProperties => {
	const found = description.properties.find((entry) => entry.name === name && (resource === undefined || entry.displayOptions?.show?.resource?.[0] === resource));
	if (found === undefined) throw new Error(`no property ${name}`);
	return found;
};

describe('Bitrix24 Pay System: the node as n8n lists it', () => {
	it('is version 1 of bitrix24PaySystem, usable as an AI tool, with both credentials', () => {
		expect(description).toMatchObject({ name: 'bitrix24PaySystem', displayName: 'Bitrix24 Pay System', version: 1, usableAsTool: true });
		expect(description.credentials?.map((credential) => credential.name)).toEqual(['bitrix24WebhookApi', 'bitrix24OAuth2Api']);
		expect(description.icon).toEqual({ light: 'file:../../icons/bitrix24.svg', dark: 'file:../../icons/bitrix24.dark.svg' });
	});

	it('lists the resources by name and makes the first registered one the default', () => {
		const resource = property('resource');
		expect(resource.options?.map((entry) => ('value' in entry ? entry.value : null))).toEqual(['handler', 'invoice', 'paySystem', 'payment', 'settings']);
		expect(resource.default).toBe(RESOURCES[0].option.value);
		expect(resource.default).toBe('payment');
	});

	it.each([
		['payment', ['confirm'], 'confirm'],
		['invoice', ['confirm'], 'confirm'],
		['handler', ['create', 'delete', 'getAll', 'update'], 'create'],
		['paySystem', ['create', 'delete', 'getAll', 'update'], 'create'],
		['settings', ['get', 'update'], 'get'],
	])('%s has the operations %p, %s by default', (resource, operations, fallback) => {
		const selector = property('operation', resource);
		expect(selector.options?.map((entry) => ('value' in entry ? entry.value : null))).toEqual(operations);
		expect(selector.default).toBe(fallback);
	});

	it('has the shared options, and the confirmation\'s only where the operation is Confirm', () => {
		const options = property('options').options as INodeProperties[];
		const shared = ['batch', 'maxRetries', 'maxWaitMinutes', 'parallelRequests', 'rateLimit', 'timeout'];
		const confirmOnly = ['checkFirst', 'statusCode', 'statusDescription', 'statusMessage'];
		expect(options.map((entry) => entry.name).sort()).toEqual([...shared, ...confirmOnly].sort());
		for (const entry of options) {
			expect(entry.displayOptions?.show?.['/operation']).toEqual(confirmOnly.includes(entry.name) ? ['confirm'] : undefined);
		}
	});

	it('runs each operation as <resource>/<operation>', () => {
		const values = RESOURCES.flatMap((resource) => resource.operations.map((entry) => entry.operation.value));
		const expected = RESOURCES.flatMap((resource) => resource.operations.map((entry) => `${String(resource.option.value)}/${String(entry.option.value)}`));
		expect(values).toEqual(expected);
		expect(values).toHaveLength(12);
	});

	it('names the parameters as the contract does', () => {
		const names = new Set(description.properties.map((entry) => entry.name));
		for (const name of ['name', 'code', 'sort', 'settings', 'personTypeId', 'bxRestHandler', 'entityRegistryType', 'active', 'description', 'xmlId', 'paySystemId', 'handlerId']) {
			expect(names).toContain(name);
		}
		expect(property('entityRegistryType').default).toBe('ORDER');
	});
});
