import { startPortal } from '../emulator/portal';
import type { Portal } from '../emulator/portal';
import { runWorkflow } from '../harness/engine';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

const INVOICES = [{ invoiceId: 10 }, { invoiceId: 11 }, { invoiceId: 404 }, { invoiceId: '12' }, { invoiceId: 'not-a-number' }];
// 5 has two payments, 6 one, 7 none; 8 is paid in cash, whose settings Bitrix24 does not give out.
const SMART_INVOICES = [{ id: 5 }, { id: 6 }, { id: 7 }, { id: 8 }];

function describeItem(item: INodeExecutionData): string {
	const paired = item.pairedItem as { item: number };
	// The answer's timing says nothing about the settings: leave it out of the listing.
	const { time: _time, ...json } = item.json;
	return `  input item ${paired.item}: ${JSON.stringify(json)}`;
}

function describeError(item: INodeExecutionData): string {
	const paired = item.pairedItem as { item: number };
	const details = item.json.details as { errorCode: string; httpCode: number | null; paymentId?: number | null; hint: string };
	return [
		`  input item ${paired.item}: ${String(item.json.error)}`,
		`      code ${details.errorCode}${details.httpCode === null ? '' : `, HTTP ${details.httpCode}`}${typeof details.paymentId === 'number' ? `, payment ${details.paymentId}` : ''}`,
		`      hint: ${details.hint}`,
	].join('\n');
}

async function runDemo(portal: Portal, title: string, parameters: INodeParameters, items: IDataObject[]) {
	portal.clearLog();
	const { output, errorOutput } = await runWorkflow({
		parameters,
		items,
		credentials: { bitrix24WebhookApi: { webhookUrl: portal.webhookUrl, allowInsecureHttp: false } },
		onError: 'continueErrorOutput',
	});
	const requests = portal.restCalls().map((call) => call.restMethod).join(', ');
	console.log(`\n== ${title}`);
	console.log(`Input: ${items.map((item) => JSON.stringify(Object.values(item)[0])).join(', ')}   Requests to the portal: ${requests}`);
	console.log(`Success output (${output.length} items):`);
	for (const item of output) console.log(describeItem(item));
	console.log(`Error output (${errorOutput.length} items):`);
	for (const item of errorOutput) console.log(describeError(item));
}

async function main() {
	const portal = await startPortal();
	try {
		console.log(`Pay System Invoice Settings on n8n's workflow engine, against an emulated Bitrix24 portal at ${portal.origin}`);
		console.log('The node runs with "On Error: Continue (using error output)"; invoice 404 does not exist on the portal,');
		console.log('smart invoice 7 has no payment, and 8 is paid in cash, which has no settings to read.');
		await runDemo(
			portal,
			'Legacy invoices, pay system 12 (bank transfer), output "Settings"',
			{
				invoiceId: '={{ $json.invoiceId }}',
				paySystemBy: 'id',
				paySystemId: { __rl: true, mode: 'list', value: '12' },
			},
			INVOICES,
		);
		await runDemo(
			portal,
			'Legacy invoices, REST handler "resthandlercard", output "Key-Value Pairs"',
			{
				invoiceId: '={{ $json.invoiceId }}',
				paySystemBy: 'handler',
				bxRestHandler: { __rl: true, mode: 'code', value: 'resthandlercard' },
				options: { outputMode: 'keyValue' },
			},
			INVOICES,
		);
		await runDemo(
			portal,
			'Smart invoices, every payment with its own pay system, output "Full" (timing left out)',
			{
				operation: 'getForCrmItem',
				entityTypeId: 31,
				entityId: '={{ $json.id }}',
				options: { outputMode: 'full' },
			},
			SMART_INVOICES,
		);
	} finally {
		await portal.stop();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
