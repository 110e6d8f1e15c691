import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { NODE_CREDENTIALS } from '../shared/bitrix24/credentials/nodeCredentials';
import { BATCH_OFF_HINT } from '../shared/bitrix24/run/options';
import { runOperation } from '../shared/bitrix24/run/runner';
import { OPERATIONS } from './actions/operations';
import { properties } from './description';
import { searchHandlers } from '../shared/bitrix24/fields/listSearch';
import { searchPaySystems } from './listSearch';

export class Bitrix24PaySystemInvoiceSettings implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Pay System Invoice Settings',
		name: 'bitrix24PaySystemInvoiceSettings',
		icon: { light: 'file:../../icons/bitrix24.svg', dark: 'file:../../icons/bitrix24.dark.svg' },
		group: ['input'],
		version: 1,
		// Raw values: an ID given as an expression is only known per item at run time, and the editor
		// shows no subtitle at all when resolving it fails.
		subtitle:
			'={{ $rawParameter["operation"] === "getForPayment" ' +
			'? "Get settings: payment " + (String($rawParameter["paymentId"]).startsWith("=") ? "from input" : $rawParameter["paymentId"]) ' +
			': $rawParameter["operation"] === "getForCrmItem" ' +
			'? (String($rawParameter["entityTypeId"]).startsWith("=") ? "Payments" : String($rawParameter["entityTypeId"]) === "2" ? "Deal payments" : "Invoice payments") + ": " + (String($rawParameter["entityId"]).startsWith("=") ? "from input" : $rawParameter["entityId"]) ' +
			': "Get settings: invoice " + (String($rawParameter["invoiceId"]).startsWith("=") ? "from input" : $rawParameter["invoiceId"]) }}',
		description:
			'Read the pay system settings of Bitrix24 legacy invoices, of payments, and of the payments of smart invoices and deals',
		defaults: { name: 'Pay System Invoice Settings' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: NODE_CREDENTIALS,
		properties,
		hints: [
			BATCH_OFF_HINT,
			{
				message: 'In Key-Value Pairs output an invoice or payment whose pay system has no settings gives no item.',
				type: 'info',
				location: 'outputPane',
				whenToDisplay: 'afterExecution',
				displayCondition: '={{ $parameter["options"]["outputMode"] === "keyValue" }}',
			},
		],
	};

	methods = {
		listSearch: { searchPaySystems, searchHandlers },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runOperation(
			this,
			OPERATIONS.map((entry) => entry.operation),
		);
	}
}
