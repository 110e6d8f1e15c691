import type { INodeProperties } from 'n8n-workflow';

import { OPERATIONS } from './actions/operations';

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
			'The webhook or application needs the pay_system scope, and crm as well to read the payments of smart invoices and deals. Without them calls fail with insufficient_scope.',
		name: 'scopeNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: OPERATIONS.map((entry) => entry.option),
		default: 'get',
	},
	...OPERATIONS.flatMap((entry) => entry.fields),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Batch Requests',
				name: 'batch',
				type: 'boolean',
				default: true,
				description:
					'Whether to send up to 50 calls in one Bitrix24 batch call, which is far faster on rate-limited portals. The first input item decides for the whole run.',
			},
			{
				displayName: 'Max Retries',
				name: 'maxRetries',
				type: 'number',
				default: 5,
				typeOptions: { minValue: 0, maxValue: 10, numberPrecision: 0 },
				description:
					'How many times to send a request again after a temporary failure (server error, connection reset or timeout), with growing waits. 0 turns retries off. Refusals for the portal\'s limits do not count: Max Wait for Portal Limits bounds them.',
			},
			{
				displayName: 'Max Wait for Portal Limits',
				name: 'maxWaitMinutes',
				type: 'number',
				default: 30,
				typeOptions: { minValue: 0, maxValue: 1440, numberPrecision: 0 },
				description:
					'How long, in minutes, the run may wait in all when the portal refuses requests for its rate limit or a method has used up its operating time (480 s per 10 minutes on cloud portals). The default covers two full operating windows. Past it, the items still waiting fail with the portal\'s error.',
			},
			{
				displayName: 'Output',
				name: 'outputMode',
				type: 'options',
				options: [
					{
						name: 'Settings',
						value: 'settings',
						description: 'One item per invoice or payment: the settings object as Bitrix24 returns it',
					},
					{
						name: 'Key-Value Pairs',
						value: 'keyValue',
						description: 'One item per setting: the invoice or payment, the code and the value',
					},
					{
						name: 'Full',
						value: 'full',
						description: 'One item per invoice or payment with its IDs, the pay system, the settings and timing',
					},
				],
				default: 'settings',
				description: 'How to shape the output items',
			},
			{
				displayName: 'Parallel Requests',
				name: 'parallelRequests',
				type: 'number',
				default: 3,
				typeOptions: { minValue: 1, maxValue: 5, numberPrecision: 0 },
				description:
					'How many requests may be on their way to the portal at once, within its rate limit, to hide a slow portal\'s answer time. After the portal refuses one, the node sends one at a time until it has slowed down enough. 1 sends one request at a time.',
			},
			{
				displayName: 'Payments',
				name: 'payments',
				type: 'options',
				options: [
					{ name: 'All', value: 'all', description: 'Every payment of the smart invoice or deal' },
					{ name: 'Unpaid Only', value: 'unpaid', description: 'Only payments not marked as paid' },
				],
				default: 'all',
				displayOptions: { show: { '/operation': ['getForCrmItem'] } },
				description: 'Which payments of the smart invoice or deal to read',
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
