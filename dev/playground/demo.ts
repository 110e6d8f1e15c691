import { startPortal } from '../emulator/portal';
import type { Portal } from '../emulator/portal';
import { runWorkflow } from '../harness/engine';
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

const INVOICES = [{ invoiceId: 10 }, { invoiceId: 11 }, { invoiceId: 404 }, { invoiceId: '12' }, { invoiceId: 'not-a-number' }];

function describeItem(item: INodeExecutionData): string {
	const paired = item.pairedItem as { item: number };
	return `  input item ${paired.item}: ${JSON.stringify(item.json)}`;
}

function describeError(item: INodeExecutionData): string {
	const paired = item.pairedItem as { item: number };
	const details = item.json.details as { errorCode: string; httpCode: number | null; hint: string };
	return [
		`  input item ${paired.item}: ${String(item.json.error)}`,
		`      code ${details.errorCode}${details.httpCode === null ? '' : `, HTTP ${details.httpCode}`}`,
		`      hint: ${details.hint}`,
	].join('\n');
}

async function runDemo(portal: Portal, title: string, parameters: INodeParameters) {
	portal.clearLog();
	const { output, errorOutput } = await runWorkflow({
		parameters,
		items: INVOICES,
		credentials: { bitrix24WebhookApi: { webhookUrl: portal.webhookUrl, allowInsecureHttp: false } },
		onError: 'continueErrorOutput',
	});
	const requests = portal.restCalls().map((call) => call.restMethod).join(', ');
	console.log(`\n== ${title}`);
	console.log(`Input: ${INVOICES.map((item) => JSON.stringify(item.invoiceId)).join(', ')}   Requests to the portal: ${requests}`);
	console.log(`Success output (${output.length} items):`);
	for (const item of output) console.log(describeItem(item));
	console.log(`Error output (${errorOutput.length} items):`);
	for (const item of errorOutput) console.log(describeError(item));
}

async function main() {
	const portal = await startPortal();
	try {
		console.log(`Pay System Invoice Settings on n8n's workflow engine, against an emulated Bitrix24 portal at ${portal.origin}`);
		console.log('The node runs with "On Error: Continue (using error output)"; invoice 404 does not exist on the portal.');
		await runDemo(portal, 'Pay system 12 (bank transfer), output "Settings"', {
			invoiceId: '={{ $json.invoiceId }}',
			paySystemBy: 'id',
			paySystemId: { __rl: true, mode: 'list', value: '12' },
		});
		await runDemo(portal, 'REST handler "resthandlercard", output "Key-Value Pairs"', {
			invoiceId: '={{ $json.invoiceId }}',
			paySystemBy: 'handler',
			bxRestHandler: { __rl: true, mode: 'code', value: 'resthandlercard' },
			options: { outputMode: 'keyValue' },
		});
	} finally {
		await portal.stop();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
