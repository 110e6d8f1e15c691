import type { INodeProperties } from 'n8n-workflow';

import { AUTHENTICATION } from '../shared/bitrix24/credentials/nodeCredentials';
import { optionsCollection } from '../shared/bitrix24/run/options';
import { RESOURCES } from './resources';
import { CONFIRM_OPTIONS } from './resources/confirmFields';
import { operationSelector } from './resources/resource';

/** The first resource registered is the default. */
const defaultResource = RESOURCES[0].option.value;

export const properties: INodeProperties[] = [
	AUTHENTICATION,
	{
		displayName:
			'The webhook or application needs the pay_system scope (and sale to read payments before confirming them, crm for legacy invoices). Handlers, pay systems and their settings can only be managed by a CRM administrator, and only on REST handlers.',
		name: 'scopeNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: RESOURCES.map((resource) => resource.option).sort((left, right) => left.name.localeCompare(right.name)),
		default: defaultResource,
	},
	...RESOURCES.map(operationSelector),
	...RESOURCES.flatMap((resource) => resource.operations.flatMap((entry) => entry.fields)),
	optionsCollection(CONFIRM_OPTIONS),
];
