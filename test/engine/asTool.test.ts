import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { Portal } from '../../dev/emulator/portal';
import type { AgentRunOptions, AgentRunResult } from '../../dev/harness/aiTool';
import { TOOL_NODE_NAME, fromAI, runAgent, toolTypeDescription } from '../../dev/harness/aiTool';
import type { OnError } from '../../dev/harness/engine';
import { packageNodeType } from '../../dev/harness/engine';
import { hintOf } from '../contract/hints';
import { oauthCredentials, resourceLocator, usePortal, webhookCredentials } from '../support';

const METHOD = 'sale.paysystem.settings.invoice.get';
const NODE_DESCRIPTION = 'Read the pay system settings of Bitrix24 legacy invoices, of payments, and of the payments of smart invoices and deals';
const NOT_FOUND_HINT = hintOf('ERROR_INTERNAL_INVOICE_NOT_FOUND');
const INVALID_HINT = hintOf('INVALID_PARAMETER');

// The fields a user hands to the model with "Let the model define this parameter"; the key is the field's display name.
const INVOICE_ID = fromAI('Invoice_ID', 'ID of the legacy CRM invoice', 'number');
const PAY_SYSTEM = fromAI('Pay_System', '', 'string');
const REST_HANDLER = fromAI('REST_Handler', '', 'string');

const byPaySystemId = (options: IDataObject = {}): INodeParameters =>
	({ invoiceId: INVOICE_ID, paySystemBy: 'id', paySystemId: resourceLocator('id', PAY_SYSTEM), options }) as INodeParameters;

const byHandlerCode = (options: IDataObject = {}): INodeParameters =>
	({ invoiceId: INVOICE_ID, paySystemBy: 'handler', bxRestHandler: resourceLocator('code', REST_HANDLER), options }) as INodeParameters;

/** A tool call as a model makes it: arguments named by the `$fromAI` keys. */
const call = (invoiceId: unknown, paySystem: unknown = '11'): IDataObject => ({ Invoice_ID: invoiceId, Pay_System: paySystem }) as IDataObject;

/** What the model reads back for each call of its turn, the tool set up by pay system ID unless told otherwise. */
async function observe(portal: Portal, calls: IDataObject[], settings: Partial<AgentRunOptions> = {}): Promise<string[] | undefined> {
	const result = await runAgent({ parameters: byPaySystemId(), credentials: webhookCredentials(portal.webhookUrl), calls, ...settings });
	return result.observations?.map(({ observation }) => observation);
}

const sentParams = (portal: Portal) => portal.restCalls(METHOD).map((request) => request.params);

const CARD_SETTINGS = '[{"REST_SERVICE_ID_IFRAME":"snum","REST_SERVICE_KEY_IFRAME":"skey","PS_WORK_MODE_IFRAME":"REGULAR"}]';

const SCHEMA_BY_ID = {
	type: 'object',
	properties: {
		Invoice_ID: { type: 'number', description: 'ID of the legacy CRM invoice' },
		Pay_System: { type: 'string' },
	},
	required: ['Invoice_ID', 'Pay_System'],
	additionalProperties: false,
	$schema: 'http://json-schema.org/draft-07/schema#',
};

describe('The tool n8n 2.41 makes of the node (usableAsTool)', () => {
	const portal = usePortal();

	it('is a synthetic <type>Tool type: no inputs, an ai_tool output, a description switch, the AI > Tools codex', () => {
		const description = toolTypeDescription();
		expect(description.name).toBe('bitrix24PaySystemInvoiceSettingsTool');
		expect(description.displayName).toBe('Pay System Invoice Settings Tool');
		expect(description.inputs).toEqual([]);
		expect(description.outputs).toEqual(['ai_tool']);
		expect('usableAsTool' in description).toBe(false);
		expect(description.codex).toEqual({
			categories: ['AI'],
			subcategories: { AI: ['Tools'], Tools: ['Other Tools'] },
			resources: {
				primaryDocumentation: [
					{ url: 'https://apidocs.bitrix24.com/api-reference/pay-system/sale-pay-system-settings-invoice-get.html' },
					{ url: 'https://apidocs.bitrix24.com/api-reference/pay-system/sale-pay-system-settings-payment-get.html' },
					{ url: 'https://apidocs.bitrix24.com/api-reference/crm/universal/payment/crm-item-payment-list.html' },
				],
				credentialDocumentation: [
					{ url: 'https://apidocs.bitrix24.com/local-integrations/local-webhooks.html' },
					{ url: 'https://apidocs.bitrix24.com/settings/oauth/index.html' },
				],
			},
			alias: ['Bitrix24', 'pay system', 'payment system', 'payment', 'invoice', 'smart invoice', 'deal', 'CRM'],
		});
		// The node has no callout, so both go first; it has an operation, so the description is automatic unless set.
		expect(description.properties.slice(0, 2).map(({ name, type, default: value, displayOptions }) => ({ name, type, value, displayOptions }))).toEqual([
			{ name: 'descriptionType', type: 'options', value: 'auto', displayOptions: undefined },
			{ name: 'toolDescription', type: 'string', value: NODE_DESCRIPTION, displayOptions: { show: { descriptionType: ['manual'] } } },
		]);
		expect(description.properties.slice(2).map((property) => property.name)).toEqual(
			packageNodeType().description.properties.map((property) => property.name),
		);
	});

	it('keeps the $fromAI() expressions as the editor writes them, and the automatic description', async () => {
		const { toolNode } = await runAgent({ parameters: byPaySystemId(), credentials: webhookCredentials(portal().webhookUrl), calls: [call(10)] });
		expect(toolNode.parameters).toEqual({
			descriptionType: 'auto',
			authentication: 'webhook',
			legacyInvoiceNotice: '',
			scopeNotice: '',
			operation: 'get',
			invoiceId: "={{ /*n8n-auto-generated-fromAI-override*/ $fromAI('Invoice_ID', `ID of the legacy CRM invoice`, 'number') }}",
			paySystemBy: 'id',
			paySystemId: { __rl: true, mode: 'id', value: "={{ /*n8n-auto-generated-fromAI-override*/ $fromAI('Pay_System', ``, 'string') }}" },
			options: {},
		});
	});

	it('shows the model its name, the node description and a schema of the model-defined fields (by pay system ID)', async () => {
		const { shown } = await runAgent({ parameters: byPaySystemId(), credentials: webhookCredentials(portal().webhookUrl), calls: [call(10)] });
		expect(shown).toEqual([{ name: 'Pay_System_Invoice_Settings', description: NODE_DESCRIPTION, parameters: SCHEMA_BY_ID }]);
	});

	it('shows the handler code field when the pay system is chosen by REST handler', async () => {
		const { shown } = await runAgent({
			parameters: byHandlerCode(),
			credentials: webhookCredentials(portal().webhookUrl),
			calls: [{ Invoice_ID: 10, REST_Handler: 'resthandlercard' }],
		});
		expect(shown).toEqual([
			{
				name: 'Pay_System_Invoice_Settings',
				description: NODE_DESCRIPTION,
				parameters: {
					...SCHEMA_BY_ID,
					properties: { Invoice_ID: SCHEMA_BY_ID.properties.Invoice_ID, REST_Handler: { type: 'string' } },
					required: ['Invoice_ID', 'REST_Handler'],
				},
			},
		]);
	});

	it('shows a description set manually instead', async () => {
		const { shown } = await runAgent({
			parameters: { descriptionType: 'manual', toolDescription: 'Look up how an invoice is paid', ...byPaySystemId() },
			credentials: webhookCredentials(portal().webhookUrl),
			calls: [call(10)],
		});
		expect(shown.map(({ description }) => description)).toEqual(['Look up how an invoice is paid']);
	});
});

describe('A successful call: the model reads the settings, in the output mode set on the node', () => {
	const portal = usePortal();

	it.each<[string, IDataObject, string]>([
		['settings (default)', {}, CARD_SETTINGS],
		[
			'keyValue',
			{ outputMode: 'keyValue' },
			'[{"invoiceId":10,"code":"REST_SERVICE_ID_IFRAME","value":"snum"},{"invoiceId":10,"code":"REST_SERVICE_KEY_IFRAME","value":"skey"},' +
				'{"invoiceId":10,"code":"PS_WORK_MODE_IFRAME","value":"REGULAR"}]',
		],
	])('%s, by pay system ID', async (_mode, options, expected) => {
		const result = await runAgent({ parameters: byPaySystemId(options), credentials: webhookCredentials(portal().webhookUrl), calls: [call(10)] });
		expect(result.observations).toEqual([{ toolCallId: 'call_1', observation: expected }]);
		expect(sentParams(portal())).toEqual([{ INVOICE_ID: 10, PAY_SYSTEM_ID: 11 }]);
	});

	it.each<[string, IDataObject, string]>([
		['settings (default)', {}, '[{"BANK_NAME":"Example Bank","PAYMENT_ID":"INV-10","PS_WORK_MODE":"TEST"}]'],
		[
			'keyValue',
			{ outputMode: 'keyValue' },
			'[{"invoiceId":10,"code":"BANK_NAME","value":"Example Bank"},{"invoiceId":10,"code":"PAYMENT_ID","value":"INV-10"},' +
				'{"invoiceId":10,"code":"PS_WORK_MODE","value":"TEST"}]',
		],
	])('%s, by REST handler code (the first pay system using it)', async (_mode, options, expected) => {
		const result = await runAgent({
			parameters: byHandlerCode(options),
			credentials: webhookCredentials(portal().webhookUrl),
			calls: [{ Invoice_ID: 10, REST_Handler: 'resthandlerbank' }],
		});
		expect(result.observations?.map(({ observation }) => observation)).toEqual([expected]);
		expect(sentParams(portal())).toEqual([{ INVOICE_ID: 10, BX_REST_HANDLER: 'resthandlerbank' }]);
	});

	// `time` is the portal's clock: the rest of the text is exact, and `time` is the portal's object with its own keys.
	it.each<[string, INodeParameters, IDataObject, string]>([
		['by pay system ID', byPaySystemId({ outputMode: 'full' }), call(10), '"paySystemId":11,"bxRestHandler":null'],
		[
			'by REST handler code',
			byHandlerCode({ outputMode: 'full' }),
			{ Invoice_ID: 10, REST_Handler: 'resthandlercard' },
			'"paySystemId":null,"bxRestHandler":"resthandlercard"',
		],
	])('full, %s', async (_selector, parameters, args, selector) => {
		const result = await runAgent({ parameters, credentials: webhookCredentials(portal().webhookUrl), calls: [args] });
		const [observation] = result.observations?.map((entry) => entry.observation) ?? [];
		const time = (JSON.parse(observation) as Array<{ time: IDataObject }>)[0].time;
		expect(Object.keys(time)).toEqual(['start', 'finish', 'duration', 'processing', 'date_start', 'date_finish', 'operating_reset_at', 'operating']);
		expect(observation).toBe(`[{"invoiceId":10,${selector},"settings":${CARD_SETTINGS.slice(1, -1)},"time":${JSON.stringify(time)}}]`);
	});

	it('takes an invoice ID the model gives as numeric text', async () => {
		expect(await observe(portal(), [call('10')])).toEqual([CARD_SETTINGS]);
		expect(sentParams(portal())).toEqual([{ INVOICE_ID: 10, PAY_SYSTEM_ID: 11 }]);
	});

	it('gives empty settings as [{}], and as "" in keyValue mode, where they make no item', async () => {
		expect(await observe(portal(), [call(10, '15')])).toEqual(['[{}]']);
		expect(await observe(portal(), [call(10, '15')], { parameters: byPaySystemId({ outputMode: 'keyValue' }) })).toEqual(['""']);
	});

	it('works the same through an OAuth2 credential', async () => {
		const result = await runAgent({
			parameters: { authentication: 'oAuth2', ...byPaySystemId() },
			credentials: oauthCredentials(portal(), portal().issueTokens()),
			calls: [call(10)],
		});
		expect(result.observations).toEqual([{ toolCallId: 'call_1', observation: CARD_SETTINGS }]);
		expect(portal().restCalls(METHOD).map((request) => request.auth)).toEqual(['oauth']);
	});

	it('retries a rate-limit refusal inside the call: the model sees only the settings', async () => {
		portal().addFault({ restMethod: METHOD, times: 1, response: { status: 503, json: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' } } });
		expect(await observe(portal(), [call(10)])).toEqual([CARD_SETTINGS]);
		expect(portal().restCalls(METHOD).map((request) => request.errorCode)).toEqual(['QUERY_LIMIT_EXCEEDED', null]);
	});
});

describe('Several tool calls in one turn: one run of the node each, each observation for its own call', () => {
	const portal = usePortal();

	it('answers three invoices on two pay systems, each with its own settings', async () => {
		const result = await runAgent({
			parameters: byPaySystemId(),
			credentials: webhookCredentials(portal().webhookUrl),
			calls: [call(10, '12'), call(11, '12'), call(12, '14')],
		});
		expect(result.observations).toEqual([
			{ toolCallId: 'call_1', observation: '[{"BANK_NAME":"Example Bank","PAYMENT_ID":"INV-10","PS_WORK_MODE":"TEST"}]' },
			{ toolCallId: 'call_2', observation: '[{"BANK_NAME":"Example Bank","PAYMENT_ID":"INV-11","PS_WORK_MODE":"TEST"}]' },
			{ toolCallId: 'call_3', observation: '[{"REST_SERVICE_ID_IFRAME":"snum2","REST_SERVICE_KEY_IFRAME":"skey2","PS_WORK_MODE_IFRAME":"TEST"}]' },
		]);
		expect(result.run.data.resultData.runData[TOOL_NODE_NAME]).toHaveLength(3);
		expect(sentParams(portal())).toEqual([
			{ INVOICE_ID: 10, PAY_SYSTEM_ID: 12 },
			{ INVOICE_ID: 11, PAY_SYSTEM_ID: 12 },
			{ INVOICE_ID: 12, PAY_SYSTEM_ID: 14 },
		]);
	});

	it('keeps a failed call to itself: the calls around it still succeed', async () => {
		expect(await observe(portal(), [call(10), call(404), call(11)])).toEqual([
			CARD_SETTINGS,
			JSON.stringify([{ error: `Bitrix24 error ERROR_INTERNAL_INVOICE_NOT_FOUND: Invoice not found [invoice 404]. ${NOT_FOUND_HINT}` }]),
			CARD_SETTINGS,
		]);
	});
});

interface ErrorCase {
	name: string;
	call: IDataObject;
	/** Makes the portal or the credential fail the call; the seeded portal as it is by default. */
	arrange?: (portal: Portal) => { credentials?: AgentRunOptions['credentials'] };
	/** Requests the call sends: none for a value the node refuses. */
	requests: number;
	/** The error the node reports, as its error item holds it. */
	item: { error: string; details: IDataObject };
	/** The message of the error the node throws when it may not continue. */
	thrown: { name: string; message: string };
}

const invalidInvoiceId = (shown: string): Pick<ErrorCase, 'requests' | 'item' | 'thrown'> => {
	const message = `INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got ${shown}`;
	return {
		requests: 0,
		item: { error: message, details: { errorCode: 'INVALID_PARAMETER', errorDescription: null, httpCode: null, invoiceId: null, hint: INVALID_HINT } },
		thrown: { name: 'NodeOperationError', message: `${message} [no valid invoice ID]. ${INVALID_HINT}` },
	};
};

const portalError = (code: string, description: string, httpCode: number, invoiceId: number): Pick<ErrorCase, 'requests' | 'item' | 'thrown'> => ({
	requests: 1,
	item: {
		error: `Bitrix24 error ${code}: ${description}`,
		details: { errorCode: code, errorDescription: description, httpCode, invoiceId, hint: hintOf(code) },
	},
	thrown: { name: 'NodeApiError', message: `Bitrix24 error ${code}: ${description} [invoice ${invoiceId}]. ${hintOf(code)}` },
});

const ERROR_CASES: ErrorCase[] = [
	{ name: 'a legacy invoice that is not found', call: call(404), ...portalError('ERROR_INTERNAL_INVOICE_NOT_FOUND', 'Invoice not found', 400, 404) },
	{ name: 'a negative invoice ID from the model', call: call(-5), ...invalidInvoiceId('-5') },
	{ name: 'text for the invoice ID from the model', call: call('abc'), ...invalidInvoiceId('"abc"') },
	{ name: 'a fraction for the invoice ID from the model', call: call(1.5), ...invalidInvoiceId('1.5') },
	{
		name: 'a pay system that does not exist',
		call: call(10, '99'),
		...portalError('ERROR_CHECK_FAILURE', 'Pay system not found', 400, 10),
	},
	{
		name: 'access denied to the invoice settings',
		call: call(10),
		arrange: (portal) => {
			portal.addFault({ restMethod: METHOD, response: { status: 403, json: { error: 'ACCESS_DENIED', error_description: 'Insufficient permissions to retrieve settings' } } });
			return {};
		},
		...portalError('ACCESS_DENIED', 'Insufficient permissions to retrieve settings', 403, 10),
	},
	{
		name: 'a webhook without the pay_system scope',
		call: call(10),
		arrange: (portal) => ({ credentials: webhookCredentials(portal.noScopeWebhookUrl) }),
		...portalError('insufficient_scope', 'The request requires higher privileges than provided by the webhook token', 403, 10),
	},
];

async function runErrorCase(portal: Portal, errorCase: ErrorCase, onError: OnError | undefined): Promise<AgentRunResult> {
	const { credentials } = errorCase.arrange?.(portal) ?? {};
	return await runAgent({
		parameters: byPaySystemId(),
		credentials: credentials ?? webhookCredentials(portal.webhookUrl),
		calls: [errorCase.call],
		onError,
	});
}

describe('Errors the model reads back', () => {
	const portal = usePortal();

	// n8n lets an agent go on after a tool fails unless the tool is set to stop the workflow; the model
	// then reads only the message of the error the node threw.
	describe('On Error unset, as on a new tool node: the message of the error, with the invoice and the hint', () => {
		it.each(ERROR_CASES)('$name', async (errorCase) => {
			const result = await runErrorCase(portal(), errorCase, undefined);
			expect(result.observations).toEqual([{ toolCallId: 'call_1', observation: JSON.stringify([{ error: errorCase.thrown.message }]) }]);
			expect(result.run.status).toBe('success');
			expect(portal().restCalls(METHOD)).toHaveLength(errorCase.requests);
		});
	});

	describe('"Continue (regular output)": the error item, with the Bitrix24 code, status and hint', () => {
		it.each(ERROR_CASES)('$name', async (errorCase) => {
			const result = await runErrorCase(portal(), errorCase, 'continueRegularOutput');
			expect(result.observations).toEqual([{ toolCallId: 'call_1', observation: JSON.stringify([errorCase.item]) }]);
			expect(portal().restCalls(METHOD)).toHaveLength(errorCase.requests);
		});
	});

	describe('"Stop Workflow": the run stops with the error, and the agent never reads an answer', () => {
		it.each(ERROR_CASES)('$name', async (errorCase) => {
			const result = await runErrorCase(portal(), errorCase, 'stopWorkflow');
			expect(result.observations).toBeUndefined();
			expect(result.run.status).toBe('error');
			expect(result.error?.name).toBe(errorCase.thrown.name);
			expect(result.error?.message).toBe(errorCase.thrown.message);
			expect(result.error?.description).toBe(errorCase.item.details.hint);
		});
	});

	// n8n's engine moves error items to a node's last main output, and a tool's only output is ai_tool:
	// every item is taken away, the successes too, and the model reads "" for every call.
	it('"Continue (using error output)": the model reads "" for every call, successes included', async () => {
		const observations = await observe(portal(), [call(10), call(404), call('abc')], { onError: 'continueErrorOutput' });
		expect(observations).toEqual(['""', '""', '""']);
		expect(sentParams(portal())).toEqual([
			{ INVOICE_ID: 10, PAY_SYSTEM_ID: 11 },
			{ INVOICE_ID: 404, PAY_SYSTEM_ID: 11 },
		]);
	});

	it('gives the same message, hint included, when an agent calls the tool object itself', async () => {
		const result = await runAgent({
			parameters: byPaySystemId(),
			credentials: webhookCredentials(portal().webhookUrl),
			calls: [call(10), call(404), call(-5), call('abc')],
			legacy: true,
		});
		expect(result.legacyOutcomes).toEqual([
			{ returned: CARD_SETTINGS },
			{
				thrown: {
					name: 'NodeOperationError',
					message: `Bitrix24 error ERROR_INTERNAL_INVOICE_NOT_FOUND: Invoice not found [invoice 404]. ${NOT_FOUND_HINT}`,
				},
			},
			{
				thrown: {
					name: 'NodeOperationError',
					message: `INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got -5 [no valid invoice ID]. ${INVALID_HINT}`,
				},
			},
			// langchain checks the arguments against the schema before the node runs.
			{ thrown: { name: 'Error', message: 'Received tool input did not match expected schema\n\n✖ Expected number, received string\n  → at Invoice_ID' } },
		]);
		expect(sentParams(portal())).toEqual([
			{ INVOICE_ID: 10, PAY_SYSTEM_ID: 11 },
			{ INVOICE_ID: 404, PAY_SYSTEM_ID: 11 },
		]);
	});
});

/** Everything of a run the model or a team member can read: the tools shown, the answers, the stored run, every error. */
function readableTexts(result: AgentRunResult): Array<[place: string, text: string]> {
	const taskErrors = Object.values(result.run.data.resultData.runData)
		.flat()
		.flatMap((task) => (task.error === undefined ? [] : [task.error]));
	return [
		['tools shown', JSON.stringify(result.shown)],
		['observations', JSON.stringify(result.observations ?? result.legacyOutcomes ?? null)],
		['stored run', JSON.stringify(result.run)],
		...taskErrors.map((error, index): [string, string] => [
			`error ${index}`,
			JSON.stringify([error.message, error.description, error.stack, (error as { errorResponse?: unknown }).errorResponse]),
		]),
	];
}

const leaks = (portal: Portal, results: AgentRunResult[]) =>
	results.flatMap((result, run) =>
		readableTexts(result).flatMap(([place, text]) => (portal.secrets().some((secret) => text.includes(secret)) ? [`run ${run}: ${place}`] : [])),
	);

describe('No secret reaches the model or the run data, even when the portal echoes it', () => {
	const portal = usePortal();

	const shownError = (masked: string) => `Bitrix24 error ERROR_CHECK_FAILURE: ${masked} [invoice 11]. ${hintOf('ERROR_CHECK_FAILURE')}`;

	it.each<[string, OnError | undefined, (masked: string) => { observations?: string[]; runError?: string }]>([
		['On Error unset', undefined, (masked) => ({ observations: [CARD_SETTINGS, JSON.stringify([{ error: shownError(masked) }])] })],
		[
			'"Continue (regular output)"',
			'continueRegularOutput',
			(masked) => ({ observations: [CARD_SETTINGS, JSON.stringify([portalError('ERROR_CHECK_FAILURE', masked, 400, 11).item])] }),
		],
		['"Stop Workflow"', 'stopWorkflow', (masked) => ({ runError: shownError(masked) })],
	])('webhook: the code in the echoed URL is masked (%s)', async (_label, onError, expected) => {
		const echo = `Echoed ${portal().webhookUrl}${METHOD}.json for webhook ${portal().webhookCode}`;
		portal().addFault({ restMethod: METHOD, skip: 1, response: { status: 400, json: { error: 'ERROR_CHECK_FAILURE', error_description: echo } } });
		const credentials = webhookCredentials(portal().webhookUrl);
		const results = [
			await runAgent({ parameters: byPaySystemId(), credentials, calls: [call(10), call(11)], onError }),
			await runAgent({ parameters: byPaySystemId(), credentials, calls: [call(12)], onError, legacy: true }),
		];
		expect({
			observations: results[0].observations?.map(({ observation }) => observation),
			runError: results[0].error?.message,
		}).toEqual(expected(`Echoed ${portal().origin}/rest/1/***/${METHOD}.json for webhook ***`));
		expect(leaks(portal(), results)).toEqual([]);
	});

	it('OAuth2: the access token, refresh token and client secret an error echoes are masked', async () => {
		const tokens = portal().issueTokens();
		const echo = `Echoed Bearer ${tokens.access_token}, refresh ${tokens.refresh_token}, secret ${portal().clientSecret}`;
		portal().addFault({ restMethod: METHOD, response: { status: 401, json: { error: 'invalid_token', error_description: echo } } });
		const result = await runAgent({
			parameters: { authentication: 'oAuth2', ...byPaySystemId() },
			credentials: oauthCredentials(portal(), tokens),
			calls: [call(10)],
			onError: 'continueRegularOutput',
		});
		const masked = 'Echoed Bearer ***, refresh ***, secret ***';
		expect(result.observations?.map(({ observation }) => observation)).toEqual([
			JSON.stringify([portalError('invalid_token', masked, 401, 10).item]),
		]);
		expect(leaks(portal(), [result])).toEqual([]);
	});
});
