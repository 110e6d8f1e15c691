// n8n in queue mode for the end-to-end tests: a Redis for the queue, the environment that puts a main
// and its workers on it, production webhook calls to the main, and what the processes' logs and the
// shared database say about which process ran which execution.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

import { IS_N8N_1, freePort, startServer } from './n8n';
import type { StoredExecution } from './database';
import type { N8nServer, N8nUserFolder, WorkflowNode } from './n8n';
import { storedNodeRun, storedRunError } from './storedRun';
import type { StoredItem } from './storedRun';

export interface Redis {
	port: number;
	stop(): Promise<void>;
}

/** Debian's redis-server on a free loopback port, without persistence; ready when it answers PING. */
export async function startRedis(): Promise<Redis> {
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

/** The environment of a main and its workers on one queue. */
export function queueEnv(redisPort: number): NodeJS.ProcessEnv {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		// The lines that say which process took and ran an execution are at level info.
		N8N_LOG_LEVEL: 'info',
	};
}

/** A main (`n8n start`) and its workers (`n8n worker`, named "worker 1", "worker 2", ...) on one queue. */
export interface QueueProcesses {
	main: N8nServer;
	workers: Record<string, N8nServer>;
	stop(): Promise<void>;
}

/**
 * Starts a main and `workers` workers on one Redis, all at once. The main polls for workflows to
 * activate every 500 ms (15 s by default). A worker runs up to `concurrency` jobs at a time; with 1, a
 * worker busy with one job leaves the next to another. If any fails to start, those up are stopped.
 */
export async function startQueue(n8n: N8nUserFolder, redisPort: number, { workers, concurrency }: { workers: number; concurrency: number }): Promise<QueueProcesses> {
	const env = queueEnv(redisPort);
	const ports: number[] = [];
	for (let index = 0; index <= workers; index++) ports.push(await freePort());
	const started = await Promise.allSettled([
		startServer(n8n, { port: ports[0], env: { ...env, N8N_WORKFLOW_PUBLICATION_OUTBOX_POLL_INTERVAL_MS: '500' } }),
		...ports.slice(1).map((port) => startServer(n8n, { port, command: ['worker', `--concurrency=${concurrency}`], env })),
	]);
	const up = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
	const stop = async () => {
		await Promise.all(up.map((server) => server.stop()));
	};
	const failed = started.find((result) => result.status === 'rejected');
	if (failed !== undefined) {
		await stop();
		throw failed.reason;
	}
	const [main, ...workerServers] = up;
	return { main, workers: Object.fromEntries(workerServers.map((server, index) => [`worker ${index + 1}`, server])), stop };
}

/**
 * Switches a workflow on, for the main to activate: n8n 2.x publishes it, n8n 1.x (which has no
 * publishing) marks it active. `import:workflow --activeState=fromJson` cannot: the import command
 * loads no community packages, so the activation fails validation (and the import still exits 0).
 */
export async function activateWorkflow(n8n: N8nUserFolder, workflowId: string): Promise<void> {
	const command = IS_N8N_1 ? ['update:workflow', `--id=${workflowId}`, '--active=true'] : ['publish:workflow', `--id=${workflowId}`];
	const result = await n8n.cli(command);
	if (result.code !== 0) throw new Error(`${command[0]} failed: ${result.stdout}${result.stderr}`);
}

export interface WebhookAnswer {
	status: number;
	/** The answer's JSON, or its text when it is not JSON. */
	body: unknown;
}

/** Calls a production webhook on the main, again while the main is still registering it (404). */
export async function callWebhook(main: N8nServer, webhookPath: string, body: object): Promise<WebhookAnswer> {
	const deadline = Date.now() + 60_000;
	for (;;) {
		const response = await fetch(`${main.url}/webhook/${webhookPath}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		const text = await response.text();
		if (response.status !== 404) return { status: response.status, body: parseOrText(text) };
		if (Date.now() > deadline) throw new Error(`The main never registered the webhook: ${text}\n${main.log().slice(-4000)}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

function parseOrText(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

/** The stored executions once none is still new or running: an answer may come before the worker's last write. */
export async function settledExecutions(n8n: N8nUserFolder, count: number, timeoutMs = 30_000): Promise<StoredExecution[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const executions = n8n.storedExecutions();
		if (executions.length >= count && executions.every(({ status }) => status !== 'new' && status !== 'running')) return executions;
		if (Date.now() > deadline) return executions;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/** The job id n8n logged for an execution: "<prefix> <execution id> (job <job id>)". */
export function jobOf(log: string, prefix: string, executionId: number): string | null {
	const match = new RegExp(`${prefix} ${executionId} \\(job (\\d+)\\)`).exec(log);
	return match ? match[1] : null;
}

/** The name of the worker that started this execution under the job the main enqueued it as, or null. */
export function workerThatRan(main: N8nServer, workers: Record<string, N8nServer>, executionId: number): string | null {
	const job = jobOf(main.log(), 'Enqueued execution', executionId);
	if (job === null) return null;
	const found = Object.entries(workers).find(([, worker]) => jobOf(worker.log(), 'Worker started execution', executionId) === job);
	return found ? found[0] : null;
}

/**
 * A production webhook trigger (POST on `path`) that answers once the execution has run: with the last
 * node's items (`allEntries`) or with nothing (`noData`).
 */
export function webhookTriggerNode(webhookId: string, path: string, responseData: 'allEntries' | 'noData'): WorkflowNode {
	return {
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId,
		parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData, options: {} },
	};
}

/** A Code node "Invoices" that makes `count` items `{invoiceId}` from `first` on, both read from the webhook call's body. */
export function invoiceRangeNode(): WorkflowNode {
	return {
		name: 'Invoices',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		parameters: {
			jsCode: 'const { first, count } = $input.first().json.body;\nreturn Array.from({ length: count }, (_, offset) => ({ json: { invoiceId: first + offset } }));',
		},
	};
}

/** A Code node that makes one item of each entry of the webhook call's body field `field` (a list of objects). */
export function bodyListNode(name: string, field: string): WorkflowNode {
	return {
		name,
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		parameters: { jsCode: `return $input.first().json.body[${JSON.stringify(field)}].map((json) => ({ json }));` },
	};
}

/** What one execution of Webhook -> Invoices (invoiceRangeNode) -> `nodeName` came to, as stored. */
export interface RangeOutcome {
	execution: StoredExecution;
	/** The `first` of the webhook call it answered. */
	first: number | null;
	/** The worker that ran it (workerThatRan). */
	worker: string | null;
	items: StoredItem[];
	errorItems: StoredItem[];
	error: string | null;
}

export function rangeOutcomeOf(execution: StoredExecution, nodeName: string, { main, workers }: Pick<QueueProcesses, 'main' | 'workers'>): RangeOutcome {
	const body = storedNodeRun(execution, 'Webhook')?.outputs[0]?.[0]?.json.body as { first?: unknown } | undefined;
	const node = storedNodeRun(execution, nodeName);
	return {
		execution,
		first: typeof body?.first === 'number' ? body.first : null,
		worker: workerThatRan(main, workers, execution.id),
		items: node?.outputs[0] ?? [],
		errorItems: node?.outputs[1] ?? [],
		error: node?.error ?? storedRunError(execution),
	};
}
