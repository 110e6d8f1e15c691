// The node as a tool of n8n's own AI Agent (3.1 on n8n 2.41.1, 3 on 1.123.81 with N8N_VERSION), inside
// a real n8n (`n8n execute`), with a real "OpenAI Chat Model" node whose credential points at a scripted
// OpenAI-compatible model on 127.0.0.1 and a webhook credential pointing at the emulated portal. What
// the model is shown, what it reads back after each call (success and errors), what the portal
// receives, and what the agent outputs, for legacy invoices (`get`) and for payments (`getForPayment`).
// Where the lines differ it is n8n's doing, and the expectations say so: 1.123 runs a turn's calls last
// first, and a call that throws with On Error unset stops the run there (docs/compatibility.md).
import type { LoggedRequest, Portal } from '../../../dev/emulator/portal';
import { startPortal } from '../../../dev/emulator/portal';
import { describeErrorCode } from '../../../nodes/shared/bitrix24/errors/codes';
import { STANDARD_PORTAL } from '../../support';
import { IS_N8N_1, N8N_VERSION, NODE_TYPE, createUserFolder, nodeOutput, webhookCredentialEntity } from '../../../dev/harness/n8n';
import type { CliResult, ExecutedRun, N8nUserFolder, WorkflowNode } from '../../../dev/harness/n8n';
import { AGENT, AGENT_VERSION, CHAT_MODEL, agentWorkflowEntity, fromAIExpression as fromAI, openAiCredentialEntity } from '../../../dev/harness/agentWorkflow';
import type { ChatCompletionRequest, OpenAiEmulator, RecordedModelRequest, ScriptedReply } from '../../../dev/emulator/openai';
import { messageText, startOpenAiEmulator } from '../../../dev/emulator/openai';

const WEBHOOK = { id: 'bx24webhook0001', name: 'Bitrix24 webhook' };
const OPENAI = { id: 'openaiemulated01', name: 'OpenAI (emulated)' };
const API_KEY = 'sk-emulated-0123456789abcdef';
const MODEL = 'emulated-chat-model';

const TOOL = 'Pay System Invoice Settings';

const METHOD = 'sale.paysystem.settings.invoice.get';
const PAYMENT_METHOD = 'sale.paysystem.settings.payment.get';
// With "Tool Description: Set Automatically" the model reads the node's description, whatever the operation.
const NODE_DESCRIPTION = 'Read the pay system settings of Bitrix24 legacy invoices, of payments, and of the payments of smart invoices and deals';

/** The tool node's parameters for legacy invoices: the model gives the invoice, the pay system is 11. */
const INVOICE_TOOL = {
	invoiceId: fromAI('Invoice_ID', 'number'),
	paySystemBy: 'id',
	paySystemId: { __rl: true, mode: 'id', value: '11' },
	options: {},
};

/** The tool node's parameters for payments: the model gives the payment and its pay system. */
const PAYMENT_TOOL = {
	operation: 'getForPayment',
	paymentId: fromAI('Payment_ID', 'number'),
	paySystemId: { __rl: true, mode: 'id', value: fromAI('Pay_System', 'string') },
	options: {},
};

/** The tool as the model is shown it in every request: named after the node, the node's description, the $fromAI fields. */
const toolDefinition = (properties: Record<string, { type: string }>) => ({
	type: 'function',
	function: {
		name: 'Pay_System_Invoice_Settings',
		description: NODE_DESCRIPTION,
		parameters: {
			type: 'object',
			properties,
			required: Object.keys(properties),
			additionalProperties: false,
			$schema: 'http://json-schema.org/draft-07/schema#',
		},
		// n8n 2.41's OpenAI client marks each tool not strict; 1.123's leaves the field out.
		...(IS_N8N_1 ? {} : { strict: false }),
	},
});
const INVOICE_TOOL_DEFINITION = toolDefinition({ Invoice_ID: { type: 'number' } });
const PAYMENT_TOOL_DEFINITION = toolDefinition({ Payment_ID: { type: 'number' }, Pay_System: { type: 'string' } });

const NOT_FOUND_HINT = describeErrorCode('ERROR_INTERNAL_INVOICE_NOT_FOUND').hint;
const INVALID_HINT = describeErrorCode('INVALID_PARAMETER').hint;
const ACCESS_DENIED_HINT = describeErrorCode('ACCESS_DENIED').hint;

interface ExpectedPortalCall {
	params: Record<string, unknown>;
	status: number;
	errorCode: string | null;
}

interface Scenario {
	title: string;
	workflowId: string;
	/** The agent's prompt; the scripted model picks its turns by it. */
	prompt: string;
	/** The tool node's parameters; the legacy invoice tool when absent. */
	tool?: { parameters: Record<string, unknown>; definition: ReturnType<typeof toolDefinition>; method: string };
	onError?: WorkflowNode['onError'];
	/** The model's first turn: one tool call each. */
	calls: Array<{ id: string; args: Record<string, unknown> }>;
	/** The content of the `tool` message the model reads back for each call, in call order. */
	observations: string[];
	portalCalls: ExpectedPortalCall[];
	/** The error the tool node's run records for each call, when it threw one. */
	thrown?: Array<{ name: string; message: string } | null>;
	/**
	 * On n8n 1.123 (On Error unset): the call, by its index in `calls`, whose error stops the run, and
	 * the portal calls made until then. 1.123 runs a turn's calls last first and stops at the first that throws.
	 */
	n8n1Stop?: { call: number; portalCalls: ExpectedPortalCall[] };
	/** The model's second turn, which the agent outputs. */
	answer: string;
}

const NOT_FOUND_CALL: ExpectedPortalCall = { params: { INVOICE_ID: 404, PAY_SYSTEM_ID: 11 }, status: 400, errorCode: 'ERROR_INTERNAL_INVOICE_NOT_FOUND' };

const SCENARIOS: Scenario[] = [
	{
		title: 'a successful call (invoice 10, pay system 11)',
		workflowId: 'bx24e2eagentok01',
		prompt: 'Which pay system settings does invoice 10 have?',
		calls: [{ id: 'call_ok_10', args: { Invoice_ID: 10 } }],
		observations: ['[{"REST_SERVICE_ID_IFRAME":"snum","REST_SERVICE_KEY_IFRAME":"skey","PS_WORK_MODE_IFRAME":"REGULAR"}]'],
		portalCalls: [{ params: { INVOICE_ID: 10, PAY_SYSTEM_ID: 11 }, status: 200, errorCode: null }],
		answer: 'Invoice 10 is paid by card: service ID snum, work mode REGULAR.',
	},
	{
		// A new tool node has no On Error setting: n8n hands the agent the message of the error the node
		// threw, which names the invoice and carries the hint when the node runs as a tool.
		title: 'failing calls, On Error unset (a new tool node): a missing invoice (404) and an invalid ID (-5)',
		workflowId: 'bx24e2eagenter01',
		prompt: 'Which pay system settings do invoices 404 and -5 have?',
		calls: [
			{ id: 'call_unset_404', args: { Invoice_ID: 404 } },
			{ id: 'call_unset_-5', args: { Invoice_ID: -5 } },
		],
		observations: [
			JSON.stringify([{ error: `Bitrix24 error ERROR_INTERNAL_INVOICE_NOT_FOUND: Invoice not found [invoice 404]. ${NOT_FOUND_HINT}` }]),
			JSON.stringify([{ error: `INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got -5 [no valid invoice ID]. ${INVALID_HINT}` }]),
		],
		portalCalls: [NOT_FOUND_CALL],
		// -5 runs first on n8n 1.123: its error stops the run before 404 is looked up.
		n8n1Stop: { call: 1, portalCalls: [] },
		thrown: [
			{ name: 'NodeApiError', message: `Bitrix24 error ERROR_INTERNAL_INVOICE_NOT_FOUND: Invoice not found [invoice 404]. ${NOT_FOUND_HINT}` },
			{ name: 'NodeOperationError', message: `INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got -5 [no valid invoice ID]. ${INVALID_HINT}` },
		],
		answer: 'Invoice 404 was not found, and -5 is not an invoice ID.',
	},
	{
		title: 'failing calls, On Error "Continue (regular output)": the error items with code, status and hint',
		workflowId: 'bx24e2eagenter02',
		prompt: 'Look up invoices 404 and -5: which pay system settings do they have?',
		onError: 'continueRegularOutput',
		calls: [
			{ id: 'call_continue_404', args: { Invoice_ID: 404 } },
			{ id: 'call_continue_-5', args: { Invoice_ID: -5 } },
		],
		observations: [
			JSON.stringify([
				{
					error: 'Bitrix24 error ERROR_INTERNAL_INVOICE_NOT_FOUND: Invoice not found',
					details: { errorCode: 'ERROR_INTERNAL_INVOICE_NOT_FOUND', errorDescription: 'Invoice not found', httpCode: 400, invoiceId: 404, hint: NOT_FOUND_HINT },
				},
			]),
			JSON.stringify([
				{
					error: 'INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got -5',
					details: { errorCode: 'INVALID_PARAMETER', errorDescription: null, httpCode: null, invoiceId: null, hint: INVALID_HINT },
				},
			]),
		],
		portalCalls: [NOT_FOUND_CALL],
		answer: 'Neither invoice could be read: 404 was not found and -5 is not valid.',
	},
	{
		// The message of a refused payment names the payment and carries the hint, which says why cash is refused.
		title: 'payments, On Error unset: a bank transfer payment (502) and a cash payment (801), refused',
		workflowId: 'bx24e2eagentpay1',
		prompt: 'Which pay system settings do payments 502 and 801 have?',
		tool: { parameters: PAYMENT_TOOL, definition: PAYMENT_TOOL_DEFINITION, method: PAYMENT_METHOD },
		calls: [
			{ id: 'call_payment_502', args: { Payment_ID: 502, Pay_System: '12' } },
			{ id: 'call_payment_801', args: { Payment_ID: 801, Pay_System: '13' } },
		],
		observations: [
			'[{"BANK_NAME":"Example Bank","PAYMENT_ID":"INV-502","PS_WORK_MODE":"TEST"}]',
			JSON.stringify([{ error: `Bitrix24 error ACCESS_DENIED: Access denied [payment 801]. ${ACCESS_DENIED_HINT}` }]),
		],
		portalCalls: [
			{ params: { PAYMENT_ID: 502, PAY_SYSTEM_ID: 12 }, status: 200, errorCode: null },
			{ params: { PAYMENT_ID: 801, PAY_SYSTEM_ID: 13 }, status: 403, errorCode: 'ACCESS_DENIED' },
		],
		// 801 runs first on n8n 1.123: its refusal stops the run before 502 is read.
		n8n1Stop: { call: 1, portalCalls: [{ params: { PAYMENT_ID: 801, PAY_SYSTEM_ID: 13 }, status: 403, errorCode: 'ACCESS_DENIED' }] },
		thrown: [null, { name: 'NodeApiError', message: `Bitrix24 error ACCESS_DENIED: Access denied [payment 801]. ${ACCESS_DENIED_HINT}` }],
		answer: 'Payment 502 is paid by bank transfer to Example Bank; payment 801 uses cash, whose settings are not readable.',
	},
	{
		title: 'payments, On Error "Continue (regular output)": the error items with the payment ID, status and hint',
		workflowId: 'bx24e2eagentpay2',
		prompt: 'Look up payments 801 and 0: which pay system settings do they have?',
		tool: { parameters: PAYMENT_TOOL, definition: PAYMENT_TOOL_DEFINITION, method: PAYMENT_METHOD },
		onError: 'continueRegularOutput',
		calls: [
			{ id: 'call_continue_801', args: { Payment_ID: 801, Pay_System: '13' } },
			{ id: 'call_continue_0', args: { Payment_ID: 0, Pay_System: '11' } },
		],
		observations: [
			JSON.stringify([
				{
					error: 'Bitrix24 error ACCESS_DENIED: Access denied',
					details: { errorCode: 'ACCESS_DENIED', errorDescription: 'Access denied', httpCode: 403, paymentId: 801, hint: ACCESS_DENIED_HINT },
				},
			]),
			JSON.stringify([
				{
					error: 'INVALID_PARAMETER: Payment ID must be a whole number from 1 to 2147483647; got 0',
					details: { errorCode: 'INVALID_PARAMETER', errorDescription: null, httpCode: null, paymentId: null, hint: INVALID_HINT },
				},
			]),
		],
		portalCalls: [{ params: { PAYMENT_ID: 801, PAY_SYSTEM_ID: 13 }, status: 403, errorCode: 'ACCESS_DENIED' }],
		answer: 'Neither payment could be read: 801 uses cash and 0 is not a payment ID.',
	},
];

const toolOf = (scenario: Scenario) => scenario.tool ?? { parameters: INVOICE_TOOL, definition: INVOICE_TOOL_DEFINITION, method: METHOD };

/** Where the run stops on this line: only on n8n 1.123, only for a call that throws with On Error unset. */
const stopOf = (scenario: Scenario) => (IS_N8N_1 ? scenario.n8n1Stop : undefined);
/** The error that stops the run on this line, or null when the run goes on to the agent's answer. */
function stopError(scenario: Scenario): { name: string; message: string } | null {
	const stop = stopOf(scenario);
	if (stop === undefined) return null;
	const thrown = scenario.thrown?.[stop.call];
	if (thrown == null) throw new Error(`${scenario.workflowId}: n8n1Stop names call ${stop.call}, which throws nothing`);
	return thrown;
}
/** The model is asked for its first turn, then, unless the run stopped, once more with the tool messages. */
const modelTurns = (scenario: Scenario) => (stopOf(scenario) === undefined ? 2 : 1);
/** The order n8n runs a turn's calls in, by their index in `calls`: 2.41 first to last, 1.123 last first. */
const callOrder = (scenario: Scenario) => {
	const order = scenario.calls.map((_, index) => index);
	return IS_N8N_1 ? order.reverse() : order;
};
/** The tool node's input for a call: the model's arguments; n8n 1.123 adds the call's id. */
const toolInput = ({ id, args }: Scenario['calls'][number]) => (IS_N8N_1 ? { ...args, toolCallId: id } : args);

const noScript = (message: string): ScriptedReply => ({ status: 400, error: { message, type: 'invalid_request_error', code: null } });

/** The scripted model: the scenario's tool calls for its prompt, then its answer once the last message is a tool result. */
function scriptedReply(request: ChatCompletionRequest): ScriptedReply {
	const user = request.messages.find((message) => message.role === 'user');
	const prompt = user === undefined ? '' : messageText(user);
	const scenario = SCENARIOS.find((entry) => entry.prompt === prompt);
	if (scenario === undefined) return noScript(`No script for the prompt ${JSON.stringify(prompt)}`);
	const toolName = request.tools?.[0]?.function.name;
	if (toolName === undefined) return noScript('No tool was offered');
	if (request.messages.at(-1)?.role === 'tool') return { content: scenario.answer };
	return { toolCalls: scenario.calls.map(({ id, args }) => ({ id, name: toolName, arguments: args })) };
}

/** Manual Trigger -> AI Agent with the chat model and the node as its tool. */
function agentWorkflow(scenario: Scenario) {
	const tool: WorkflowNode = {
		name: TOOL,
		type: `${NODE_TYPE}Tool`,
		typeVersion: 1,
		parameters: toolOf(scenario).parameters,
		credentials: { bitrix24WebhookApi: WEBHOOK },
		...(scenario.onError ? { onError: scenario.onError } : {}),
	};
	return agentWorkflowEntity({ id: scenario.workflowId, name: `Agent with the pay system tool: ${scenario.title}`, prompt: scenario.prompt, model: MODEL, openAi: OPENAI, tool });
}

interface ScenarioRun {
	run: ExecutedRun;
	output: CliResult;
	modelRequests: RecordedModelRequest[];
	portalRequests: LoggedRequest[];
}

interface ToolTask {
	executionIndex: number;
	inputOverride?: { ai_tool: Array<Array<{ json: Record<string, unknown> }>> };
	executionStatus?: string;
	error?: { name: string; message: string };
	data?: { ai_tool: Array<Array<{ json: Record<string, unknown> }>> };
}

describe(`The node as a tool of n8n ${N8N_VERSION}'s AI Agent ${AGENT_VERSION} with an OpenAI chat model (CLI)`, () => {
	let portal: Portal;
	let model: OpenAiEmulator;
	let n8n: N8nUserFolder;
	const runs = new Map<string, ScenarioRun>();

	const runOf = (scenario: Scenario): ScenarioRun => {
		const result = runs.get(scenario.workflowId);
		if (result === undefined) throw new Error(`${scenario.workflowId} did not run`);
		return result;
	};
	const chatBodies = (scenario: Scenario) => runOf(scenario).modelRequests.map((request) => request.body);

	beforeAll(async () => {
		portal = await startPortal(STANDARD_PORTAL);
		model = await startOpenAiEmulator({ models: [MODEL], reply: scriptedReply });
		n8n = createUserFolder();
		await n8n.importCredentials([
			webhookCredentialEntity(WEBHOOK, portal.webhookUrl),
			openAiCredentialEntity(OPENAI, API_KEY, model.baseUrl),
		]);
		await n8n.importWorkflows(SCENARIOS.map(agentWorkflow));
		for (const scenario of SCENARIOS) {
			const modelBefore = model.requests.length;
			const portalBefore = portal.requests.length;
			const { run, output } = await n8n.executeWithOutput(scenario.workflowId);
			runs.set(scenario.workflowId, { run, output, modelRequests: model.requests.slice(modelBefore), portalRequests: portal.requests.slice(portalBefore) });
		}
	});

	afterAll(async () => {
		await model?.stop();
		await portal?.stop();
		n8n?.remove();
	});

	it('runs every workflow to its end, and n8n stores each execution: to success, or on n8n 1.123 to the error that stopped it', () => {
		const ends = (status: string) => SCENARIOS.map((scenario) => ({ workflow: scenario.workflowId, status: stopOf(scenario) === undefined ? 'success' : status }));
		expect(
			SCENARIOS.map((scenario) => {
				const { run } = runOf(scenario);
				return { workflow: scenario.workflowId, status: run.status, error: run.data.resultData.error?.message ?? null };
			}),
		).toEqual(ends('error').map((end, index) => ({ ...end, error: stopError(SCENARIOS[index])?.message ?? null })));
		for (const scenario of SCENARIOS.filter((entry) => stopOf(entry) === undefined)) expect(runOf(scenario).output.stdout).not.toContain('Execution error');
		expect(n8n.storedExecutions().map(({ workflowId, mode, status }) => ({ workflow: workflowId, mode, status }))).toEqual(
			ends('error').map((end) => ({ ...end, mode: 'cli' })),
		);
	});

	describe.each(SCENARIOS)('$title', (scenario) => {
		it('the model is asked by POST /v1/chat/completions without streaming, with the API key: twice, or once when the run stops; nothing else', () => {
			expect(runOf(scenario).modelRequests.map(({ method, path, headers, body }) => ({ method, path, authorization: headers.authorization, stream: body?.stream }))).toEqual(
				Array.from({ length: modelTurns(scenario) }, () => ({ method: 'POST', path: '/v1/chat/completions', authorization: `Bearer ${API_KEY}`, stream: false })),
			);
		});

		it('first request: the prompt and the tool, named after the node, with the node description and the $fromAI fields as its schema', () => {
			expect(chatBodies(scenario)[0]).toEqual({ model: MODEL, stream: false, tools: [toolOf(scenario).definition], messages: [{ role: 'user', content: scenario.prompt }] });
		});

		it('second request (unless the run stopped): each tool call and the exact tool message the model reads back for it', () => {
			const secondRequest = {
				model: MODEL,
				stream: false,
				tools: [toolOf(scenario).definition],
				messages: [
					{ role: 'user', content: scenario.prompt },
					// n8n sends each call of the turn back as its own assistant message, its id added to the arguments.
					...scenario.calls.flatMap(({ id, args }, index) => [
						{
							role: 'assistant',
							// An empty text: n8n 2.41 sends it as an empty list of parts, 1.123 as an empty string.
							content: IS_N8N_1 ? '' : [],
							tool_calls: [{ id, type: 'function', function: { name: toolOf(scenario).definition.function.name, arguments: JSON.stringify({ ...args, id }) } }],
						},
						{ role: 'tool', content: scenario.observations[index], tool_call_id: id },
					]),
				],
			};
			expect(chatBodies(scenario).slice(1)).toEqual(modelTurns(scenario) === 2 ? [secondRequest] : []);
		});

		it('the portal receives exactly the expected REST calls, by the webhook; an invalid ID is never sent', () => {
			const webhookPath = new URL(portal.webhookUrl).pathname;
			const { method } = toolOf(scenario);
			expect(
				runOf(scenario).portalRequests.map(({ httpMethod, path, restMethod, auth, params, status, errorCode }) => ({ httpMethod, path, restMethod, auth, params, status, errorCode })),
			).toEqual(
				(stopOf(scenario)?.portalCalls ?? scenario.portalCalls).map((call) => ({ httpMethod: 'POST', path: `${webhookPath}${method}.json`, restMethod: method, auth: 'webhook', ...call })),
			);
		});

		it('the tool node has a task per call, with the arguments the model gave, its items and the error it threw', () => {
			const tasks = runOf(scenario).run.data.resultData.runData[TOOL] as unknown as ToolTask[];
			const stop = stopError(scenario);
			expect(
				tasks.map((task) => ({
					input: task.inputOverride?.ai_tool[0].map((item) => item.json) ?? null,
					items: task.data === undefined ? null : JSON.stringify(task.data.ai_tool[0].map((item) => item.json)),
					// With On Error unset the run keeps the error the node threw beside the item n8n made of it.
					error: task.error === undefined ? null : { name: task.error.name, message: task.error.message },
				})),
			).toEqual(
				stop === null
					? scenario.calls.map((call, index) => ({ input: [toolInput(call)], items: scenario.observations[index], error: scenario.thrown?.[index] ?? null }))
					: // n8n 1.123 opens a task for each call of the turn, and records the call that threw in a task of its own.
						[...scenario.calls.map((call) => ({ input: [toolInput(call)], items: null, error: null })), { input: null, items: null, error: stop }],
			);
		});

		it('n8n runs the calls of a turn one after another: first to last on 2.41, last first on 1.123', () => {
			const tasks = runOf(scenario).run.data.resultData.runData[TOOL] as unknown as ToolTask[];
			const ran = tasks.map((task, index) => ({ index, task })).filter(({ task }) => (task.executionStatus ?? null) !== null);
			const order = ran.sort((a, b) => a.task.executionIndex - b.task.executionIndex).map(({ index }) => index);
			// A run that stopped ran one call only: the one whose error stopped it, in the task after the calls' own.
			expect(order).toEqual(stopOf(scenario) === undefined ? callOrder(scenario) : [scenario.calls.length]);
		});

		it('the agent outputs one item, the model\'s final answer; when the run stops on n8n 1.123 the agent has no output', () => {
			const { runData } = runOf(scenario).run.data.resultData;
			if (stopOf(scenario) === undefined) expect(nodeOutput(runOf(scenario).run, AGENT)).toEqual([{ json: { output: scenario.answer }, pairedItem: { item: 0 } }]);
			else expect(Object.keys(runData)).toEqual(['Start', CHAT_MODEL, TOOL]);
		});
	});

	it('no webhook code (nor any portal secret) in any request the model received, in what n8n printed, or in the stored runs', () => {
		const secrets = [portal.webhookCode, portal.webhookUrl, ...portal.secrets()];
		const found = (place: string, text: string) => secrets.filter((secret) => text.includes(secret)).map((secret) => `${place}: ${secret}`);
		expect(model.requests).toHaveLength(SCENARIOS.reduce((sum, scenario) => sum + modelTurns(scenario), 0));
		const leaks = [
			...model.requests.flatMap((request, index) => found(`model request ${index}`, `${request.path}\n${JSON.stringify(request.headers)}\n${request.raw}`)),
			...SCENARIOS.flatMap((scenario) => {
				const { run, output } = runOf(scenario);
				return [...found(`${scenario.workflowId} run data`, JSON.stringify(run)), ...found(`${scenario.workflowId} stdout`, output.stdout), ...found(`${scenario.workflowId} stderr`, output.stderr)];
			}),
			...n8n.storedExecutions().flatMap((execution) => found(`stored execution ${execution.id}`, `${execution.data}\n${execution.workflowData}`)),
		];
		expect(leaks).toEqual([]);
		// The model's own key stays in the credential: the run data and the stored runs do not carry it either.
		expect(SCENARIOS.filter((scenario) => JSON.stringify(runOf(scenario).run).includes(API_KEY))).toEqual([]);
		expect(n8n.storedExecutions().filter((execution) => execution.data.includes(API_KEY))).toEqual([]);
	});
});
