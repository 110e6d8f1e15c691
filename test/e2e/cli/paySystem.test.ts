// The Bitrix24 Pay System node inside a real n8n (`n8n execute`; 2.41.1, or 1.123.81 with N8N_VERSION),
// loaded from dist/ as a community package, against the emulated portal: a provider's callbacks
// confirmed (one confirmed, one paid by another transaction, one for another amount), the same callback
// again in a run of its own, a handler and a pay system created, read, and deleted, and n8n's AI Agent
// confirming a payment with the node as its tool. The portal counts the pay.payment calls it applied per
// payment. Three workflows; n8n boots five times for the whole file.
import type { Portal } from '../../../dev/emulator/portal';
import { startPortal } from '../../../dev/emulator/portal';
import type { ChatCompletionRequest, OpenAiEmulator, RecordedModelRequest, ScriptedReply } from '../../../dev/emulator/openai';
import { messageText, startOpenAiEmulator } from '../../../dev/emulator/openai';
import { HANDLERS } from '../../../dev/emulator/seed';
import { AGENT, agentWorkflowEntity, fromAIExpression, openAiCredentialEntity } from '../../../dev/harness/agentWorkflow';
import {
	IS_N8N_1,
	N8N_VERSION,
	PAY_SYSTEM_NODE_TYPE,
	createUserFolder,
	itemsNode,
	manualTriggerNode,
	nodeOutput,
	noOpNode,
	paySystemNode,
	webhookCredentialEntity,
	workflowEntity,
} from '../../../dev/harness/n8n';
import type { ExecutedRun, N8nUserFolder } from '../../../dev/harness/n8n';
import { describeErrorCode } from '../../../nodes/shared/bitrix24/errors/codes';
import { STANDARD_PORTAL, confirmPayment, paymentCallback, resourceLocator } from '../../support';

const WEBHOOK = { id: 'bx24webhook0001', name: 'Bitrix24 webhook' };
const OPENAI = { id: 'openaiemulated01', name: 'OpenAI (emulated)' };
const credentials = { bitrix24WebhookApi: WEBHOOK };
const API_KEY = 'sk-emulated-0123456789abcdef';
const MODEL = 'emulated-chat-model';
const CALLBACKS_ID = 'bx24e2epsconfirm';
const REPEAT_ID = 'bx24e2epsrepeat1';
const AGENT_ID = 'bx24e2epsagent01';

// Seeded unpaid payments: 502 (200 USD, pay system 12), 601 (100 USD, 12), 2002 (200 USD, 14), 902 (200 USD, 12).
const CALLBACKS = [paymentCallback(502, 12, 200), paymentCallback(601, 12, 100), paymentCallback(2002, 14, 150)];
/** 601 was paid by another of the provider's transactions before its callback came. */
const OTHER_TRANSACTION = 'txn-FIRST';

const HANDLER_SETTINGS = { CODES: { SHOP_ID: { NAME: 'Shop ID' } }, IFRAME_DATA: { ACTION_URI: 'https://pay.example.com/', FIELDS: { id: { CODE: 'SHOP_ID' } } } };
const PAY_SYSTEM_SETTINGS = { SHOP_ID: { TYPE: 'VALUE', VALUE: 'shop-1' } };
const MANAGEMENT = ['Create handler', 'Create pay system', 'Read settings', 'Delete pay system', 'Delete handler', 'Handlers left'] as const;

const callbacksWorkflow = workflowEntity({
	id: CALLBACKS_ID,
	name: 'Pay System: confirm the provider\'s callbacks, and manage a handler and its pay system',
	nodes: [
		manualTriggerNode(),
		itemsNode('Callbacks', CALLBACKS),
		paySystemNode('Confirm', confirmPayment(), { credentials, onError: 'continueErrorOutput' }),
		noOpNode('Confirmed'),
		noOpNode('Refused'),
		paySystemNode('Create handler', { resource: 'handler', operation: 'create', name: 'n8n handler', code: 'n8nhandler', sort: 100, settings: JSON.stringify(HANDLER_SETTINGS) }, { credentials }),
		paySystemNode(
			'Create pay system',
			{
				resource: 'paySystem',
				operation: 'create',
				name: 'n8n pay system',
				personTypeId: 1,
				bxRestHandler: resourceLocator('code', 'n8nhandler'),
				entityRegistryType: 'ORDER',
				active: true,
				settings: JSON.stringify(PAY_SYSTEM_SETTINGS),
			},
			{ credentials },
		),
		paySystemNode('Read settings', { resource: 'settings', operation: 'get', paySystemId: resourceLocator('id', '={{ $json.id }}'), personTypeId: 1 }, { credentials }),
		paySystemNode('Delete pay system', { resource: 'paySystem', operation: 'delete', paySystemId: resourceLocator('id', "={{ $('Create pay system').item.json.id }}") }, { credentials }),
		paySystemNode('Delete handler', { resource: 'handler', operation: 'delete', handlerId: "={{ $('Create handler').item.json.id }}" }, { credentials }),
		paySystemNode('Handlers left', { resource: 'handler', operation: 'getAll' }, { credentials }),
	],
	connections: [
		['Start', 'Callbacks'],
		['Callbacks', 'Confirm'],
		['Confirm', 'Confirmed', 0],
		['Confirm', 'Refused', 1],
		['Start', MANAGEMENT[0]],
		...MANAGEMENT.slice(1).map((name, index): [string, string] => [MANAGEMENT[index], name]),
	],
});

/** The provider calls back for 502 again, in an execution of its own. */
const repeatWorkflow = workflowEntity({
	id: REPEAT_ID,
	name: 'Pay System: the same callback again',
	nodes: [manualTriggerNode(), itemsNode('Callback', [CALLBACKS[0]]), paySystemNode('Confirm', confirmPayment(), { credentials, onError: 'continueErrorOutput' })],
	connections: [
		['Start', 'Callback'],
		['Callback', 'Confirm'],
	],
});

// The agent's tool: the model gives the payment, its pay system, the transaction and the amount.
const TOOL = 'Bitrix24 Pay System';
const AGENT_PROMPT = 'The provider reports transaction txn-agent-902: 200 USD for payment 902 on pay system 12. Confirm it.';
const AGENT_CALL = { id: 'call_confirm_902', args: { Payment_ID: 902, Pay_System: '12', Transaction_ID: 'txn-agent-902', Amount: 200 } };
const AGENT_ANSWER = 'Payment 902 is confirmed: transaction txn-agent-902, 200 USD.';
const CONFIRMED_902 = { paymentId: 902, paySystemId: 12, transactionId: 'txn-agent-902', sum: 200, currency: 'USD', status: 'confirmed' };

const agentWorkflow = agentWorkflowEntity({
	id: AGENT_ID,
	name: 'Pay System: an AI Agent confirms a payment',
	prompt: AGENT_PROMPT,
	model: MODEL,
	openAi: OPENAI,
	tool: {
		name: TOOL,
		type: `${PAY_SYSTEM_NODE_TYPE}Tool`,
		typeVersion: 1,
		parameters: {
			resource: 'payment',
			operation: 'confirm',
			paymentId: fromAIExpression('Payment_ID', 'number'),
			paySystemId: resourceLocator('id', fromAIExpression('Pay_System', 'string')),
			transactionId: fromAIExpression('Transaction_ID', 'string'),
			amount: fromAIExpression('Amount', 'number'),
			currency: 'USD',
			options: {},
		},
		credentials,
	},
});

/** The scripted model: the confirmation for its prompt, then its answer once it has read the tool's result. */
function scriptedReply(request: ChatCompletionRequest): ScriptedReply {
	const user = request.messages.find((message) => message.role === 'user');
	if (user === undefined || messageText(user) !== AGENT_PROMPT) return { status: 400, error: { message: 'No script for this prompt', type: 'invalid_request_error', code: null } };
	const toolName = request.tools?.[0]?.function.name;
	if (toolName === undefined) return { status: 400, error: { message: 'No tool was offered', type: 'invalid_request_error', code: null } };
	if (request.messages.at(-1)?.role === 'tool') return { content: AGENT_ANSWER };
	return { toolCalls: [{ id: AGENT_CALL.id, name: toolName, arguments: AGENT_CALL.args }] };
}

const confirmed = (callback: Record<string, unknown>, item: number, status: 'confirmed' | 'alreadyConfirmed', sum = callback.amount) => ({
	json: { paymentId: callback.paymentId, paySystemId: callback.paySystemId, transactionId: callback.transactionId, sum, currency: 'USD', status },
	pairedItem: { item },
});

/** A refused callback on the error output: the item's fields, the local code's message, `details` with its hint. */
const refused = (callback: Record<string, unknown>, item: number, code: string, text: string, ids: Record<string, unknown>) => ({
	json: { ...callback, error: `${code}: ${text}`, details: { errorCode: code, errorDescription: null, httpCode: null, paymentId: callback.paymentId, ...ids, hint: describeErrorCode(code).hint } },
	pairedItem: { item },
});

describe(`The Bitrix24 Pay System node in n8n ${N8N_VERSION} (CLI), loaded from dist/ as a community package`, () => {
	let portal: Portal;
	let model: OpenAiEmulator;
	let n8n: N8nUserFolder;
	let callbacksRun: ExecutedRun;
	let repeatRun: ExecutedRun;
	let agentRun: ExecutedRun;
	let agentRequests: RecordedModelRequest[];
	const payCalls: Record<string, Record<number, number>> = {};
	const countPayCalls = (when: string) => (payCalls[when] = Object.fromEntries([502, 601, 2002, 902].map((id) => [id, portal.payments.payCalls(id)])));

	beforeAll(async () => {
		// sale.payment.get, which Check First reads with, needs the sale scope.
		portal = await startPortal({ ...STANDARD_PORTAL, webhookScopes: ['pay_system', 'crm', 'sale'] });
		model = await startOpenAiEmulator({ models: [MODEL], reply: scriptedReply });
		n8n = createUserFolder();
		await n8n.importCredentials([webhookCredentialEntity(WEBHOOK, portal.webhookUrl), openAiCredentialEntity(OPENAI, API_KEY, model.baseUrl)]);
		await n8n.importWorkflows([callbacksWorkflow, repeatWorkflow, agentWorkflow]);
		portal.payments.pay(601, { PS_INVOICE_ID: OTHER_TRANSACTION });
		callbacksRun = await n8n.execute(CALLBACKS_ID);
		countPayCalls('callbacks');
		repeatRun = await n8n.execute(REPEAT_ID);
		countPayCalls('repeat');
		agentRun = await n8n.execute(AGENT_ID);
		countPayCalls('agent');
		agentRequests = model.chatRequests();
	});

	afterAll(async () => {
		await model?.stop();
		await portal?.stop();
		n8n?.remove();
	});

	it('runs the three workflows to success, and n8n stores each execution', () => {
		expect([callbacksRun, repeatRun, agentRun].map((run) => ({ status: run.status, error: run.data.resultData.error?.message ?? null }))).toEqual(
			[1, 2, 3].map(() => ({ status: 'success', error: null })),
		);
		expect(n8n.storedExecutions().map(({ workflowId, mode, status }) => ({ workflowId, mode, status }))).toEqual(
			[CALLBACKS_ID, REPEAT_ID, AGENT_ID].map((workflowId) => ({ workflowId, mode: 'cli', status: 'success' })),
		);
	});

	describe('Payment > Confirm', () => {
		it('an unpaid payment whose amount and currency match: confirmed, on the main output', () => {
			expect(nodeOutput(callbacksRun, 'Confirm', 0)).toEqual([confirmed(CALLBACKS[0], 0, 'confirmed')]);
			expect(nodeOutput(callbacksRun, 'Confirmed').map((item) => item.json)).toEqual([confirmed(CALLBACKS[0], 0, 'confirmed').json]);
		});

		it('a payment paid by another transaction and one for another amount: PAID_BY_OTHER_TRANSACTION and AMOUNT_MISMATCH on the error output', () => {
			const failed = [
				refused(CALLBACKS[1], 1, 'PAID_BY_OTHER_TRANSACTION', `It is already paid by transaction ${OTHER_TRANSACTION}, not by txn-601`, {
					transactionId: 'txn-601',
					paidTransactionId: OTHER_TRANSACTION,
				}),
				refused(CALLBACKS[2], 2, 'AMOUNT_MISMATCH', 'The provider reported 150 USD, the portal expects 200 USD', {
					expectedSum: 200,
					expectedCurrency: 'USD',
					receivedSum: 150,
					receivedCurrency: 'USD',
				}),
			];
			expect(nodeOutput(callbacksRun, 'Confirm', 1)).toEqual(failed);
			expect(nodeOutput(callbacksRun, 'Refused').map((item) => item.json)).toEqual(failed.map((item) => item.json));
		});

		it('the same callback again, in a run of its own: alreadyConfirmed, and nothing sent', () => {
			expect(nodeOutput(repeatRun, 'Confirm', 0)).toEqual([confirmed(CALLBACKS[0], 0, 'alreadyConfirmed')]);
			expect(nodeOutput(repeatRun, 'Confirm', 1)).toEqual([]);
		});

		it('the portal applied one pay.payment for 502 in all, none for the refused payments', () => {
			expect(payCalls).toEqual({
				callbacks: { 502: 1, 601: 0, 2002: 0, 902: 0 },
				repeat: { 502: 1, 601: 0, 2002: 0, 902: 0 },
				agent: { 502: 1, 601: 0, 2002: 0, 902: 1 },
			});
			expect(portal.payments.get(502)).toMatchObject({ paid: 'Y', psInvoiceId: 'txn-502', psSum: 200, psCurrency: 'USD' });
			expect(portal.payments.get(601)).toMatchObject({ paid: 'Y', psInvoiceId: OTHER_TRANSACTION });
			expect(portal.payments.get(2002)).toMatchObject({ paid: 'N', psInvoiceId: null });
		});
	});

	describe('managing a handler and its pay system', () => {
		it('Handler > Create gives the new handler\'s ID; Pay System > Create on it the pay system\'s', () => {
			expect(nodeOutput(callbacksRun, 'Create handler')).toEqual([{ json: { id: 5 }, pairedItem: { item: 0 } }]);
			expect(nodeOutput(callbacksRun, 'Create pay system')).toEqual([{ json: { id: 16 }, pairedItem: { item: 0 } }]);
		});

		it('Settings > Get reads the pay system\'s settings for the payer type', () => {
			expect(nodeOutput(callbacksRun, 'Read settings')).toEqual([{ json: PAY_SYSTEM_SETTINGS, pairedItem: { item: 0 } }]);
		});

		it('Pay System > Delete, then Handler > Delete: both succeed, and the portal\'s handlers are the seeded ones again', () => {
			expect(nodeOutput(callbacksRun, 'Delete pay system')).toEqual([{ json: { id: 16, success: true }, pairedItem: { item: 0 } }]);
			expect(nodeOutput(callbacksRun, 'Delete handler')).toEqual([{ json: { id: 5, success: true }, pairedItem: { item: 0 } }]);
			expect(nodeOutput(callbacksRun, 'Handlers left').map((item) => item.json.CODE)).toEqual(HANDLERS.map((handler) => handler.CODE));
			expect([portal.paySystems.get(16), portal.paySystems.handler('n8nhandler')]).toEqual([undefined, undefined]);
		});
	});

	describe('the AI Agent with the node as its tool', () => {
		it('the model is shown the tool with the $fromAI fields, and asked twice', () => {
			expect(agentRequests).toHaveLength(2);
			const [tool] = agentRequests[0].body?.tools ?? [];
			expect(tool?.function.name).toBe('Bitrix24_Pay_System');
			expect(tool?.function.parameters).toMatchObject({
				type: 'object',
				properties: { Payment_ID: { type: 'number' }, Pay_System: { type: 'string' }, Transaction_ID: { type: 'string' }, Amount: { type: 'number' } },
			});
		});

		it('the tool confirms the payment: the model reads the confirmed item back, and the agent outputs its answer', () => {
			const toolMessage = agentRequests[1].body?.messages.find((message) => message.role === 'tool');
			expect(toolMessage).toMatchObject({ tool_call_id: AGENT_CALL.id, content: JSON.stringify([CONFIRMED_902]) });
			const tasks = agentRun.data.resultData.runData[TOOL] as unknown as Array<{ inputOverride?: { ai_tool: Array<Array<{ json: object }>> }; data?: { ai_tool: Array<Array<{ json: object }>> } }>;
			expect(tasks.map((task) => task.inputOverride?.ai_tool[0].map((item) => item.json))).toEqual([[IS_N8N_1 ? { ...AGENT_CALL.args, toolCallId: AGENT_CALL.id } : AGENT_CALL.args]]);
			expect(tasks.map((task) => task.data?.ai_tool[0].map((item) => item.json))).toEqual([[CONFIRMED_902]]);
			expect(nodeOutput(agentRun, AGENT)).toEqual([{ json: { output: AGENT_ANSWER }, pairedItem: { item: 0 } }]);
			expect(portal.payments.get(902)).toMatchObject({ paid: 'Y', psInvoiceId: 'txn-agent-902', psSum: 200, psCurrency: 'USD' });
		});
	});

	it('no webhook code (nor any portal secret) in the run data or the stored executions', () => {
		const kept = [JSON.stringify([callbacksRun, repeatRun, agentRun]), ...n8n.storedExecutions().map((execution) => `${execution.data}\n${execution.workflowData}`)].join('\n');
		expect(portal.secrets().filter((secret) => kept.includes(secret))).toEqual([]);
	});
});
