// The payment operations inside a real n8n 2.41 (`n8n execute`), loaded from dist/ as a community
// package, against the emulated portal: getForPayment and getForCrmItem in each output mode with exact
// items and pairing, the error output, the requests batching makes, "Stop Workflow", and no secret in
// what n8n keeps or prints. One workflow holds every branch; n8n boots five times for the whole file.
import type { LoggedRequest, Portal } from '../../../dev/emulator/portal';
import { startPortal } from '../../../dev/emulator/portal';
import { describeErrorCode } from '../../../nodes/shared/bitrix24/errors/codes';
import { SETTINGS, STANDARD_PORTAL, resourceLocator } from '../../support';
import {
	createUserFolder,
	invoiceSettingsNode,
	itemsNode,
	manualTriggerNode,
	nodeOutput,
	noOpNode,
	webhookCredentialEntity,
	workflowEntity,
} from '../../../dev/harness/n8n';
import type { CliResult, ExecutedRun, N8nUserFolder, RunItem, WorkflowConnection, WorkflowNode } from '../../../dev/harness/n8n';

const WEBHOOK = { id: 'bx24webhook0001', name: 'Bitrix24 webhook' };
const NO_CRM_WEBHOOK = { id: 'bx24webhooknocrm', name: 'Bitrix24 webhook without crm' };
const credentials = { bitrix24WebhookApi: WEBHOOK };
const WORKFLOW_ID = 'bx24e2epayments1';
const STOP_PAYMENT_ID = 'bx24e2epaystop01';
const STOP_CRM_ID = 'bx24e2ecrmstop01';

const SETTINGS_METHOD = 'sale.paysystem.settings.payment.get';
const LIST_METHOD = 'crm.item.payment.list';

/** getForPayment with the payment and the pay system from the item. */
const forPayment = (options: Record<string, unknown> = {}) => ({
	operation: 'getForPayment',
	paymentId: '={{ $json.paymentId }}',
	paySystemId: resourceLocator('id', '={{ $json.paySystemId }}'),
	options,
});

/** getForCrmItem with the object from the item; the Entity Type fixed (31 when left out) or from the item. */
const forCrmItem = (options: Record<string, unknown> = {}, entityTypeId?: number | string) => ({
	operation: 'getForCrmItem',
	...(entityTypeId === undefined ? {} : { entityTypeId }),
	entityId: '={{ $json.entityId }}',
	options,
});

// Input items: the node's own output never carries `ref`; the error output gets it merged in by n8n.
const PAYMENTS = [
	{ paymentId: 501, paySystemId: 11, ref: 'a' },
	{ paymentId: '502', paySystemId: '12', ref: 'b' },
	{ paymentId: 2002, paySystemId: 14, ref: 'c' },
];
const MIXED_PAYMENTS = [
	{ paymentId: 601, paySystemId: 12, ref: 'a' },
	{ paymentId: 801, paySystemId: 13, ref: 'b' },
	{ paymentId: 'abc', paySystemId: 11, ref: 'c' },
	{ paymentId: 501, paySystemId: 12, ref: 'd' },
	{ paymentId: 1001, paySystemId: 11, ref: 'e' },
	{ paymentId: 2001, paySystemId: 11, ref: 'f' },
];
const SMART_INVOICES = [{ entityId: 5, ref: 'a' }, { entityId: '6', ref: 'b' }];
const DEALS = [{ entityId: 20, ref: 'a' }, { entityId: 1000, ref: 'b' }];
// 999 first: the portal echoes the webhook URL into the first single crm.item.payment.list answer.
const MIXED_CRM_ITEMS = [
	{ entityTypeId: 31, entityId: 999, ref: 'a' },
	{ entityTypeId: 31, entityId: 5, ref: 'b' },
	{ entityTypeId: 31, entityId: 7, ref: 'c' },
	{ entityTypeId: 31, entityId: 8, ref: 'd' },
	{ entityTypeId: 31, entityId: 10, ref: 'e' },
	{ entityTypeId: 31, entityId: 'x', ref: 'f' },
	{ entityTypeId: 2, entityId: 21, ref: 'g' },
	{ entityTypeId: 4, entityId: 5, ref: 'h' },
	{ entityTypeId: 2, entityId: 20, ref: 'i' },
];
const UNPAID_SMART_INVOICES = [{ entityId: 5, ref: 'a' }, { entityId: 7, ref: 'b' }, { entityId: 6, ref: 'c' }];
/** Generated smart invoices 1000..1059, two payments each: 60 lists and 120 settings calls. */
const MANY_SMART_INVOICES = Array.from({ length: 60 }, (_, index) => ({ entityId: 1000 + index }));

const MODE_NODES: Array<[input: string, node: WorkflowNode]> = [
	['Payments', invoiceSettingsNode('Payment: settings', forPayment(), { credentials })],
	['Payments', invoiceSettingsNode('Payment: key value', forPayment({ outputMode: 'keyValue' }), { credentials })],
	['Payments', invoiceSettingsNode('Payment: full', forPayment({ outputMode: 'full' }), { credentials })],
	['Payments', invoiceSettingsNode('Payment without crm', forPayment(), { credentials: { bitrix24WebhookApi: NO_CRM_WEBHOOK } })],
	['Smart invoices', invoiceSettingsNode('Smart invoice: settings', forCrmItem(), { credentials })],
	['Smart invoices', invoiceSettingsNode('Smart invoice: key value', forCrmItem({ outputMode: 'keyValue' }), { credentials })],
	['Smart invoices', invoiceSettingsNode('Smart invoice: full', forCrmItem({ outputMode: 'full' }), { credentials })],
	['Smart invoices', invoiceSettingsNode('Smart invoice: unpaid', forCrmItem({ outputMode: 'full', payments: 'unpaid' }), { credentials })],
	['Deals', invoiceSettingsNode('Deal: full', forCrmItem({ outputMode: 'full' }, 2), { credentials })],
	['Many smart invoices', invoiceSettingsNode('Smart invoices by the batch', forCrmItem(), { credentials })],
];
const ERROR_NODES: Array<[input: string, node: WorkflowNode]> = [
	['Mixed payments', invoiceSettingsNode('Payment errors in a batch', forPayment(), { credentials, onError: 'continueErrorOutput' })],
	['Mixed payments', invoiceSettingsNode('Payment errors in single calls', forPayment({ batch: false }), { credentials, onError: 'continueErrorOutput' })],
	['Mixed CRM items', invoiceSettingsNode('CRM errors in a batch', forCrmItem({}, '={{ $json.entityTypeId }}'), { credentials, onError: 'continueErrorOutput' })],
	[
		'Mixed CRM items',
		invoiceSettingsNode('CRM errors in single calls', forCrmItem({ batch: false }, '={{ $json.entityTypeId }}'), { credentials, onError: 'continueErrorOutput' }),
	],
	[
		'Smart invoices',
		invoiceSettingsNode('Smart invoice without crm', forCrmItem(), { credentials: { bitrix24WebhookApi: NO_CRM_WEBHOOK }, onError: 'continueErrorOutput' }),
	],
	['Unpaid smart invoices', invoiceSettingsNode('Unpaid payments', forCrmItem({ payments: 'unpaid' }), { credentials, onError: 'continueErrorOutput' })],
];
const INPUTS: Record<string, object[]> = {
	Payments: PAYMENTS,
	'Mixed payments': MIXED_PAYMENTS,
	'Smart invoices': SMART_INVOICES,
	Deals: DEALS,
	'Mixed CRM items': MIXED_CRM_ITEMS,
	'Unpaid smart invoices': UNPAID_SMART_INVOICES,
	'Many smart invoices': MANY_SMART_INVOICES,
};

const workflow = workflowEntity({
	id: WORKFLOW_ID,
	name: 'Payment settings: output modes, batching and the error output',
	nodes: [
		manualTriggerNode(),
		...Object.entries(INPUTS).map(([name, items]) => itemsNode(name, items)),
		...MODE_NODES.map(([, node]) => node),
		...ERROR_NODES.map(([, node]) => node),
		...ERROR_NODES.flatMap(([, node]) => [noOpNode(`${node.name}: succeeded`), noOpNode(`${node.name}: failed`)]),
	],
	connections: [
		...Object.keys(INPUTS).map((name): WorkflowConnection => ['Start', name]),
		...MODE_NODES.map(([input, node]): WorkflowConnection => [input, node.name]),
		...ERROR_NODES.flatMap(([input, node]): WorkflowConnection[] => [
			[input, node.name],
			[node.name, `${node.name}: succeeded`, 0],
			[node.name, `${node.name}: failed`, 1],
		]),
	],
});

// "Stop Workflow" (the default): each run ends at its first failing item.
const stopPaymentWorkflow = workflowEntity({
	id: STOP_PAYMENT_ID,
	name: 'Payment settings: stop at the first failure',
	nodes: [
		manualTriggerNode(),
		itemsNode('Payments', [{ paymentId: 501, paySystemId: 11 }, { paymentId: 801, paySystemId: 13 }, { paymentId: 'abc', paySystemId: 11 }]),
		invoiceSettingsNode('Stop', forPayment(), { credentials }),
	],
	connections: [
		['Start', 'Payments'],
		['Payments', 'Stop'],
	],
});
const stopCrmWorkflow = workflowEntity({
	id: STOP_CRM_ID,
	name: 'Smart invoice payment settings: stop at the first failure',
	nodes: [manualTriggerNode(), itemsNode('Smart invoices', [{ entityId: 5 }, { entityId: 7 }, { entityId: 6 }]), invoiceSettingsNode('Stop', forCrmItem(), { credentials })],
	connections: [
		['Start', 'Smart invoices'],
		['Smart invoices', 'Stop'],
	],
});

const TIME_KEYS = ['date_finish', 'date_start', 'duration', 'finish', 'operating', 'operating_reset_at', 'processing', 'start'];
const PAY_SYSTEM_NAMES: Record<number, string> = { 11: 'Card payment (REST)', 12: 'Bank transfer (REST)', 14: 'Card payment, second shop' };

/** The settings the portal keeps for a payment on one of its pay systems. */
function settingsOf(paySystemId: number, paymentId: number): Record<string, string> {
	if (paySystemId === 11) return SETTINGS.card;
	if (paySystemId === 12) return SETTINGS.bank(paymentId);
	if (paySystemId === 14) return SETTINGS.cardSecondShop;
	throw new RangeError(`No settings for pay system ${paySystemId}`);
}

interface ListedPayment {
	paymentId: number;
	paySystemId: number;
	paid: 'Y' | 'N';
	/** The position in the object's payment list, from 1: the account number suffix and 100 x the sum. */
	position: number;
}

const PAYMENTS_OF: Record<string, ListedPayment[]> = {
	'31:5': [
		{ paymentId: 501, paySystemId: 11, paid: 'Y', position: 1 },
		{ paymentId: 502, paySystemId: 12, paid: 'N', position: 2 },
	],
	'31:6': [{ paymentId: 601, paySystemId: 12, paid: 'N', position: 1 }],
	'2:20': [
		{ paymentId: 2001, paySystemId: 11, paid: 'Y', position: 1 },
		{ paymentId: 2002, paySystemId: 14, paid: 'N', position: 2 },
	],
	'2:1000': [
		{ paymentId: 500_010_001, paySystemId: 11, paid: 'Y', position: 1 },
		{ paymentId: 500_010_002, paySystemId: 12, paid: 'N', position: 2 },
	],
};

/** An item of the `full` output, without its `time` (checked apart: it is timing). */
const fullItem = (entityTypeId: number, entityId: number, payment: ListedPayment) => ({
	entityTypeId,
	entityId,
	paymentId: payment.paymentId,
	accountNumber: `${entityId}/${payment.position}`,
	paid: payment.paid,
	sum: 100 * payment.position,
	currency: 'USD',
	paySystemId: payment.paySystemId,
	paySystemName: PAY_SYSTEM_NAMES[payment.paySystemId],
	settings: settingsOf(payment.paySystemId, payment.paymentId),
});

const withoutTime = (items: RunItem[]) => items.map(({ json: { time: _time, ...rest }, pairedItem }) => ({ json: rest, pairedItem }));

function expectTiming(items: RunItem[]): void {
	expect(items.length).toBeGreaterThan(0);
	for (const { json } of items) {
		const time = json.time as Record<string, unknown>;
		expect(Object.keys(time).sort()).toEqual(TIME_KEYS);
		expect(typeof time.start).toBe('number');
	}
}

/** An error item's `json` as the node makes it: the message names the code, `details` the ids. */
const failure = (code: string, description: string | null, httpCode: number | null, ids: Record<string, unknown>, error?: string) => ({
	error: error ?? `Bitrix24 error ${code}${description === null ? '' : `: ${description}`}`,
	details: { errorCode: code, errorDescription: description, httpCode, ...ids, hint: describeErrorCode(code).hint },
});
const localFailure = (code: string, text: string, ids: Record<string, unknown>) => failure(code, null, null, ids, `${code}: ${text}`);

describe('The payment operations in n8n 2.41 (CLI), loaded from dist/ as a community package', () => {
	let portal: Portal;
	let n8n: N8nUserFolder;
	let run: ExecutedRun;
	let stoppedPayment: ExecutedRun;
	let stoppedCrm: ExecutedRun;
	const outputs: CliResult[] = [];

	beforeAll(async () => {
		portal = await startPortal(STANDARD_PORTAL);
		n8n = createUserFolder();
		await n8n.importCredentials([webhookCredentialEntity(WEBHOOK, portal.webhookUrl), webhookCredentialEntity(NO_CRM_WEBHOOK, portal.noCrmWebhookUrl)]);
		await n8n.importWorkflows([workflow, stopPaymentWorkflow, stopCrmWorkflow]);
		// Only "CRM errors in single calls" lists payments one call at a time: its smart invoice 999 meets
		// this, whichever of the requests in flight reaches the portal first.
		portal.addFault({
			restMethod: LIST_METHOD,
			params: { entityTypeId: 31, entityId: 999 },
			times: 1,
			response: { status: 400, json: { error: 0, error_description: `Access denied for ${portal.webhookUrl}${LIST_METHOD}.json (code ${portal.webhookCode})` } },
		});
		for (const [id, keep] of [
			[WORKFLOW_ID, (executed: ExecutedRun) => (run = executed)],
			[STOP_PAYMENT_ID, (executed: ExecutedRun) => (stoppedPayment = executed)],
			[STOP_CRM_ID, (executed: ExecutedRun) => (stoppedCrm = executed)],
		] as const) {
			const executed = await n8n.executeWithOutput(id);
			keep(executed.run);
			outputs.push(executed.output);
		}
	});

	afterAll(async () => {
		await portal?.stop();
		n8n?.remove();
	});

	it('runs the whole workflow without a workflow error, and n8n stores every execution', () => {
		expect(run.data.resultData.error).toBeUndefined();
		expect(run.status).toBe('success');
		expect(n8n.storedExecutions().map(({ workflowId, mode, status }) => ({ workflowId, mode, status }))).toEqual([
			{ workflowId: WORKFLOW_ID, mode: 'cli', status: 'success' },
			{ workflowId: STOP_PAYMENT_ID, mode: 'cli', status: 'error' },
			{ workflowId: STOP_CRM_ID, mode: 'cli', status: 'error' },
		]);
	});

	describe('getForPayment: one payment and its pay system per input item', () => {
		it('settings: each payment\'s settings object, paired with its input item, in input order', () => {
			expect(nodeOutput(run, 'Payment: settings')).toEqual([
				{ json: SETTINGS.card, pairedItem: { item: 0 } },
				{ json: SETTINGS.bank(502), pairedItem: { item: 1 } },
				{ json: SETTINGS.cardSecondShop, pairedItem: { item: 2 } },
			]);
		});

		it('keyValue: paymentId, code and value per setting, in the portal\'s key order', () => {
			expect(nodeOutput(run, 'Payment: key value')).toEqual(
				[
					[501, SETTINGS.card],
					[502, SETTINGS.bank(502)],
					[2002, SETTINGS.cardSecondShop],
				].flatMap(([paymentId, settings], item) =>
					Object.entries(settings).map(([code, value]) => ({ json: { paymentId, code, value }, pairedItem: { item } })),
				),
			);
		});

		it('full: paymentId, paySystemId (numbers, also from numeric text), settings and the answer\'s time', () => {
			const output = nodeOutput(run, 'Payment: full');
			expect(withoutTime(output)).toEqual([
				{ json: { paymentId: 501, paySystemId: 11, settings: SETTINGS.card }, pairedItem: { item: 0 } },
				{ json: { paymentId: 502, paySystemId: 12, settings: SETTINGS.bank(502) }, pairedItem: { item: 1 } },
				{ json: { paymentId: 2002, paySystemId: 14, settings: SETTINGS.cardSecondShop }, pairedItem: { item: 2 } },
			]);
			expectTiming(output);
		});

		it('needs the pay_system scope only: a webhook without crm reads payments', () => {
			expect(nodeOutput(run, 'Payment without crm').map((item) => item.json)).toEqual([SETTINGS.card, SETTINGS.bank(502), SETTINGS.cardSecondShop]);
		});
	});

	describe('getForCrmItem: every payment of a smart invoice or deal, each with its own pay system', () => {
		it('settings: one item per payment, paired with its input item, in input order then the portal\'s payment order', () => {
			expect(nodeOutput(run, 'Smart invoice: settings')).toEqual([
				{ json: SETTINGS.card, pairedItem: { item: 0 } },
				{ json: SETTINGS.bank(502), pairedItem: { item: 0 } },
				{ json: SETTINGS.bank(601), pairedItem: { item: 1 } },
			]);
		});

		it('keyValue: entityId, paymentId, code and value per setting', () => {
			expect(nodeOutput(run, 'Smart invoice: key value')).toEqual(
				[
					[5, 501, SETTINGS.card, 0],
					[5, 502, SETTINGS.bank(502), 0],
					[6, 601, SETTINGS.bank(601), 1],
				].flatMap(([entityId, paymentId, settings, item]) =>
					Object.entries(settings).map(([code, value]) => ({ json: { entityId, paymentId, code, value }, pairedItem: { item } })),
				),
			);
		});

		it.each([
			['Smart invoice: full', 31, [5, 6], () => true],
			['Smart invoice: unpaid', 31, [5, 6], (payment: ListedPayment) => payment.paid === 'N'],
			['Deal: full', 2, [20, 1000], () => true],
		] as const)('%s: the payment as listed, its pay system, its settings and the answer\'s time', (node, entityTypeId, entityIds, wanted) => {
			const output = nodeOutput(run, node);
			expect(withoutTime(output)).toEqual(
				entityIds.flatMap((entityId, item) =>
					PAYMENTS_OF[`${entityTypeId}:${entityId}`].filter(wanted).map((payment) => ({ json: fullItem(entityTypeId, entityId, payment), pairedItem: { item } })),
				),
			);
			expectTiming(output);
		});

		it('60 smart invoices with 120 payments: every payment in order, in 2 + 3 batch requests of at most 50 commands', () => {
			const output = nodeOutput(run, 'Smart invoices by the batch');
			expect(output).toEqual(
				MANY_SMART_INVOICES.flatMap(({ entityId }, item) => [
					{ json: SETTINGS.card, pairedItem: { item } },
					{ json: SETTINGS.bank(10_000_000 + entityId * 10 + 2), pairedItem: { item } },
				]),
			);
			// n8n runs one node at a time: this node's requests are the ones that name the generated objects.
			const generated = (command: string) => /entityTypeId=31&entityId=1\d{3}$|PAYMENT_ID=10\d{6}&/.test(command);
			const commandsOf = (request: LoggedRequest) => Object.values((request.params.cmd ?? {}) as Record<string, string>);
			const requests = portal.restCalls().filter((request) => commandsOf(request).some(generated));
			// The requests of one round are in flight together (Parallel Requests 3) and may arrive in any
			// order; the settings round starts once the lists have answered.
			const summary = (request: LoggedRequest) => [request.restMethod, request.status, commandsOf(request).length, commandsOf(request).every(generated)];
			const [lists, settings] = [LIST_METHOD, SETTINGS_METHOD].map((method) =>
				requests.filter((request) => commandsOf(request)[0].startsWith(`${method}?`)).sort((a, b) => commandsOf(b).length - commandsOf(a).length),
			);
			expect(requests.slice(0, 2).every((request) => lists.includes(request))).toBe(true);
			expect(lists.map(summary)).toEqual([
				['batch', 200, 50, true],
				['batch', 200, 10, true],
			]);
			expect(settings.map(summary)).toEqual([
				['batch', 200, 50, true],
				['batch', 200, 50, true],
				['batch', 200, 20, true],
			]);
			expect(commandsOf(lists[1])).toEqual(MANY_SMART_INVOICES.slice(50).map(({ entityId }) => `${LIST_METHOD}?entityTypeId=31&entityId=${entityId}`));
			expect(commandsOf(settings[2])).toEqual(
				MANY_SMART_INVOICES.slice(50).flatMap(({ entityId }) => [
					`${SETTINGS_METHOD}?PAYMENT_ID=${10_000_000 + entityId * 10 + 1}&PAY_SYSTEM_ID=11`,
					`${SETTINGS_METHOD}?PAYMENT_ID=${10_000_000 + entityId * 10 + 2}&PAY_SYSTEM_ID=12`,
				]),
			);
		});
	});

	describe('errors with "Continue (using error output)"', () => {
		it.each([
			['Payment errors in a batch', false],
			['Payment errors in single calls', true],
		] as const)('%s: successes on branch 0, one exact error item per failed payment on branch 1, input fields merged in', (node, single) => {
			expect(nodeOutput(run, node, 0)).toEqual([
				{ json: SETTINGS.bank(601), pairedItem: { item: 0 } },
				{ json: SETTINGS.card, pairedItem: { item: 5 } },
			]);
			const failed = nodeOutput(run, node, 1);
			expect(failed).toEqual([
				{ json: { ...MIXED_PAYMENTS[1], ...failure('ACCESS_DENIED', 'Access denied', single ? 403 : null, { paymentId: 801 }) }, pairedItem: { item: 1 } },
				{
					json: { ...MIXED_PAYMENTS[2], ...localFailure('INVALID_PARAMETER', 'Payment ID must be a whole number from 1 to 2147483647; got "abc"', { paymentId: null }) },
					pairedItem: { item: 2 },
				},
				{
					json: { ...MIXED_PAYMENTS[3], ...failure('ERROR_CHECK_FAILURE', 'Payment with ID=501 and PAY_SYSTEM_ID=12 not found', single ? 400 : null, { paymentId: 501 }) },
					pairedItem: { item: 3 },
				},
				{
					json: { ...MIXED_PAYMENTS[4], ...failure('ERROR_INTERNAL_ORDER_NOT_FOUND', 'Order #9999 not found', single ? 400 : null, { paymentId: 1001 }) },
					pairedItem: { item: 4 },
				},
			]);
			expect(nodeOutput(run, `${node}: succeeded`).map((item) => item.json)).toEqual([SETTINGS.bank(601), SETTINGS.card]);
			expect(nodeOutput(run, `${node}: failed`).map((item) => item.json)).toEqual(failed.map((item) => item.json));
		});

		it.each([
			['CRM errors in a batch', false],
			['CRM errors in single calls', true],
		] as const)('%s: the payments of the good objects on branch 0; one error item per failed object on branch 1', (node, single) => {
			expect(nodeOutput(run, node, 0)).toEqual([
				...PAYMENTS_OF['31:5'].map((payment) => ({ json: settingsOf(payment.paySystemId, payment.paymentId), pairedItem: { item: 1 } })),
				...PAYMENTS_OF['2:20'].map((payment) => ({ json: settingsOf(payment.paySystemId, payment.paymentId), pairedItem: { item: 8 } })),
			]);
			const smartInvoice = (entityId: unknown) => ({ entityTypeId: 31, entityId });
			// The single call of 999 met a portal that echoed the webhook URL and code: the node masks both.
			const echoed = `Access denied for ${portal.origin}/rest/1/***/${LIST_METHOD}.json (code ***)`;
			const failed = nodeOutput(run, node, 1);
			expect(failed).toEqual([
				{ json: { ...MIXED_CRM_ITEMS[0], ...failure('0', single ? echoed : 'Access denied', single ? 400 : null, smartInvoice(999)) }, pairedItem: { item: 0 } },
				{ json: { ...MIXED_CRM_ITEMS[2], ...localFailure('PAYMENT_NOT_FOUND', 'The smart invoice 7 has no payment', smartInvoice(7)) }, pairedItem: { item: 2 } },
				{
					json: { ...MIXED_CRM_ITEMS[3], ...failure('ACCESS_DENIED', 'Access denied', single ? 403 : null, { ...smartInvoice(8), paymentId: 801 }) },
					pairedItem: { item: 3 },
				},
				{
					json: { ...MIXED_CRM_ITEMS[4], ...failure('ERROR_INTERNAL_ORDER_NOT_FOUND', 'Order #9999 not found', single ? 400 : null, { ...smartInvoice(10), paymentId: 1001 }) },
					pairedItem: { item: 4 },
				},
				{
					json: { ...MIXED_CRM_ITEMS[5], ...localFailure('INVALID_PARAMETER', 'Entity ID must be a whole number from 1 to 2147483647; got "x"', smartInvoice(null)) },
					pairedItem: { item: 5 },
				},
				{ json: { ...MIXED_CRM_ITEMS[6], ...localFailure('PAYMENT_NOT_FOUND', 'The deal 21 has no payment', { entityTypeId: 2, entityId: 21 }) }, pairedItem: { item: 6 } },
				{
					json: {
						...MIXED_CRM_ITEMS[7],
						...localFailure('INVALID_PARAMETER', 'Entity Type must be 31 (smart invoice) or 2 (deal); got 4', { entityTypeId: null, entityId: null }),
					},
					pairedItem: { item: 7 },
				},
			]);
			expect(nodeOutput(run, `${node}: failed`).map((item) => item.json)).toEqual(failed.map((item) => item.json));
		});

		it('a webhook without the crm scope: every smart invoice fails with insufficient_scope, whose hint names crm', () => {
			expect(nodeOutput(run, 'Smart invoice without crm', 0)).toEqual([]);
			const scope = 'The request requires higher privileges than provided by the webhook token';
			expect(nodeOutput(run, 'Smart invoice without crm', 1)).toEqual(
				SMART_INVOICES.map((input, item) => ({
					json: { ...input, ...failure('insufficient_scope', scope, null, { entityTypeId: 31, entityId: Number(input.entityId) }) },
					pairedItem: { item },
				})),
			);
			expect(describeErrorCode('insufficient_scope').hint).toContain('"crm"');
		});

		it('"Unpaid Only": the unpaid payments of each object; an object without one is PAYMENT_NOT_FOUND', () => {
			expect(nodeOutput(run, 'Unpaid payments', 0)).toEqual([
				{ json: SETTINGS.bank(502), pairedItem: { item: 0 } },
				{ json: SETTINGS.bank(601), pairedItem: { item: 2 } },
			]);
			expect(nodeOutput(run, 'Unpaid payments', 1)).toEqual([
				{
					json: { ...UNPAID_SMART_INVOICES[1], ...localFailure('PAYMENT_NOT_FOUND', 'The smart invoice 7 has no unpaid payment', { entityTypeId: 31, entityId: 7 }) },
					pairedItem: { item: 1 },
				},
			]);
		});

		it('never sends an invalid ID or entity type to the portal', () => {
			const sent = portal.restCalls().flatMap((request) => (request.restMethod === 'batch' ? Object.values(request.params.cmd as Record<string, string>) : [JSON.stringify(request.params)]));
			expect(sent).toEqual(expect.arrayContaining([`${LIST_METHOD}?entityTypeId=2&entityId=21`, `${SETTINGS_METHOD}?PAYMENT_ID=801&PAY_SYSTEM_ID=13`]));
			expect(sent.filter((command) => /abc|entityId=x|"entityId":"x"|entityTypeId=4|"entityTypeId":4/.test(command))).toEqual([]);
		});
	});

	describe('errors with "Stop Workflow"', () => {
		it.each([
			['getForPayment', () => stoppedPayment, 'Bitrix24 error ACCESS_DENIED: Access denied [item 1, payment 801]', 'ACCESS_DENIED'],
			['getForCrmItem', () => stoppedCrm, 'PAYMENT_NOT_FOUND: The smart invoice 7 has no payment [item 1, smart invoice 7]', 'PAYMENT_NOT_FOUND'],
		] as const)('%s stops the run at the first failing item with a NodeApiError naming the item, the code and a hint', (_operation, stopped, message, code) => {
			expect(stopped().status).toBe('error');
			const error = stopped().data.resultData.error as unknown as Record<string, unknown>;
			expect(error).toMatchObject({ name: 'NodeApiError', message, description: describeErrorCode(code).hint, node: { name: 'Stop' } });
			expect(stopped().data.resultData.runData.Stop[0].error?.message).toBe(message);
		});
	});

	it('no webhook code (nor any portal secret) in the run data, the stored executions, or what n8n printed', () => {
		const secrets = portal.secrets();
		expect(secrets).toEqual(expect.arrayContaining([portal.webhookCode, portal.noCrmWebhookCode]));
		// The echoed answer reached the node: the masking above is what kept the code out.
		expect(portal.restCalls(LIST_METHOD).map((request) => request.status)).toContain(400);
		const found = (place: string, text: string) => secrets.filter((secret) => text.includes(secret)).map((secret) => `${place}: ${secret}`);
		const stored = n8n.storedExecutions();
		expect(stored).toHaveLength(3);
		expect(stored[0].data).toContain('(code ***)');
		expect([
			...[run, stoppedPayment, stoppedCrm].flatMap((executed, index) => found(`run ${index}`, JSON.stringify(executed))),
			...stored.flatMap((execution) => found(`stored execution ${execution.id}`, `${execution.data}\n${execution.workflowData}`)),
			...outputs.flatMap((output, index) => [...found(`stdout ${index}`, output.stdout), ...found(`stderr ${index}`, output.stderr)]),
		]).toEqual([]);
	});
});
