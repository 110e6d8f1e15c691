import type { INodeProperties } from 'n8n-workflow';

export const properties: INodeProperties[] = [
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Webhook', value: 'webhook' },
			{ name: 'OAuth2', value: 'oAuth2' },
		],
		default: 'webhook',
	},
	{
		displayName:
			'This reads legacy CRM invoices (crm.invoice.*) only. Smart invoices (crm.item, entityTypeId 31) answer "invoice not found".',
		name: 'legacyInvoiceNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName:
			'The webhook or application needs the pay_system scope. Without it every call fails with insufficient_scope.',
		name: 'scopeNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Get',
				value: 'get',
				description: 'Get pay system settings for an invoice',
				action: 'Get pay system settings for an invoice',
			},
		],
		default: 'get',
	},
	{
		displayName: 'Invoice ID',
		name: 'invoiceId',
		type: 'number',
		required: true,
		default: 0,
		typeOptions: { minValue: 1, numberPrecision: 0 },
		displayOptions: { show: { operation: ['get'] } },
		description: 'ID of the legacy CRM invoice, a whole number of 1 or more (an expression may give a number or numeric text)',
		hint: 'Usually mapped from the input, e.g. {{ $json.invoiceId }}. Anything that is not a whole number of 1 or more fails that item without a request.',
	},
	{
		displayName: 'Pay System By',
		name: 'paySystemBy',
		type: 'options',
		options: [
			{
				name: 'ID',
				value: 'id',
				description: 'Use the pay system with this ID',
			},
			{
				name: 'REST Handler Code',
				value: 'handler',
				description: 'Use the first pay system that runs this REST handler',
			},
		],
		default: 'id',
		displayOptions: { show: { operation: ['get'] } },
		description: 'How to choose the pay system whose settings are read',
	},
	{
		displayName: 'Pay System',
		name: 'paySystemId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		displayOptions: { show: { operation: ['get'], paySystemBy: ['id'] } },
		description: 'The pay system whose settings are read (PAY_SYSTEM_ID)',
		hint: 'The list shows the portal\'s pay systems (sale.paysystem.list). Choose By ID to give the ID from the input.',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchPaySystems', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 11',
				validation: [
					{
						type: 'regex',
						properties: { regex: '^\\s*[1-9]\\d*\\s*$', errorMessage: 'Enter a whole number of 1 or more' },
					},
				],
			},
		],
	},
	{
		displayName: 'REST Handler',
		name: 'bxRestHandler',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		displayOptions: { show: { operation: ['get'], paySystemBy: ['handler'] } },
		description: 'The REST handler (BX_REST_HANDLER); the first pay system using it is read',
		hint: 'Handlers are added by Bitrix24 applications (sale.paysystem.handler.list). The code is case-sensitive.',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchHandlers', searchable: true },
			},
			{
				displayName: 'By Code',
				name: 'code',
				type: 'string',
				placeholder: 'e.g. resthandlercard',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { operation: ['get'] } },
		options: [
			{
				displayName: 'Batch Requests',
				name: 'batch',
				type: 'boolean',
				default: true,
				description:
					'Whether to send up to 50 invoices in one Bitrix24 batch call, which is far faster on rate-limited portals. The first input item decides for the whole run.',
			},
			{
				displayName: 'Max Retries',
				name: 'maxRetries',
				type: 'number',
				default: 5,
				typeOptions: { minValue: 0, maxValue: 10, numberPrecision: 0 },
				description:
					'How many times to send a request again after a temporary failure (rate limit, operation time limit, server error, connection reset or timeout), with growing waits. 0 turns retries off.',
			},
			{
				displayName: 'Output',
				name: 'outputMode',
				type: 'options',
				options: [
					{
						name: 'Settings',
						value: 'settings',
						description: 'One item per invoice: the settings object as Bitrix24 returns it',
					},
					{
						name: 'Key-Value Pairs',
						value: 'keyValue',
						description: 'One item per setting: invoiceId, code and value',
					},
					{
						name: 'Full',
						value: 'full',
						description: 'One item per invoice with the invoice, the pay system selector, the settings and timing',
					},
				],
				default: 'settings',
				description: 'How to shape the output items',
			},
			{
				displayName: 'Portal Rate Limit',
				name: 'rateLimit',
				type: 'options',
				options: [
					{
						name: 'Standard (2 Requests/s, Burst 50)',
						value: 'standard',
						description: 'The limit of Bitrix24 cloud plans other than Enterprise',
					},
					{
						name: 'Enterprise (5 Requests/s, Burst 250)',
						value: 'enterprise',
						description: 'The limit of Bitrix24 Enterprise plans',
					},
					{
						name: 'None (Self-Hosted Portal)',
						value: 'none',
						description: 'Send without pacing, for a self-hosted Bitrix24 that enforces no limit',
					},
				],
				default: 'standard',
				description:
					'The request limit of the portal. The node spaces its requests to stay within it, so runs do not meet QUERY_LIMIT_EXCEEDED.',
			},
			{
				displayName: 'Timeout',
				name: 'timeout',
				type: 'number',
				default: 60000,
				typeOptions: { minValue: 100, maxValue: 600000, numberPrecision: 0 },
				description:
					'How long to wait for the portal to answer one request, in milliseconds. A request that takes longer counts as timed out and is sent again while retries remain.',
			},
		],
	},
];
