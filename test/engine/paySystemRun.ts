// Runs the Bitrix24 Pay System node through n8n's engine against an emulated portal.
import type { IDataObject } from 'n8n-workflow';

import type { Portal } from '../../dev/emulator/portal';
import type { WorkflowRunResult } from '../../dev/harness/engine';
import { PAY_SYSTEM_NODE_TYPE, runWorkflow } from '../../dev/harness/engine';
import { webhookCredentials } from '../support';

export const HANDLER_SETTINGS = {
	CURRENCY: ['USD'],
	CODES: { SHOP_ID: { NAME: 'Shop ID' } },
	IFRAME_DATA: { ACTION_URI: 'https://pay.example.com/', FIELDS: { id: { CODE: 'SHOP_ID' } } },
};

export const locator = (value: unknown, mode = 'id') => ({ __rl: true, mode, value });

/** One resource's operation over these items, the error output on; `webhookUrl` picks the portal user. */
export async function runPaySystem(
	portal: Portal,
	resource: string,
	operation: string,
	parameters: IDataObject,
	items: IDataObject[] = [{}],
	webhookUrl = portal.webhookUrl,
): Promise<WorkflowRunResult> {
	return await runWorkflow({
		nodeType: PAY_SYSTEM_NODE_TYPE,
		parameters: { resource, operation, ...parameters },
		items,
		credentials: webhookCredentials(webhookUrl),
		onError: 'continueErrorOutput',
	});
}

/** The json of each output item. */
export const jsonsOf = (result: WorkflowRunResult): IDataObject[] => result.output.map((item) => item.json);
