/** The node as n8n runs it: Items -> node in n8n-core's WorkflowExecute, the built package from dist. */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { runWorkflow } from '../harness/engine';
import { byPaySystemId, invoices, webhookCredentials } from '../harness/fixtures';
import type { PathOutcome } from './workload';
import { PAY_SYSTEM_ID, isExpectedSettings } from './workload';

export async function runNode(webhookUrl: string, ids: number[], options: IDataObject): Promise<PathOutcome> {
	const run = await runWorkflow({
		parameters: byPaySystemId(PAY_SYSTEM_ID, options),
		items: invoices(...ids),
		credentials: webhookCredentials(webhookUrl),
		onError: 'continueErrorOutput',
	});
	if (run.error !== undefined) throw new Error(`The workflow stopped: ${run.error.message}`);
	return { output: run.output, errorItems: countErrorItems(ids, run.output) };
}

/** Items in the error output, missing, out of place or extra all count: each input must come back once, in order. */
function countErrorItems(ids: number[], output: INodeExecutionData[]): number {
	let correct = 0;
	output.forEach((item, index) => {
		const paired = item.pairedItem as { item?: number } | undefined;
		if (index < ids.length && paired?.item === index && isExpectedSettings(ids[index], item.json)) correct++;
	});
	return ids.length - correct + Math.max(0, output.length - ids.length);
}
