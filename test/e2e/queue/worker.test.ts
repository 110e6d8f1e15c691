// Queue mode in a real n8n (2.41.1, or 1.123.81 with N8N_VERSION): a main (`n8n start`) takes a
// production webhook call and puts the execution on a Redis queue; a worker (`n8n worker`) runs it,
// with this package loaded from its own ~/.n8n/nodes. Both share one SQLite database (n8n warns that it
// does not officially support SQLite in queue mode; on one machine it works). A worker without the
// package fails the execution.
import type { Portal } from '../../../dev/emulator/portal';
import { startPortal } from '../../../dev/emulator/portal';
import { SETTINGS, STANDARD_PORTAL } from '../../support';
import { NODE_TYPE, createUserFolder, freePort, invoiceSettingsNode, startServer, webhookCredentialEntity, workflowEntity } from '../../../dev/harness/n8n';
import type { StoredExecution } from '../../../dev/harness/database';
import type { N8nServer, N8nUserFolder } from '../../../dev/harness/n8n';
import { activateWorkflow, callWebhook, jobOf, queueEnv, settledExecutions, startQueue, startRedis, webhookTriggerNode } from '../../../dev/harness/queue';
import type { QueueProcesses, Redis, WebhookAnswer } from '../../../dev/harness/queue';

const WEBHOOK = { id: 'bx24webhook0001', name: 'Bitrix24 webhook' };
const WORKFLOW_ID = 'bx24e2equeue0001';
const WEBHOOK_PATH = 'bx24-invoice-settings';

const workflow = workflowEntity({
	id: WORKFLOW_ID,
	name: 'Pay system settings on a webhook call',
	nodes: [
		// Answer with the last node's items, once the worker has run them.
		webhookTriggerNode('2f6a4f0e-6d0b-4b8e-9a51-0d5c4c1e7b21', WEBHOOK_PATH, 'allEntries'),
		invoiceSettingsNode(
			'Pay System Invoice Settings',
			{ invoiceId: '={{ $json.body.invoiceId }}', paySystemBy: 'id', paySystemId: { __rl: true, mode: 'id', value: '12' }, options: {} },
			{ credentials: { bitrix24WebhookApi: WEBHOOK } },
		),
	],
	connections: [['Webhook', 'Pay System Invoice Settings']],
});

describe('Queue mode: the node runs on the worker, which needs the package installed', () => {
	let portal: Portal;
	let redis: Redis;
	let n8n: N8nUserFolder;
	let bareFolder: N8nUserFolder;
	let processes: QueueProcesses | undefined;
	let main: N8nServer;
	let worker: N8nServer;
	let bareWorker: N8nServer;
	let answer: WebhookAnswer;
	let bareAnswer: WebhookAnswer;
	let executions: StoredExecution[];
	let restCallsBeforeBareWorker: number;

	beforeAll(async () => {
		portal = await startPortal(STANDARD_PORTAL);
		redis = await startRedis();
		n8n = createUserFolder();
		await n8n.importCredentials([webhookCredentialEntity(WEBHOOK, portal.webhookUrl)]);
		await n8n.importWorkflows([workflow]);
		await activateWorkflow(n8n, WORKFLOW_ID);

		const env = queueEnv(redis.port);
		processes = await startQueue(n8n, redis.port, { workers: 1, concurrency: 5 });
		({ main, workers: { 'worker 1': worker } } = processes);
		answer = await callWebhook(main, WEBHOOK_PATH, { invoiceId: 7 });
		restCallsBeforeBareWorker = portal.restCalls().length;

		// The same main, database and queue; a worker whose ~/.n8n/nodes lacks the package.
		await worker.stop();
		bareFolder = createUserFolder({ linkPackage: false, env: { N8N_ENCRYPTION_KEY: n8n.env.N8N_ENCRYPTION_KEY, DB_SQLITE_DATABASE: n8n.databaseFile } });
		bareWorker = await startServer(bareFolder, { port: await freePort(), command: ['worker', '--concurrency=5'], env });
		bareAnswer = await callWebhook(main, WEBHOOK_PATH, { invoiceId: 8 });
		executions = await settledExecutions(n8n, 2);
	});

	afterAll(async () => {
		await Promise.all([bareWorker?.stop(), processes?.stop()]);
		await redis?.stop();
		await portal?.stop();
		n8n?.remove();
		bareFolder?.remove();
	});

	it('the production webhook on the main answers with the node\'s items', () => {
		expect(answer).toEqual({ status: 200, body: [SETTINGS.bank(7)] });
		// One item: one single call, as docs/contract.md#wire-format has it.
		expect(portal.restCalls().slice(0, restCallsBeforeBareWorker).map(({ restMethod, params }) => ({ restMethod, params }))).toEqual([
			{ restMethod: 'sale.paysystem.settings.invoice.get', params: { INVOICE_ID: 7, PAY_SYSTEM_ID: 12 } },
		]);
	});

	it('the main enqueued the execution and the worker ran it', () => {
		expect(executions.map(({ workflowId, mode }) => ({ workflowId, mode }))).toEqual([
			{ workflowId: WORKFLOW_ID, mode: 'webhook' },
			{ workflowId: WORKFLOW_ID, mode: 'webhook' },
		]);
		const [{ id, status, data }] = executions;
		expect(status).toBe('success');
		expect(data).toContain('INV-7');
		const job = jobOf(main.log(), 'Enqueued execution', id);
		expect(job).not.toBeNull();
		expect(jobOf(worker.log(), 'Worker started execution', id)).toBe(job);
		expect(jobOf(worker.log(), 'Worker finished execution', id)).toBe(job);
		expect(main.log()).not.toContain('Worker started execution');
		// Two processes on one SQLite file (WAL): neither met a locked database.
		expect(`${main.log()}${worker.log()}${bareWorker.log()}`).not.toMatch(/SQLITE_BUSY|database is locked/i);
	});

	it('a worker without the package fails the execution with "Unrecognized node type", and nothing reaches the portal', () => {
		const { id, status, data } = executions[1];
		expect(jobOf(bareWorker.log(), 'Worker started execution', id)).toBe(jobOf(main.log(), 'Enqueued execution', id));
		expect(status).toBe('error');
		expect(data).toContain(`Unrecognized node type: ${NODE_TYPE}`);
		expect(bareAnswer.status).toBe(500);
		expect(portal.restCalls()).toHaveLength(restCallsBeforeBareWorker);
	});

	it('no secret in the logs of the main and the workers, nor in the stored executions', () => {
		const kept = [main.log(), worker.log(), bareWorker.log(), ...executions.map(({ data }) => data)].join('\n');
		expect(kept).toContain('Worker finished execution');
		expect(portal.secrets().filter((secret) => kept.includes(secret))).toEqual([]);
	});
});
