// Queue mode in a real n8n (2.41.1, or 1.123.81 with N8N_VERSION): a main (`n8n start`) takes a
// production webhook call and puts the execution on a Redis queue; a worker (`n8n worker`) runs it,
// with this package loaded from its own ~/.n8n/nodes. Both share one SQLite database (n8n warns that it
// does not officially support SQLite in queue mode; on one machine it works). A worker without the
// package fails the execution.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

import type { Portal } from '../../../dev/emulator/portal';
import { startPortal } from '../../../dev/emulator/portal';
import { SETTINGS, STANDARD_PORTAL } from '../../support';
import { IS_N8N_1, NODE_TYPE, createUserFolder, freePort, invoiceSettingsNode, startServer, webhookCredentialEntity, workflowEntity } from '../../../dev/harness/n8n';
import type { N8nServer, N8nUserFolder, StoredExecution } from '../../../dev/harness/n8n';

const WEBHOOK = { id: 'bx24webhook0001', name: 'Bitrix24 webhook' };
const WORKFLOW_ID = 'bx24e2equeue0001';
const WEBHOOK_PATH = 'bx24-invoice-settings';

const workflow = workflowEntity({
	id: WORKFLOW_ID,
	name: 'Pay system settings on a webhook call',
	nodes: [
		{
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			webhookId: '2f6a4f0e-6d0b-4b8e-9a51-0d5c4c1e7b21',
			// Answer with the last node's items, once the worker has run them.
			parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
		},
		invoiceSettingsNode(
			'Pay System Invoice Settings',
			{ invoiceId: '={{ $json.body.invoiceId }}', paySystemBy: 'id', paySystemId: { __rl: true, mode: 'id', value: '12' }, options: {} },
			{ credentials: { bitrix24WebhookApi: WEBHOOK } },
		),
	],
	connections: [['Webhook', 'Pay System Invoice Settings']],
});

interface Redis {
	port: number;
	stop(): Promise<void>;
}

/** Debian's redis-server on a free loopback port, without persistence; ready when it answers PING. */
async function startRedis(): Promise<Redis> {
	const port = await freePort();
	const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
	const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
	const ping = () =>
		new Promise<boolean>((resolve) => {
			const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
			socket.once('data', (data) => {
				socket.destroy();
				resolve(data.toString().startsWith('+PONG'));
			});
			socket.once('error', () => resolve(false));
		});
	const deadline = Date.now() + 10_000;
	for (;;) {
		const failed = await Promise.race([spawnError, new Promise<null>((resolve) => setTimeout(() => resolve(null), 100))]);
		if (failed !== null) throw new Error(`redis-server could not start (is Debian's redis-server installed?): ${failed.message}`);
		if (child.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
		if (await ping()) break;
		if (Date.now() > deadline) throw new Error(`redis-server did not answer PING on ${port}: ${output}`);
	}
	return {
		port,
		async stop() {
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
			await exited;
		},
	};
}

/** Calls the production webhook on the main, again while the main is still registering it (404). */
async function callWebhook(main: N8nServer, body: object): Promise<{ status: number; body: unknown }> {
	const deadline = Date.now() + 60_000;
	for (;;) {
		const response = await fetch(`${main.url}/webhook/${WEBHOOK_PATH}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		const text = await response.text();
		if (response.status !== 404) return { status: response.status, body: JSON.parse(text) as unknown };
		if (Date.now() > deadline) throw new Error(`The main never registered the webhook: ${text}\n${main.log().slice(-4000)}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** The stored executions once none is still new or running: the answer may come before the worker's last write. */
async function settledExecutions(n8n: N8nUserFolder, count: number): Promise<StoredExecution[]> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		const executions = n8n.storedExecutions();
		if (executions.length >= count && executions.every(({ status }) => status !== 'new' && status !== 'running')) return executions;
		if (Date.now() > deadline) return executions;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** The job id n8n logged for an execution: "<prefix> <execution id> (job <job id>)". */
function jobOf(log: string, prefix: string, executionId: number): string | null {
	const match = new RegExp(`${prefix} ${executionId} \\(job (\\d+)\\)`).exec(log);
	return match ? match[1] : null;
}

describe('Queue mode: the node runs on the worker, which needs the package installed', () => {
	let portal: Portal;
	let redis: Redis;
	let n8n: N8nUserFolder;
	let bareFolder: N8nUserFolder;
	let main: N8nServer;
	let worker: N8nServer;
	let bareWorker: N8nServer;
	let answer: { status: number; body: unknown };
	let bareAnswer: { status: number; body: unknown };
	let executions: StoredExecution[];
	let restCallsBeforeBareWorker: number;

	const queueEnv = (redisPort: number): NodeJS.ProcessEnv => ({
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		// The lines that say which process took and ran an execution are at level info.
		N8N_LOG_LEVEL: 'info',
	});

	beforeAll(async () => {
		portal = await startPortal(STANDARD_PORTAL);
		redis = await startRedis();
		n8n = createUserFolder();
		await n8n.importCredentials([webhookCredentialEntity(WEBHOOK, portal.webhookUrl)]);
		await n8n.importWorkflows([workflow]);
		// `import:workflow --activeState=fromJson` cannot activate it: the import command loads no
		// community packages, so the activation fails validation (and import still exits 0).
		// n8n 1.x has no publishing: a workflow marked active is activated by the main when it starts.
		const activate = IS_N8N_1 ? ['update:workflow', `--id=${WORKFLOW_ID}`, '--active=true'] : ['publish:workflow', `--id=${WORKFLOW_ID}`];
		const published = await n8n.cli(activate);
		if (published.code !== 0) throw new Error(`${activate[0]} failed: ${published.stdout}${published.stderr}`);

		const env = queueEnv(redis.port);
		// Both boot at once; each is kept as soon as it is up, so afterAll stops it even if the other fails.
		const started = await Promise.allSettled([
			// The main activates published workflows through its publication outbox, polled every 15 s by default.
			startServer(n8n, { port: await freePort(), env: { ...env, N8N_WORKFLOW_PUBLICATION_OUTBOX_POLL_INTERVAL_MS: '500' } }).then((server) => (main = server)),
			startServer(n8n, { port: await freePort(), command: ['worker', '--concurrency=5'], env }).then((server) => (worker = server)),
		]);
		for (const result of started) if (result.status === 'rejected') throw result.reason;
		answer = await callWebhook(main, { invoiceId: 7 });
		restCallsBeforeBareWorker = portal.restCalls().length;

		// The same main, database and queue; a worker whose ~/.n8n/nodes lacks the package.
		await worker.stop();
		bareFolder = createUserFolder({ linkPackage: false, env: { N8N_ENCRYPTION_KEY: n8n.env.N8N_ENCRYPTION_KEY, DB_SQLITE_DATABASE: n8n.databaseFile } });
		bareWorker = await startServer(bareFolder, { port: await freePort(), command: ['worker', '--concurrency=5'], env });
		bareAnswer = await callWebhook(main, { invoiceId: 8 });
		executions = await settledExecutions(n8n, 2);
	});

	afterAll(async () => {
		await Promise.all([bareWorker?.stop(), worker?.stop(), main?.stop()]);
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
