/** The node as n8n runs it: Items -> node in n8n-core's WorkflowExecute, the built package from dist. */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runWorkflow } from '../harness/engine';
import { byPaySystemId, invoices, webhookCredentials } from '../harness/fixtures';
import { countErrors, expectedSettings } from './crmItems';
import type { PathOutcome } from './workload';
import { PAY_SYSTEM_ID, isExpectedSettings } from './workload';

async function run(webhookUrl: string, parameters: INodeParameters, items: IDataObject[]): Promise<INodeExecutionData[]> {
	const result = await runWorkflow({
		parameters,
		items,
		credentials: webhookCredentials(webhookUrl),
		onError: 'continueErrorOutput',
	});
	if (result.error !== undefined) throw new Error(`The workflow stopped: ${result.error.message}`);
	return result.output;
}

export async function runNode(webhookUrl: string, ids: number[], options: IDataObject): Promise<PathOutcome> {
	const output = await run(webhookUrl, byPaySystemId(PAY_SYSTEM_ID, options), invoices(...ids));
	return { output, itemsOut: output.length, errorItems: countErrorItems(ids, output) };
}

/** getForCrmItem: the smart invoice from each item's `entityId`, every payment's settings out, paired with that item. */
export async function runNodeCrmItems(webhookUrl: string, entityIds: number[], options: IDataObject): Promise<PathOutcome> {
	const parameters = { operation: 'getForCrmItem', entityTypeId: 31, entityId: '={{ $json.entityId }}', options } as INodeParameters;
	const output = await run(webhookUrl, parameters, entityIds.map((entityId) => ({ entityId })));
	const got = output.map((item) => ({ item: pairedIndex(item), settings: item.json }));
	return { output, itemsOut: output.length, errorItems: countErrors(expectedSettings(entityIds), got) };
}

function pairedIndex(item: INodeExecutionData): number | undefined {
	return (item.pairedItem as { item?: number } | undefined)?.item;
}

/** Items in the error output, missing, out of place or extra all count: each input must come back once, in order. */
function countErrorItems(ids: number[], output: INodeExecutionData[]): number {
	let correct = 0;
	output.forEach((item, index) => {
		if (index < ids.length && pairedIndex(item) === index && isExpectedSettings(ids[index], item.json)) correct++;
	});
	return ids.length - correct + Math.max(0, output.length - ids.length);
}
