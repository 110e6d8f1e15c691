/** The node as n8n runs it: Items -> node in n8n-core's WorkflowExecute, the built package from dist. */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { NODE_NAME, PAY_SYSTEM_NODE_TYPE, runWorkflow } from '../harness/engine';
import { byPaySystemId, confirmPayment, invoices, webhookCredentials } from '../harness/fixtures';
import { callbackFor, confirmedOutput } from './confirmPayments';
import { countErrors, expectedSettings } from './crmItems';
import type { PathOutcome } from './workload';
import { PAY_SYSTEM_ID, isExpectedSettings } from './workload';

interface NodeRun {
	output: INodeExecutionData[];
	nodeMs: number | undefined;
}

/** The node's main output, and its own execution time as n8n records it in the run data. */
async function run(webhookUrl: string, parameters: INodeParameters, items: IDataObject[], nodeType?: string): Promise<NodeRun> {
	const result = await runWorkflow({
		parameters,
		items,
		credentials: webhookCredentials(webhookUrl),
		onError: 'continueErrorOutput',
		nodeType,
	});
	if (result.error !== undefined) throw new Error(`The workflow stopped: ${result.error.message}`);
	return { output: result.output, nodeMs: result.run.data.resultData.runData[NODE_NAME]?.[0]?.executionTime };
}

export async function runNode(webhookUrl: string, ids: number[], options: IDataObject): Promise<PathOutcome> {
	const { output, nodeMs } = await run(webhookUrl, byPaySystemId(PAY_SYSTEM_ID, options), invoices(...ids));
	return { output, itemsOut: output.length, errorItems: countErrorItems(ids, output, (index, json) => isExpectedSettings(ids[index], json)), nodeMs };
}

/** The Bitrix24 Pay System node's payment / confirm, Check First on: a provider's callback per item. */
export async function runNodeConfirm(webhookUrl: string, paymentIds: number[], options: IDataObject): Promise<PathOutcome> {
	const parameters = confirmPayment(options);
	const { output, nodeMs } = await run(webhookUrl, parameters, paymentIds.map(callbackFor), PAY_SYSTEM_NODE_TYPE);
	const isConfirmed = (index: number, json: unknown) => JSON.stringify(json) === JSON.stringify(confirmedOutput(paymentIds[index]));
	return { output, itemsOut: output.length, errorItems: countErrorItems(paymentIds, output, isConfirmed), nodeMs };
}

/** getForCrmItem: the smart invoice from each item's `entityId`, every payment's settings out, paired with that item. */
export async function runNodeCrmItems(webhookUrl: string, entityIds: number[], options: IDataObject): Promise<PathOutcome> {
	const parameters = { operation: 'getForCrmItem', entityTypeId: 31, entityId: '={{ $json.entityId }}', options } as INodeParameters;
	const { output, nodeMs } = await run(webhookUrl, parameters, entityIds.map((entityId) => ({ entityId })));
	const got = output.map((item) => ({ item: pairedIndex(item), settings: item.json }));
	return { output, itemsOut: output.length, errorItems: countErrors(expectedSettings(entityIds), got), nodeMs };
}

function pairedIndex(item: INodeExecutionData): number | undefined {
	return (item.pairedItem as { item?: number } | undefined)?.item;
}

/** Items in the error output, missing, out of place or extra all count: each input must come back once, in order. */
function countErrorItems(ids: number[], output: INodeExecutionData[], isExpected: (index: number, json: unknown) => boolean): number {
	let correct = 0;
	output.forEach((item, index) => {
		if (index < ids.length && pairedIndex(item) === index && isExpected(index, item.json)) correct++;
	});
	return ids.length - correct + Math.max(0, output.length - ids.length);
}
