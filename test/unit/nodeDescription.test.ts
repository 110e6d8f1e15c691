import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { INode, INodeParameters, INodeProperties, INodeTypeDescription, NodeHint } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import { buildPackageNode, loadedCredentialType, NODE_TYPE, nodeTypesFor, packageNodeType } from '../../dev/harness/engine';
import { PACKAGE_ROOT } from '../../dev/harness/package';
import { byHandler, byPaySystemId, resourceLocator } from '../support';

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

const PAYMENT: INodeParameters = { operation: 'getForPayment', paymentId: 501, paySystemId: resourceLocator('id', 11) };
const CRM_ITEM: INodeParameters = { operation: 'getForCrmItem', entityId: 5 };

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
		const getForPayment = { operation: ['getForPayment'] };
		const getForCrmItem = { operation: ['getForCrmItem'] };
		const locator = { type: 'resourceLocator', default: { mode: 'list', value: '' }, required: true };
		expect(description().properties.map(shapeOf)).toEqual([
			{ name: 'authentication', type: 'options', default: 'webhook', values: ['webhook', 'oAuth2'] },
			{ name: 'scopeNotice', type: 'notice', default: '' },
			{ name: 'operation', type: 'options', default: 'get', values: ['get', 'getForPayment', 'getForCrmItem'] },
			{ name: 'legacyInvoiceNotice', type: 'notice', default: '', show: get },
			{ name: 'invoiceId', type: 'number', default: 0, required: true, show: get, range: [1, undefined] },
			{ name: 'paySystemBy', type: 'options', default: 'id', show: get, values: ['id', 'handler'] },
			{ name: 'paySystemId', ...locator, show: { operation: ['get'], paySystemBy: ['id'] }, modes: ['list', 'id'] },
			{ name: 'bxRestHandler', ...locator, show: { operation: ['get'], paySystemBy: ['handler'] }, modes: ['list', 'code'] },
			{ name: 'paymentId', type: 'number', default: 0, required: true, show: getForPayment, range: [1, undefined] },
			// The same name as get's pay system: a workflow switched between the two keeps its choice.
			{ name: 'paySystemId', ...locator, show: getForPayment, modes: ['list', 'id'] },
			{ name: 'entityTypeId', type: 'options', default: 31, show: getForCrmItem, values: [31, 2] },
			{ name: 'entityId', type: 'number', default: 0, required: true, show: getForCrmItem, range: [1, undefined] },
			{
				name: 'options',
				type: 'collection',
				default: {},
				// Shared by every operation: no display condition.
				options: [
					{ name: 'batch', type: 'boolean', default: true },
					{ name: 'maxRetries', type: 'number', default: 5, range: [0, 10] },
					{ name: 'maxWaitMinutes', type: 'number', default: 30, range: [0, 1440] },
					{ name: 'outputMode', type: 'options', default: 'settings', values: ['settings', 'keyValue', 'full'] },
					{ name: 'parallelRequests', type: 'number', default: 3, range: [1, 5] },
					{ name: 'payments', type: 'options', default: 'all', show: { '/operation': ['getForCrmItem'] }, values: ['all', 'unpaid'] },
					{ name: 'rateLimit', type: 'options', default: 'standard', values: ['standard', 'enterprise', 'none'] },
					{ name: 'timeout', type: 'number', default: 60000, range: [100, 600000] },
				],
			},
		]);
	});

	it('names the three operations in the Operation list, get first and the default', () => {
		const operation = description().properties.find((property) => property.name === 'operation');
		expect(operation?.options).toEqual([
			{
				name: 'Get for Legacy Invoice',
				value: 'get',
				description: 'Get pay system settings for an invoice',
				action: 'Get pay system settings for an invoice',
			},
			{
				name: 'Get for Payment',
				value: 'getForPayment',
				description: 'Get pay system settings for a payment',
				action: 'Get pay system settings for a payment',
			},
			{
				name: 'Get for Smart Invoice or Deal',
				value: 'getForCrmItem',
				description: 'Get pay system settings for every payment of a smart invoice or deal',
				action: 'Get pay system settings for the payments of a smart invoice or deal',
			},
		]);
		expect(operation?.default).toBe('get');
	});

	it('names the two entity types: Invoice (31, the default) and Deal (2)', () => {
		const entityType = description().properties.find((property) => property.name === 'entityTypeId');
		expect(entityType?.options).toEqual([
			{ name: 'Invoice', value: 31, description: 'A smart invoice (entityTypeId 31)' },
			{ name: 'Deal', value: 2, description: 'A deal (entityTypeId 2)' },
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

	it('shows the payment of Get for Payment, or that it comes from the input', () => {
		expect(subtitleOf({ ...PAYMENT, paymentId: 501 })).toBe('Get settings: payment 501');
		expect(subtitleOf({ ...PAYMENT, paymentId: '={{ $json.paymentId }}' })).toBe('Get settings: payment from input');
	});

	it('shows the smart invoice or deal of Get for Smart Invoice or Deal, or that it comes from the input', () => {
		expect(subtitleOf({ ...CRM_ITEM, entityId: 5 })).toBe('Invoice payments: 5');
		expect(subtitleOf({ ...CRM_ITEM, entityTypeId: 31, entityId: 5 })).toBe('Invoice payments: 5');
		expect(subtitleOf({ ...CRM_ITEM, entityTypeId: 2, entityId: 20 })).toBe('Deal payments: 20');
		expect(subtitleOf({ ...CRM_ITEM, entityId: '={{ $json.id }}' })).toBe('Invoice payments: from input');
		expect(subtitleOf({ ...CRM_ITEM, entityTypeId: 2, entityId: '={{ $json.id }}' })).toBe('Deal payments: from input');
		// An entity type from an expression is known per item only.
		expect(subtitleOf({ ...CRM_ITEM, entityTypeId: '={{ 2 }}', entityId: 20 })).toBe('Payments: 20');
	});

	function shownFields(parameters: Parameters<typeof buildPackageNode>[0]): string[] {
		const node = buildPackageNode(parameters);
		return description()
			.properties.filter((property) => NodeHelpers.displayParameter(node.parameters, property, node, description()))
			.map((property) => property.name);
	}

	function shownOptions(parameters: Parameters<typeof buildPackageNode>[0]): string[] {
		const node = buildPackageNode(parameters);
		const collection = description().properties.find((property) => property.name === 'options');
		return (collection!.options as INodeProperties[])
			.filter((option) => NodeHelpers.displayParameter((node.parameters.options ?? {}) as INodeParameters, option, node, description(), node.parameters))
			.map((option) => option.name);
	}

	it('shows each operation its own fields, and the legacy invoice notice for get only', () => {
		const shared = ['authentication', 'scopeNotice', 'operation'];
		expect(shownFields(byPaySystemId(11))).toEqual([...shared, 'legacyInvoiceNotice', 'invoiceId', 'paySystemBy', 'paySystemId', 'options']);
		expect(shownFields(byHandler('resthandlercard'))).toEqual([...shared, 'legacyInvoiceNotice', 'invoiceId', 'paySystemBy', 'bxRestHandler', 'options']);
		expect(shownFields(PAYMENT)).toEqual([...shared, 'paymentId', 'paySystemId', 'options']);
		expect(shownFields(CRM_ITEM)).toEqual([...shared, 'entityTypeId', 'entityId', 'options']);
	});

	it('offers the Payments option for Get for Smart Invoice or Deal only', () => {
		const everywhere = ['batch', 'maxRetries', 'maxWaitMinutes', 'outputMode', 'parallelRequests', 'rateLimit', 'timeout'];
		expect(shownOptions(byPaySystemId(11))).toEqual(everywhere);
		expect(shownOptions(PAYMENT)).toEqual(everywhere);
		expect(shownOptions(CRM_ITEM)).toEqual(['batch', 'maxRetries', 'maxWaitMinutes', 'outputMode', 'parallelRequests', 'payments', 'rateLimit', 'timeout']);
	});

	function noticeText(name: string): string {
		const notice = description().properties.find((property) => property.name === name);
		expect(notice?.type).toBe('notice');
		return notice!.displayName;
	}

	it('warns that only legacy invoices are read by get, and that the pay_system and crm scopes are needed', () => {
		expect(noticeText('legacyInvoiceNotice')).toBe(
			'This reads legacy CRM invoices (crm.invoice.*) only. Smart invoices (crm.item, entityTypeId 31) answer "invoice not found": use Get for Smart Invoice or Deal for them.',
		);
		expect(noticeText('scopeNotice')).toBe(
			'The webhook or application needs the pay_system scope, and crm as well to read the payments of smart invoices and deals. Without them calls fail with insufficient_scope.',
		);
	});

	it('puts a hint under the ID and pay system fields of every operation', () => {
		const hints = description()
			.properties.filter((property) => property.hint !== undefined)
			.map((property) => [property.name, property.hint]);
		const paySystemHint = "The list shows the portal's pay systems (sale.paysystem.list). Choose By ID to give the ID from the input.";
		expect(hints).toEqual([
			[
				'invoiceId',
				'Usually mapped from the input, e.g. {{ $json.invoiceId }}. Anything that is not a whole number of 1 or more fails that item without a request.',
			],
			['paySystemId', paySystemHint],
			['bxRestHandler', 'Handlers are added by Bitrix24 applications (sale.paysystem.handler.list). The code is case-sensitive.'],
			['paymentId', 'Usually mapped from the input, e.g. {{ $json.paymentId }}. The payment must use the pay system chosen below.'],
			[
				'paySystemId',
				'The list shows the pay systems on a REST handler, the only ones whose settings the portal gives out. Choose By ID to give the ID from the input.',
			],
			['entityId', 'Usually mapped from the input, e.g. {{ $json.id }}. Every payment of the object is read, each with its own pay system.'],
		]);
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
		const batchOff =
			'Batch Requests is off: each call takes a request of its own, about 2 a second on a standard portal. Turn it on to send up to 50 calls per request.';
		const keyValue = 'In Key-Value Pairs output an invoice or payment whose pay system has no settings gives no item.';
		expect(shownHints(byPaySystemId(11, { batch: false }))).toEqual([batchOff]);
		expect(shownHints(byPaySystemId(11, { outputMode: 'keyValue' }))).toEqual([keyValue]);
		expect(shownHints({ ...PAYMENT, options: { batch: false } })).toEqual([batchOff]);
		expect(shownHints({ ...CRM_ITEM, options: { batch: false, outputMode: 'keyValue' } })).toEqual([batchOff, keyValue]);
		expect(shownHints(CRM_ITEM)).toEqual([]);
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
			alias: ['Bitrix24', 'pay system', 'payment system', 'payment', 'invoice', 'smart invoice', 'deal', 'CRM'],
			resources: {
				credentialDocumentation: [
					{ url: 'https://apidocs.bitrix24.com/local-integrations/local-webhooks.html' },
					{ url: 'https://apidocs.bitrix24.com/settings/oauth/index.html' },
				],
				primaryDocumentation: [
					{ url: 'https://apidocs.bitrix24.com/api-reference/pay-system/sale-pay-system-settings-invoice-get.html' },
					{ url: 'https://apidocs.bitrix24.com/api-reference/pay-system/sale-pay-system-settings-payment-get.html' },
					{ url: 'https://apidocs.bitrix24.com/api-reference/crm/universal/payment/crm-item-payment-list.html' },
				],
			},
		});
	});
});

describe('Credential forms name the Bitrix24 screen to visit', () => {
	it.each([
		[
			'bitrix24WebhookApi',
			'In Bitrix24 open Applications > Developer resources > Other > Inbound webhook, tick the pay_system scope (and crm, to read the payments of smart invoices and deals), save, and paste the webhook URL below.',
		],
		[
			'bitrix24OAuth2Api',
			'In Bitrix24 open Applications > Developer resources > Other > Local application, make a server application with the crm, pay_system and sale scopes whose handler path is the OAuth Redirect URL shown here, and paste its application ID and key as Client ID and Client Secret.',
		],
	])('%s has a notice saying where to get it, first among its own fields', (name, notice) => {
		// OAuth2's form shows the fields of oAuth2Api first, then these.
		const [first] = loadedCredentialType(name).properties;
		expect(first).toEqual({ displayName: notice, name: 'setupNotice', type: 'notice', default: '' });
	});

	it('the OAuth2 credential asks Bitrix24 for the crm, pay_system and sale scopes, in a field the form does not show', () => {
		const scope = loadedCredentialType('bitrix24OAuth2Api').properties.find((property) => property.name === 'scope');
		expect(scope).toEqual({ displayName: 'Scope', name: 'scope', type: 'hidden', default: 'crm,pay_system,sale' });
	});
});
