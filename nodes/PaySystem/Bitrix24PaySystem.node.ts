import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { NODE_CREDENTIALS } from '../shared/bitrix24/credentials/nodeCredentials';
import { searchHandlers, searchRestPaySystems } from '../shared/bitrix24/fields/listSearch';
import { BATCH_OFF_HINT } from '../shared/bitrix24/run/options';
import { runOperation } from '../shared/bitrix24/run/runner';
import { properties } from './description';
import { RESOURCES } from './resources';

export class Bitrix24PaySystem implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bitrix24 Pay System',
		name: 'bitrix24PaySystem',
		icon: { light: 'file:../../icons/bitrix24.svg', dark: 'file:../../icons/bitrix24.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Confirm Bitrix24 payments and legacy invoices the payment provider reported paid, and manage REST pay system handlers, pay systems and their settings',
		defaults: { name: 'Bitrix24 Pay System' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: NODE_CREDENTIALS,
		properties,
		hints: [BATCH_OFF_HINT],
	};

	methods = {
		listSearch: { searchPaySystems: searchRestPaySystems, searchHandlers },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runOperation(
			this,
			RESOURCES.flatMap((resource) => resource.operations.map((entry) => entry.operation)),
			['resource', 'operation'],
		);
	}
}
