import type { INodeProperties } from 'n8n-workflow';

import { AUTHENTICATION } from '../shared/bitrix24/credentials/nodeCredentials';
import { optionsCollection } from '../shared/bitrix24/run/options';
import { OPERATIONS } from './actions/operations';

export const properties: INodeProperties[] = [
	AUTHENTICATION,
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
	optionsCollection([
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
	]),
];
