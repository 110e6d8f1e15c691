// The node inside a real n8n (`n8n execute`; 2.41.1, or 1.123.81 with N8N_VERSION), loaded from dist/
// as a community package, against the emulated portal: the output modes and the error output
// (docs/contract.md#outputs, docs/contract.md#errors), exact items and pairing. One workflow holds every
// case as its own branch, so n8n boots three times for the whole file.
import type { Portal } from '../../../dev/emulator/portal';
import { startPortal } from '../../../dev/emulator/portal';
import { describeErrorCode } from '../../../nodes/shared/bitrix24/errors/codes';
import { SETTINGS, STANDARD_PORTAL, byHandler, byPaySystemId } from '../../support';
import {
	N8N_VERSION,
	createUserFolder,
	invoiceSettingsNode,
	itemsNode,
	manualTriggerNode,
	nodeOutput,
	noOpNode,
	webhookCredentialEntity,
	workflowEntity,
	onErrorOutput,
} from '../../../dev/harness/n8n';
import type { ExecutedRun, N8nUserFolder, WorkflowConnection, WorkflowNode } from '../../../dev/harness/n8n';
import { storedNodeRun } from '../../../dev/harness/storedRun';

const WEBHOOK = { id: 'bx24webhook0001', name: 'Bitrix24 webhook' };
const credentials = { bitrix24WebhookApi: WEBHOOK };
const WORKFLOW_ID = 'bx24e2eoutputs01';

// Input items: the node's own output never carries `ref`; the error output gets it merged in by n8n.
const INVOICES = [{ invoiceId: 7, ref: 'a' }, { invoiceId: '8', ref: 'b' }, { invoiceId: 9, ref: 'c' }];
const MIXED = [{ invoiceId: 10, ref: 'a' }, { invoiceId: 404, ref: 'b' }, { invoiceId: 'abc', ref: 'c' }, { invoiceId: 11, ref: 'd' }];

/** Mode branches hang off "Invoices", error branches off "Mixed invoices". */
const MODE_NODES: WorkflowNode[] = [
	invoiceSettingsNode('Settings', byPaySystemId('12'), { credentials }),
	invoiceSettingsNode('Key value', byPaySystemId('12', { outputMode: 'keyValue' }), { credentials }),
	invoiceSettingsNode('Full', byPaySystemId('12', { outputMode: 'full' }), { credentials }),
	invoiceSettingsNode('Full by handler', byHandler('resthandlercard', { outputMode: 'full', batch: false }), { credentials }),
	invoiceSettingsNode('Empty settings', byPaySystemId('15'), { credentials }),
	invoiceSettingsNode('Empty key value', byPaySystemId('15', { outputMode: 'keyValue' }), { credentials }),
];
const ERROR_NODES: WorkflowNode[] = [
	invoiceSettingsNode('Errors in a batch', byPaySystemId('11'), { credentials, onError: 'continueErrorOutput' }),
	invoiceSettingsNode('Errors in single calls', byPaySystemId('11', { batch: false }), { credentials, onError: 'continueErrorOutput' }),
];
// "Continue (regular output)": the same items stay in the main output.
const REGULAR_NODE = invoiceSettingsNode('Errors in the main output', byPaySystemId('11'), { credentials, onError: 'continueRegularOutput' });

const workflow = workflowEntity({
	id: WORKFLOW_ID,
	name: 'Pay system settings: output modes and the error output',
	nodes: [
		manualTriggerNode(),
		itemsNode('Invoices', INVOICES),
		itemsNode('Mixed invoices', MIXED),
		...MODE_NODES,
		...ERROR_NODES,
		REGULAR_NODE,
		...ERROR_NODES.flatMap((node) => [noOpNode(`${node.name}: succeeded`), noOpNode(`${node.name}: failed`)]),
	],
	connections: [
		['Start', 'Invoices'],
		['Start', 'Mixed invoices'],
		['Mixed invoices', REGULAR_NODE.name],
		...MODE_NODES.map((node): WorkflowConnection => ['Invoices', node.name]),
		...ERROR_NODES.flatMap((node): WorkflowConnection[] => [
			['Mixed invoices', node.name],
			[node.name, `${node.name}: succeeded`, 0],
			[node.name, `${node.name}: failed`, 1],
		]),
	],
});

// "Stop Workflow" (the default): the run ends at the first failing item.
const STOP_WORKFLOW_ID = 'bx24e2estopping1';
const stopWorkflow = workflowEntity({
	id: STOP_WORKFLOW_ID,
	name: 'Pay system settings: stop at the first failure',
	nodes: [manualTriggerNode(), itemsNode('Invoices', [{ invoiceId: 10 }, { invoiceId: 404 }, { invoiceId: 'abc' }]), invoiceSettingsNode('Stop', byPaySystemId('11'), { credentials })],
	connections: [
		['Start', 'Invoices'],
		['Invoices', 'Stop'],
	],
});

const TIME_KEYS = ['date_finish', 'date_start', 'duration', 'finish', 'operating', 'operating_reset_at', 'processing', 'start'];

const NOT_FOUND = (invoiceId: number, httpCode: number | null) => ({
	error: 'Bitrix24 error ERROR_INTERNAL_INVOICE_NOT_FOUND: Invoice not found',
	details: {
		errorCode: 'ERROR_INTERNAL_INVOICE_NOT_FOUND',
		errorDescription: 'Invoice not found',
		httpCode,
		invoiceId,
		hint: describeErrorCode('ERROR_INTERNAL_INVOICE_NOT_FOUND').hint,
	},
});
const INVALID_ID = {
	error: 'INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got "abc"',
	details: { errorCode: 'INVALID_PARAMETER', errorDescription: null, httpCode: null, invoiceId: null, hint: describeErrorCode('INVALID_PARAMETER').hint },
};


describe(`The node in n8n ${N8N_VERSION} (CLI), loaded from dist/ as a community package`, () => {
	let portal: Portal;
	let n8n: N8nUserFolder;
	let run: ExecutedRun;
	let stopped: ExecutedRun;

	beforeAll(async () => {
		portal = await startPortal(STANDARD_PORTAL);
		n8n = createUserFolder();
		await n8n.importCredentials([webhookCredentialEntity(WEBHOOK, portal.webhookUrl)]);
		await n8n.importWorkflows([workflow, stopWorkflow]);
		run = await n8n.execute(WORKFLOW_ID);
		stopped = await n8n.execute(STOP_WORKFLOW_ID);
	});

	afterAll(async () => {
		await portal?.stop();
		n8n?.remove();
	});

	it('runs the whole workflow without a workflow error, and n8n stores the execution', () => {
		expect(run.data.resultData.error).toBeUndefined();
		expect(run.status).toBe('success');
		expect(n8n.storedExecutions().map(({ workflowId, mode, status }) => ({ workflowId, mode, status }))).toEqual([
			{ workflowId: WORKFLOW_ID, mode: 'cli', status: 'success' },
			{ workflowId: STOP_WORKFLOW_ID, mode: 'cli', status: 'error' },
		]);
	});

	describe('settings (default): one item per input item, the settings as the portal returned them', () => {
		it('emits each invoice settings object, paired with its input item, in input order', () => {
			expect(nodeOutput(run, 'Settings')).toEqual([
				{ json: SETTINGS.bank(7), pairedItem: { item: 0 } },
				{ json: SETTINGS.bank(8), pairedItem: { item: 1 } },
				{ json: SETTINGS.bank(9), pairedItem: { item: 2 } },
			]);
			expect(Object.keys(nodeOutput(run, 'Settings')[0].json)).toEqual(['BANK_NAME', 'PAYMENT_ID', 'PS_WORK_MODE']);
		});

		it('turns the PHP empty array [] into {}', () => {
			expect(nodeOutput(run, 'Empty settings')).toEqual([
				{ json: {}, pairedItem: { item: 0 } },
				{ json: {}, pairedItem: { item: 1 } },
				{ json: {}, pairedItem: { item: 2 } },
			]);
		});
	});

	describe('keyValue: one item per setting, in the portal key order', () => {
		it('emits invoiceId, code and value, each paired with its input item', () => {
			expect(nodeOutput(run, 'Key value')).toEqual(
				[7, 8, 9].flatMap((invoiceId, item) =>
					Object.entries(SETTINGS.bank(invoiceId)).map(([code, value]) => ({ json: { invoiceId, code, value }, pairedItem: { item } })),
				),
			);
		});

		it('yields no item for an invoice whose settings are empty', () => {
			expect(nodeOutput(run, 'Empty key value')).toEqual([]);
		});
	});

	describe('full: invoiceId, paySystemId, bxRestHandler, settings and time per input item', () => {
		it.each([
			['Full', { paySystemId: 12, bxRestHandler: null }, SETTINGS.bank],
			['Full by handler', { paySystemId: null, bxRestHandler: 'resthandlercard' }, () => SETTINGS.card],
		] as const)('%s: the selector used, null for the other, and the response time', (node, selector, settings) => {
			const output = nodeOutput(run, node);
			expect(output.map(({ json: { time, ...rest }, pairedItem }) => ({ json: rest, pairedItem }))).toEqual(
				[7, 8, 9].map((invoiceId, item) => ({ json: { invoiceId, ...selector, settings: settings(invoiceId) }, pairedItem: { item } })),
			);
			for (const { json } of output) {
				const time = json.time as Record<string, unknown>;
				expect(Object.keys(time).sort()).toEqual(TIME_KEYS);
				expect(typeof time.start).toBe('number');
			}
		});
	});

	describe('errors with "Continue (using error output)"', () => {
		it.each([
			['Errors in a batch', null],
			['Errors in single calls', 400],
		] as const)('%s: successes on branch 0, one exact error item per failed input on branch 1, input fields merged in', (node, httpCode) => {
			expect(nodeOutput(run, node, 0)).toEqual([
				{ json: SETTINGS.card, pairedItem: { item: 0 } },
				{ json: SETTINGS.card, pairedItem: { item: 3 } },
			]);
			const failed = nodeOutput(run, node, 1);
			expect(failed).toEqual([
				{ json: onErrorOutput({ invoiceId: 404, ref: 'b' }, NOT_FOUND(404, httpCode)), pairedItem: { item: 1 } },
				{ json: onErrorOutput({ invoiceId: 'abc', ref: 'c' }, INVALID_ID), pairedItem: { item: 2 } },
			]);
			expect(run.data.resultData.runData[node][0].hints).toEqual([]);
			// The branches lead somewhere: n8n handed each output to the node connected to it.
			expect(nodeOutput(run, `${node}: succeeded`).map((item) => item.json)).toEqual([SETTINGS.card, SETTINGS.card]);
			expect(nodeOutput(run, `${node}: failed`).map((item) => item.json)).toEqual(failed.map((item) => item.json));
		});

		it('n8n stores the same items in the execution it saved', () => {
			const stored = n8n.storedExecutions().find((execution) => execution.workflowId === WORKFLOW_ID);
			for (const node of ERROR_NODES.map(({ name }) => name)) {
				expect(storedNodeRun(stored!, node)?.outputs).toEqual([nodeOutput(run, node, 0), nodeOutput(run, node, 1)]);
			}
		});

		it('never sends an invalid invoice ID to the portal', () => {
			const sent = JSON.stringify(portal.restCalls().map((call) => call.params));
			expect(sent).toContain('404');
			expect(sent).not.toContain('abc');
		});
	});

	describe('errors with "Continue (regular output)"', () => {
		it('keeps the same error items in the main output, in input order, without the input fields', () => {
			expect(nodeOutput(run, REGULAR_NODE.name, 0)).toEqual([
				{ json: SETTINGS.card, pairedItem: { item: 0 } },
				{ json: NOT_FOUND(404, null), pairedItem: { item: 1 } },
				{ json: INVALID_ID, pairedItem: { item: 2 } },
				{ json: SETTINGS.card, pairedItem: { item: 3 } },
			]);
			expect(run.data.resultData.runData[REGULAR_NODE.name][0].data?.main).toHaveLength(1);
		});
	});

	describe('errors with "Stop Workflow"', () => {
		it('stops the run at the first failing item with a NodeApiError naming the item, the code and a hint', () => {
			expect(stopped.status).toBe('error');
			const error = stopped.data.resultData.error as unknown as Record<string, unknown>;
			expect(error).toMatchObject({
				name: 'NodeApiError',
				message: 'Bitrix24 error ERROR_INTERNAL_INVOICE_NOT_FOUND: Invoice not found [item 1, invoice 404]',
				description: describeErrorCode('ERROR_INTERNAL_INVOICE_NOT_FOUND').hint,
				node: { name: 'Stop' },
			});
			expect(stopped.data.resultData.runData.Stop[0].error?.message).toBe(error.message);
		});
	});
});
