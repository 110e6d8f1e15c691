// What `npm start` imports into n8n: the two credentials pointing at the emulated portal and the demo
// workflow. Fixed IDs make a second import an update, never a duplicate.
import type { Portal, TokenResponse } from '../emulator/portal';
import { oauthCredentials } from '../harness/fixtures';
import { invoiceSettingsNode, manualTriggerNode, noOpNode, oauth2CredentialEntity, webhookCredentialEntity, workflowEntity } from '../harness/n8n';
import type { WorkflowNode } from '../harness/n8n';

export const WEBHOOK_CREDENTIAL = { id: 'bx24DemoWebhook1', name: 'Emulated portal (webhook)' };
export const OAUTH2_CREDENTIAL = { id: 'bx24DemoOAuth201', name: 'Emulated portal (OAuth2)' };
export const DEMO_WORKFLOW = { id: 'bx24PaySysDemo01', name: 'Bitrix24: pay system settings of invoices' };

/** Node names in the demo workflow, as the editor shows them. */
export const DEMO_NODES = {
	trigger: 'When clicking ‘Execute workflow’',
	invoices: 'Invoices',
	paySystem: 'Pay System Invoice Settings',
	settings: 'Settings',
	failed: 'Failed',
} as const;

/** The invoices the Code node emits: 404 does not exist on the portal, 'abc' is not an ID. */
export const DEMO_INVOICES: ReadonlyArray<number | string> = [10, 11, 404, 'abc', 7];

export function webhookCredential(portal: Pick<Portal, 'webhookUrl'>) {
	return webhookCredentialEntity(WEBHOOK_CREDENTIAL, portal.webhookUrl);
}

/** The OAuth2 credential as n8n stores it after "Connect my account": with the portal's token. */
export function oauth2Credential(portal: Portal, tokens: TokenResponse) {
	return oauth2CredentialEntity(OAUTH2_CREDENTIAL, oauthCredentials(portal, tokens).bitrix24OAuth2Api);
}

const invoicesNode: WorkflowNode = {
	name: DEMO_NODES.invoices,
	type: 'n8n-nodes-base.code',
	typeVersion: 2,
	parameters: {
		jsCode: [
			'// Invoices to read: 404 does not exist on the portal and "abc" is not an invoice ID,',
			'// so those two go to the "Failed" branch.',
			`return ${JSON.stringify(DEMO_INVOICES)}.map((invoiceId) => ({ json: { invoiceId } }));`,
		].join('\n'),
	},
};

export function demoWorkflow() {
	const workflow = workflowEntity({
		...DEMO_WORKFLOW,
		nodes: [
			manualTriggerNode(DEMO_NODES.trigger),
			invoicesNode,
			invoiceSettingsNode(
				DEMO_NODES.paySystem,
				{
					authentication: 'webhook',
					operation: 'get',
					invoiceId: '={{ $json.invoiceId }}',
					paySystemBy: 'id',
					paySystemId: { __rl: true, mode: 'list', value: '12', cachedResultName: 'Bank transfer (REST)' },
					options: {},
				},
				{ credentials: { bitrix24WebhookApi: WEBHOOK_CREDENTIAL }, onError: 'continueErrorOutput' },
			),
			noOpNode(DEMO_NODES.settings),
			noOpNode(DEMO_NODES.failed),
		],
		connections: [
			[DEMO_NODES.trigger, DEMO_NODES.invoices],
			[DEMO_NODES.invoices, DEMO_NODES.paySystem],
			[DEMO_NODES.paySystem, DEMO_NODES.settings, 0],
			[DEMO_NODES.paySystem, DEMO_NODES.failed, 1],
		],
	});
	// The two branches one above the other, right of the node, as a user would lay them out.
	const positions: Record<string, [number, number]> = { [DEMO_NODES.settings]: [760, -100], [DEMO_NODES.failed]: [760, 100] };
	return { ...workflow, nodes: workflow.nodes.map((node) => ({ ...node, position: positions[node.name] ?? node.position })) };
}
