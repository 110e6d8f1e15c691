import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { properties } from './description';
import { executeGet } from './executeGet';
import { searchHandlers, searchPaySystems } from './listSearch';

export class Bitrix24PaySystemInvoiceSettings implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Pay System Invoice Settings',
		name: 'bitrix24PaySystemInvoiceSettings',
		icon: { light: 'file:../../icons/bitrix24.svg', dark: 'file:../../icons/bitrix24.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle: '={{ "Get settings of invoice " + $parameter["invoiceId"] }}',
		description: 'Read the pay system settings of Bitrix24 legacy CRM invoices (sale.paysystem.settings.invoice.get)',
		defaults: { name: 'Pay System Invoice Settings' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'bitrix24WebhookApi',
				required: true,
				displayOptions: { show: { authentication: ['webhook'] } },
			},
			{
				name: 'bitrix24OAuth2Api',
				required: true,
				displayOptions: { show: { authentication: ['oAuth2'] } },
			},
		],
		properties,
	};

	methods = {
		listSearch: { searchPaySystems, searchHandlers },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeGet(this);
	}
}
