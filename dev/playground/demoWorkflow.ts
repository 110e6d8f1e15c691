// What `npm start` imports into n8n: the two credentials pointing at the emulated portal and the demo
// workflow. Fixed IDs make a second import an update, never a duplicate.
import type { Portal, TokenResponse } from '../emulator/portal';
import { oauthCredentials } from '../harness/fixtures';
import { invoiceSettingsNode, manualTriggerNode, noOpNode, oauth2CredentialEntity, webhookCredentialEntity, workflowEntity } from '../harness/n8n';
import type { WorkflowNode } from '../harness/n8n';

export const WEBHOOK_CREDENTIAL = { id: 'bx24DemoWebhook1', name: 'Emulated portal (webhook)' };
export const OAUTH2_CREDENTIAL = { id: 'bx24DemoOAuth201', name: 'Emulated portal (OAuth2)' };
export const DEMO_WORKFLOW = { id: 'bx24PaySysDemo01', name: 'Bitrix24: pay system settings of invoices and payments' };

/**
 * Node names in the demo workflow, as the editor shows them: the legacy invoice branch, and beside it
 * the smart invoice branch, which reads the settings of every payment.
 */
export const DEMO_NODES = {
	trigger: 'When clicking ‘Execute workflow’',
	invoices: 'Invoices',
	paySystem: 'Pay System Invoice Settings',
	settings: 'Settings',
	failed: 'Failed',
	smartInvoices: 'Smart invoices',
	payments: 'Payment Settings of Smart Invoices',
	paymentSettings: 'Payment settings',
	failedSmartInvoices: 'Failed smart invoices',
} as const;

/** The invoices the Code node emits: 404 does not exist on the portal, 'abc' is not an ID. */
export const DEMO_INVOICES: ReadonlyArray<number | string> = [10, 11, 404, 'abc', 7];

/**
 * The smart invoices the second Code node emits: 5 has a card and a bank transfer payment, 6 a bank
 * transfer payment, 7 no payment, and 8 a cash payment, whose settings Bitrix24 does not give out.
 */
export const DEMO_SMART_INVOICES: readonly number[] = [5, 6, 7, 8];

export function webhookCredential(portal: Pick<Portal, 'webhookUrl'>) {
	return webhookCredentialEntity(WEBHOOK_CREDENTIAL, portal.webhookUrl);
}

/** The scopes the OAuth2 credential asks for: pay system settings, and the payments of CRM objects. */
export const OAUTH2_SCOPES = ['crm', 'pay_system'];

/** The OAuth2 credential as n8n stores it after "Connect my account": with the portal's token. */
export function oauth2Credential(portal: Portal, tokens: TokenResponse) {
	return oauth2CredentialEntity(OAUTH2_CREDENTIAL, oauthCredentials(portal, tokens, { scope: OAUTH2_SCOPES.join(',') }).bitrix24OAuth2Api);
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

const smartInvoicesNode: WorkflowNode = {
	name: DEMO_NODES.smartInvoices,
	type: 'n8n-nodes-base.code',
	typeVersion: 2,
	parameters: {
		jsCode: [
			'// Smart invoices whose payments to read: 7 has no payment, and 8 is paid in cash, which has no',
			'// settings to read, so those two go to the "Failed smart invoices" branch.',
			`return ${JSON.stringify(DEMO_SMART_INVOICES)}.map((id) => ({ json: { id } }));`,
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
			smartInvoicesNode,
			invoiceSettingsNode(
				DEMO_NODES.payments,
				{
					authentication: 'webhook',
					operation: 'getForCrmItem',
					entityTypeId: 31,
					entityId: '={{ $json.id }}',
					options: { outputMode: 'full' },
				},
				{ credentials: { bitrix24WebhookApi: WEBHOOK_CREDENTIAL }, onError: 'continueErrorOutput' },
			),
			noOpNode(DEMO_NODES.paymentSettings),
			noOpNode(DEMO_NODES.failedSmartInvoices),
		],
		connections: [
			[DEMO_NODES.trigger, DEMO_NODES.invoices],
			[DEMO_NODES.invoices, DEMO_NODES.paySystem],
			[DEMO_NODES.paySystem, DEMO_NODES.settings, 0],
			[DEMO_NODES.paySystem, DEMO_NODES.failed, 1],
			[DEMO_NODES.trigger, DEMO_NODES.smartInvoices],
			[DEMO_NODES.smartInvoices, DEMO_NODES.payments],
			[DEMO_NODES.payments, DEMO_NODES.paymentSettings, 0],
			[DEMO_NODES.payments, DEMO_NODES.failedSmartInvoices, 1],
		],
	});
	// The legacy branch above the smart invoice branch, each node's two outputs one above the other to
	// its right, as a user would lay them out.
	const positions: Record<string, [number, number]> = {
		[DEMO_NODES.trigger]: [0, 200],
		[DEMO_NODES.invoices]: [220, 0],
		[DEMO_NODES.paySystem]: [440, 0],
		[DEMO_NODES.settings]: [760, -100],
		[DEMO_NODES.failed]: [760, 100],
		[DEMO_NODES.smartInvoices]: [220, 400],
		[DEMO_NODES.payments]: [440, 400],
		[DEMO_NODES.paymentSettings]: [760, 300],
		[DEMO_NODES.failedSmartInvoices]: [760, 500],
	};
	return { ...workflow, nodes: workflow.nodes.map((node) => ({ ...node, position: positions[node.name] ?? node.position })) };
}
