import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { INode, INodeProperties, INodeTypeDescription, NodeHint } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { buildPackageNode, loadedCredentialType, NODE_TYPE, nodeTypesFor, packageNodeType } from '../../dev/harness/engine';
import { PACKAGE_ROOT } from '../../dev/harness/package';
import { byHandler, byPaySystemId } from '../support';

// The node's parameters are what saved workflows hold. Version 1 keeps these names, types, defaults and
// option values; a change here that breaks a saved workflow needs a new node version, not an edit.

interface ParameterShape {
	name: string;
	type: string;
	default: unknown;
	required?: true;
	show?: unknown;
	values?: unknown[];
	modes?: string[];
	range?: [number | undefined, number | undefined];
	options?: ParameterShape[];
}

function shapeOf(property: INodeProperties): ParameterShape {
	const shape: ParameterShape = { name: property.name, type: property.type, default: property.default };
	if (property.required) shape.required = true;
	if (property.displayOptions) shape.show = property.displayOptions.show;
	if (property.type === 'options') shape.values = (property.options as Array<{ value: unknown }>).map((option) => option.value);
	if (property.modes) shape.modes = property.modes.map((mode) => mode.name);
	if (property.typeOptions?.minValue !== undefined) shape.range = [property.typeOptions.minValue, property.typeOptions.maxValue];
	if (property.type === 'collection') shape.options = (property.options as INodeProperties[]).map(shapeOf);
	return shape;
}

const description = (): INodeTypeDescription => packageNodeType().description;

describe('Node version 1: the parameters saved workflows depend on', () => {
	it('is version 1 of bitrix24PaySystemInvoiceSettings, usable as an AI tool', () => {
		expect(description().name).toBe('bitrix24PaySystemInvoiceSettings');
		expect(description().displayName).toBe('Pay System Invoice Settings');
		expect(description().version).toBe(1);
		expect(description().usableAsTool).toBe(true);
		expect(description().credentials).toEqual([
			{ name: 'bitrix24WebhookApi', required: true, displayOptions: { show: { authentication: ['webhook'] } } },
			{ name: 'bitrix24OAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
		]);
	});

	it('keeps every parameter name, type, default and option value', () => {
		const get = { operation: ['get'] };
		expect(description().properties.map(shapeOf)).toEqual([
			{ name: 'authentication', type: 'options', default: 'webhook', values: ['webhook', 'oAuth2'] },
			{ name: 'legacyInvoiceNotice', type: 'notice', default: '' },
			{ name: 'scopeNotice', type: 'notice', default: '' },
			{ name: 'operation', type: 'options', default: 'get', values: ['get'] },
			{ name: 'invoiceId', type: 'number', default: 0, required: true, show: get, range: [1, undefined] },
			{ name: 'paySystemBy', type: 'options', default: 'id', show: get, values: ['id', 'handler'] },
			{
				name: 'paySystemId',
				type: 'resourceLocator',
				default: { mode: 'list', value: '' },
				required: true,
				show: { operation: ['get'], paySystemBy: ['id'] },
				modes: ['list', 'id'],
			},
			{
				name: 'bxRestHandler',
				type: 'resourceLocator',
				default: { mode: 'list', value: '' },
				required: true,
				show: { operation: ['get'], paySystemBy: ['handler'] },
				modes: ['list', 'code'],
			},
			{
				name: 'options',
				type: 'collection',
				default: {},
				// Shared by every operation: no display condition.
				options: [
					{ name: 'batch', type: 'boolean', default: true },
					{ name: 'maxRetries', type: 'number', default: 5, range: [0, 10] },
					{ name: 'outputMode', type: 'options', default: 'settings', values: ['settings', 'keyValue', 'full'] },
					{ name: 'rateLimit', type: 'options', default: 'standard', values: ['standard', 'enterprise', 'none'] },
					{ name: 'timeout', type: 'number', default: 60000, range: [100, 600000] },
				],
			},
		]);
	});
});

describe('What the editor shows: subtitle, notices, hints', () => {
	const workflowWith = (node: INode) =>
		new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: nodeTypesFor([]) });

	function subtitleOf(parameters: Parameters<typeof buildPackageNode>[0]): unknown {
		const node = buildPackageNode(parameters);
		// As the editor's canvas evaluates it: no run data, and a placeholder for what only a run knows.
		return workflowWith(node).expression.getSimpleParameterValue(node, description().subtitle, 'internal', {}, undefined, '[filled at execution time]');
	}

	it('shows the operation and the invoice in the subtitle', () => {
		expect(subtitleOf({ ...byPaySystemId(11), invoiceId: 42 })).toBe('Get settings: invoice 42');
		expect(subtitleOf({ ...byHandler('resthandlercard'), invoiceId: 7 })).toBe('Get settings: invoice 7');
	});

	it('says the invoice comes from the input when it is an expression', () => {
		expect(subtitleOf(byPaySystemId(11))).toBe('Get settings: invoice from input');
	});

	function noticeText(name: string): string {
		const notice = description().properties.find((property) => property.name === name);
		expect(notice?.type).toBe('notice');
		return notice!.displayName;
	}

	it('warns that only legacy invoices are read, and that the pay_system scope is needed', () => {
		expect(noticeText('legacyInvoiceNotice')).toBe(
			'This reads legacy CRM invoices (crm.invoice.*) only. Smart invoices (crm.item, entityTypeId 31) answer "invoice not found".',
		);
		expect(noticeText('scopeNotice')).toBe(
			'The webhook or application needs the pay_system scope. Without it every call fails with insufficient_scope.',
		);
	});

	it('puts a hint under the invoice and pay system fields', () => {
		const hints = Object.fromEntries(
			description()
				.properties.filter((property) => property.hint !== undefined)
				.map((property) => [property.name, property.hint]),
		);
		expect(hints).toEqual({
			invoiceId:
				'Usually mapped from the input, e.g. {{ $json.invoiceId }}. Anything that is not a whole number of 1 or more fails that item without a request.',
			paySystemId: "The list shows the portal's pay systems (sale.paysystem.list). Choose By ID to give the ID from the input.",
			bxRestHandler: 'Handlers are added by Bitrix24 applications (sale.paysystem.handler.list). The code is case-sensitive.',
		});
	});

	function shownHints(parameters: Parameters<typeof buildPackageNode>[0]): string[] {
		const node = buildPackageNode(parameters);
		const workflow = workflowWith(node);
		return (description().hints as NodeHint[])
			.filter((hint) => workflow.expression.getSimpleParameterValue(node, hint.displayCondition, 'internal', {}) === true)
			.map((hint) => hint.message);
	}

	it('shows the output-pane hints only where they apply', () => {
		expect(shownHints(byPaySystemId(11))).toEqual([]);
		expect(shownHints(byPaySystemId(11, { batch: false }))).toEqual([
			'Batch Requests is off: each invoice takes a request of its own, about 2 a second on a standard portal. Turn it on to read up to 50 invoices per request.',
		]);
		expect(shownHints(byPaySystemId(11, { outputMode: 'keyValue' }))).toEqual([
			'In Key-Value Pairs output an invoice whose pay system has no settings gives no item.',
		]);
		expect(new Set((description().hints as NodeHint[]).map((hint) => `${hint.location}/${hint.whenToDisplay}`))).toEqual(
			new Set(['outputPane/afterExecution']),
		);
	});
});

describe('How the panel finds it and where its docs are', () => {
	it('has themed icons and a codex with categories, aliases and documentation links', () => {
		expect(description().icon).toEqual({ light: 'file:../../icons/bitrix24.svg', dark: 'file:../../icons/bitrix24.dark.svg' });
		// n8n reads the codex from the JSON file beside the node's built file.
		const codexFile = path.join(PACKAGE_ROOT, 'dist/nodes/PaySystemInvoiceSettings/Bitrix24PaySystemInvoiceSettings.node.json');
		expect(JSON.parse(readFileSync(codexFile, 'utf8'))).toEqual({
			node: NODE_TYPE,
			nodeVersion: '1.0',
			codexVersion: '1.0',
			categories: ['Sales', 'Finance & Accounting'],
			subcategories: { Sales: ['CRM'] },
			alias: ['Bitrix24', 'pay system', 'payment system', 'invoice', 'CRM'],
			resources: {
				credentialDocumentation: [
					{ url: 'https://apidocs.bitrix24.com/local-integrations/local-webhooks.html' },
					{ url: 'https://apidocs.bitrix24.com/settings/oauth/index.html' },
				],
				primaryDocumentation: [
					{ url: 'https://apidocs.bitrix24.com/api-reference/pay-system/sale-pay-system-settings-invoice-get.html' },
				],
			},
		});
	});
});

describe('Credential forms name the Bitrix24 screen to visit', () => {
	it.each([
		[
			'bitrix24WebhookApi',
			'In Bitrix24 open Applications > Developer resources > Other > Inbound webhook, tick the pay_system scope, save, and paste the webhook URL below.',
		],
		[
			'bitrix24OAuth2Api',
			'In Bitrix24 open Applications > Developer resources > Other > Local application, make a server application with the pay_system scope whose handler path is the OAuth Redirect URL shown here, and paste its application ID and key as Client ID and Client Secret.',
		],
	])('%s has a notice saying where to get it, first among its own fields', (name, notice) => {
		// OAuth2's form shows the fields of oAuth2Api first, then these.
		const [first] = loadedCredentialType(name).properties;
		expect(first).toEqual({ displayName: notice, name: 'setupNotice', type: 'notice', default: '' });
	});
});
