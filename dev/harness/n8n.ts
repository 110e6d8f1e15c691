// A real n8n, installed by dev/scripts/n8n.sh (2.41.1, or the N8N_VERSION it was given), with this
// package installed from its tarball as n8n installs it: a fresh user folder, its CLI, and its server.
// Used by the end-to-end tests and `npm start`.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { StoredExecution } from './database';
import { copyDatabase, readStoredExecutions } from './database';
import { PACKAGE_ROOT } from './package';

export { PACKAGE_ROOT };
export const PACKAGE_NAME = 'n8n-nodes-bitrix24-paysystem';
export const NODE_TYPE = `${PACKAGE_NAME}.bitrix24PaySystemInvoiceSettings`;
/** The second node: confirming payments and managing handlers, pay systems and their settings. */
export const PAY_SYSTEM_NODE_TYPE = `${PACKAGE_NAME}.bitrix24PaySystem`;

/** The n8n release in use: N8N_VERSION, as dev/scripts/n8n.sh exports it (default 2.41.1). */
export const N8N_VERSION = process.env.N8N_VERSION ?? '2.41.1';
/** n8n 1.x: its error output, CLI and editor differ from 2.x where the tests look (docs/compatibility.md). */
export const IS_N8N_1 = N8N_VERSION.startsWith('1.');

/** Where dev/scripts/n8n.sh put n8n: its N8N_HOME, or the default cache folder. */
function n8nHome(): string {
	return process.env.N8N_HOME ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(process.env.HOME ?? tmpdir(), '.cache'), PACKAGE_NAME, `n8n-${N8N_VERSION}`);
}

/** The `n8n` command of that install. */
export function n8nBinary(): string {
	const home = n8nHome();
	const binary = path.join(home, 'node_modules', '.bin', 'n8n');
	if (!existsSync(binary)) {
		throw new Error(`n8n is not installed at ${home}: run ". dev/scripts/node24.sh && . dev/scripts/n8n.sh" first (npm run e2e does)`);
	}
	return binary;
}

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

export interface N8nUserFolder {
	folder: string;
	env: NodeJS.ProcessEnv;
	/** Runs `n8n <args>` against this folder. */
	cli(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliResult>;
	importCredentials(credentials: object[]): Promise<void>;
	/**
	 * `extraArgs` go to `n8n import:workflow`. Its `--activeState=fromJson` (queue mode only) cannot
	 * activate a workflow with this node: the import loads no community packages, so activation fails
	 * validation and the import still exits 0. Use `activateWorkflow` (harness/queue.ts) instead.
	 */
	importWorkflows(workflows: object[], extraArgs?: string[]): Promise<void>;
	/** `n8n execute --id --rawOutput`: the run data n8n prints after its log lines. */
	execute(workflowId: string): Promise<ExecutedRun>;
	/** Like `execute`, with what n8n printed too (to look for secrets in log lines). */
	executeWithOutput(workflowId: string): Promise<{ run: ExecutedRun; output: CliResult }>;
	/** `n8n export:credentials --decrypted --id`: the credential as n8n stored it (after a token refresh, say). */
	exportCredential(credentialId: string): Promise<ExportedCredential>;
	/** The executions n8n saved in this folder's SQLite database, oldest first. */
	storedExecutions(): StoredExecution[];
	/** The SQLite database n8n writes: `.n8n/database.sqlite`, or DB_SQLITE_DATABASE. */
	databaseFile: string;
	remove(): void;
}

export interface ExportedCredential {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

/** What `n8n execute --rawOutput` prints: the run's data (resultData.runData by node name). */
export interface ExecutedRun {
	data: {
		resultData: {
			runData: Record<string, Array<{ data?: { main: Array<Array<{ json: Record<string, unknown>; pairedItem?: unknown }> | null> }; error?: { message: string }; hints?: unknown[] }>>;
			error?: { message: string };
		};
	};
	status?: string;
	[key: string]: unknown;
}

let packedTarball: string | undefined;

/**
 * The package as `npm publish` would upload it, packed once per process from the built dist/, or
 * the one PACKED_PACKAGE names (the end-to-end run packs it once for all its files: test/e2e/setup.ts).
 */
export function packedPackage(): string {
	const packedForRun = process.env.PACKED_PACKAGE;
	if (packedForRun !== undefined && existsSync(packedForRun)) return packedForRun;
	if (packedTarball !== undefined && existsSync(packedTarball)) return packedTarball;
	const destination = mkdtempSync(path.join(tmpdir(), 'bx24-pack-'));
	process.once('exit', () => rmSync(destination, { recursive: true, force: true }));
	const packed = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
	packedTarball = path.join(destination, (JSON.parse(packed) as Array<{ filename: string }>)[0].filename);
	return packedTarball;
}

/**
 * Installs the packed tarball into `.n8n/nodes` the way n8n's own installer does (CommunityPackagesService
 * in n8n 2.41): unpacked into node_modules/<name>, its dev, peer and optional dependencies dropped
 * from its package.json, and listed in the nodes folder's package.json. n8n then resolves
 * n8n-workflow from its own install, as it does for every user.
 */
function installPackedPackage(nodesFolder: string): void {
	const target = path.join(nodesFolder, 'node_modules', PACKAGE_NAME);
	rmSync(target, { recursive: true, force: true });
	mkdirSync(target, { recursive: true });
	execFileSync('tar', ['-xzf', packedPackage(), '-C', target, '--strip-components=1']);
	const manifestFile = path.join(target, 'package.json');
	const { devDependencies: _dev, peerDependencies: _peer, optionalDependencies: _optional, ...manifest } = JSON.parse(readFileSync(manifestFile, 'utf8'));
	writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
	writeFileSync(path.join(nodesFolder, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: manifest.version } }));
}

export interface UserFolderOptions {
	/** The folder; a new temporary one by default. */
	folder?: string;
	env?: NodeJS.ProcessEnv;
	/** default true; false: an n8n without this package */
	linkPackage?: boolean;
	/**
	 * Start from a copy of this folder's database, with its encryption key: its credentials and
	 * workflows without importing them again. No command of that folder may be running.
	 */
	databaseFrom?: N8nUserFolder;
}

/**
 * A fresh N8N_USER_FOLDER with the packed package installed into `.n8n/nodes/node_modules`, where n8n
 * loads community packages from. `npm run build` must have run: the tarball holds dist/.
 *
 * A folder without a database gets a copy of `databaseFrom`'s, or else of N8N_DATABASE_TEMPLATE when
 * that is set: an empty database n8n has migrated (the end-to-end run makes one: test/e2e/setup.ts), so
 * the folder's first command does not run every migration again.
 */
export function createUserFolder(options: UserFolderOptions = {}): N8nUserFolder {
	const folder = options.folder ?? mkdtempSync(path.join(tmpdir(), 'bx24-n8n-'));
	const nodesFolder = path.join(folder, '.n8n', 'nodes');
	if (options.linkPackage ?? true) installPackedPackage(nodesFolder);
	const env: NodeJS.ProcessEnv = {
		...process.env,
		N8N_USER_FOLDER: folder,
		N8N_ENCRYPTION_KEY: options.databaseFrom?.env.N8N_ENCRYPTION_KEY ?? randomBytes(24).toString('hex'),
		// Every n8n command loads a few thousand modules before it does anything: V8's code cache for
		// them, kept beside the install, saves about a sixth of each start's CPU time.
		NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? path.join(n8nHome(), 'compile-cache'),
		// No N8N_RUNNERS_ENABLED: n8n 2.x ignores it. Its task runner (it runs the Code node) always starts,
		// with a broker on N8N_RUNNERS_BROKER_PORT (5679 by default): each process gets a free port unless told one.
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: 'warn',
		DB_SQLITE_POOL_SIZE: '2',
		...options.env,
	};
	// Under jest NODE_ENV is "test", and n8n then logs nothing (so `execute` prints no run data) and
	// refuses to load nodes. Run n8n as a user's shell would.
	if (env.NODE_ENV === 'test') delete env.NODE_ENV;
	delete env.JEST_WORKER_ID;
	const binary = n8nBinary();
	const cli = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
		const processEnv = { ...env, ...extraEnv };
		processEnv.N8N_RUNNERS_BROKER_PORT ??= String(await freePort());
		return runProcess(binary, args, processEnv);
	};
	const importFile = async (kind: 'credentials' | 'workflow', content: object[], extraArgs: string[] = []) => {
		const file = path.join(folder, `import-${kind}-${Date.now()}.json`);
		writeFileSync(file, JSON.stringify(content));
		const result = await cli([`import:${kind}`, `--input=${file}`, ...extraArgs]);
		rmSync(file, { force: true });
		if (result.code !== 0) throw new Error(`n8n import:${kind} failed (${result.code}): ${result.stderr || result.stdout}`);
	};
	const databaseFile = path.resolve(folder, '.n8n', env.DB_SQLITE_DATABASE ?? 'database.sqlite');
	const databaseSource = options.databaseFrom?.databaseFile ?? process.env.N8N_DATABASE_TEMPLATE;
	if (databaseSource !== undefined && !existsSync(databaseFile)) copyDatabase(databaseSource, databaseFile);
	const executeWithOutput = async (workflowId: string) => {
		// The run data is a log line at level info: a quieter N8N_LOG_LEVEL prints nothing at all.
		const output = await cli(['execute', `--id=${workflowId}`, '--rawOutput'], { N8N_LOG_LEVEL: 'info' });
		return { run: parseRawOutput(output), output };
	};
	return {
		folder,
		env,
		cli,
		databaseFile,
		importCredentials: (credentials) => importFile('credentials', credentials),
		importWorkflows: (workflows, extraArgs) => importFile('workflow', workflows, extraArgs),
		async execute(workflowId) {
			return (await executeWithOutput(workflowId)).run;
		},
		executeWithOutput,
		async exportCredential(credentialId) {
			const file = path.join(folder, `export-credentials-${Date.now()}.json`);
			const result = await cli(['export:credentials', '--decrypted', `--id=${credentialId}`, `--output=${file}`]);
			if (!existsSync(file)) throw new Error(`n8n export:credentials wrote nothing (exit ${result.code}): ${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`);
			const exported = JSON.parse(readFileSync(file, 'utf8')) as ExportedCredential[];
			rmSync(file, { force: true });
			const credential = exported.find((entry) => entry.id === credentialId);
			if (credential === undefined) throw new Error(`n8n export:credentials has no credential ${credentialId}`);
			return credential;
		},
		storedExecutions: () => readStoredExecutions(databaseFile),
		remove() {
			rmSync(folder, { recursive: true, force: true });
		},
	};
}

/**
 * `execute --rawOutput` prints log lines (some start with "["), then the run as JSON indented by two
 * spaces: the only lines that are exactly "{" and "}" open and close it. Take that, never the exit code
 * alone. A failed run prints the same JSON after "Execution error:"; its error is in data.resultData.error.
 */
export function parseRawOutput(result: CliResult): ExecutedRun {
	const lines = result.stdout.split('\n');
	const start = lines.indexOf('{');
	const end = lines.indexOf('}', start);
	if (start < 0 || end < 0) {
		throw new Error(`n8n execute printed no run data (exit ${result.code}): ${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`);
	}
	return JSON.parse(lines.slice(start, end + 1).join('\n')) as ExecutedRun;
}

const portsHandedOut = new Set<number>();

/** A TCP port on 127.0.0.1 that nothing listens on right now, and not one this process handed out before. */
export async function freePort(): Promise<number> {
	for (;;) {
		const port = await new Promise<number>((resolve, reject) => {
			const server = createServer();
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => {
				const { port: chosen } = server.address() as AddressInfo;
				server.close(() => resolve(chosen));
			});
		});
		if (!portsHandedOut.has(port)) {
			portsHandedOut.add(port);
			return port;
		}
	}
}

/**
 * Runs a command to its end. Past `timeoutMs` it is killed with its process group (n8n's task
 * runner with it), and the result says so in stderr.
 */
export function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 240_000): Promise<CliResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		let stdout = '';
		let stderr = '';
		const timer = setTimeout(() => {
			stderr += `\n[killed after ${timeoutMs} ms: ${path.basename(command)} ${args.join(' ')}]`;
			try {
				process.kill(-(child.pid ?? 0), 'SIGKILL');
			} catch {
				child.kill('SIGKILL');
			}
		}, timeoutMs);
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('close', (code) => {
			clearTimeout(timer);
			resolve({ code, stdout, stderr });
		});
	});
}

export interface N8nServer {
	url: string;
	process: ChildProcess;
	/** Everything the server printed, for a failure message. */
	log(): string;
	stop(): Promise<void>;
}

/**
 * Starts `n8n <command>` (start, worker, ...) and waits until `readyPath` on `port` answers 200. A
 * worker serves its health check on `port` (QUEUE_HEALTH_CHECK_PORT). Each server gets a task runner
 * broker port of its own unless `env` or the user folder names one.
 */
export async function startServer(
	userFolder: N8nUserFolder,
	options: { port: number; command?: string[]; env?: NodeJS.ProcessEnv; readyPath?: string; timeoutMs?: number },
): Promise<N8nServer> {
	const url = `http://127.0.0.1:${options.port}`;
	const isWorker = (options.command ?? ['start'])[0] === 'worker';
	const env: NodeJS.ProcessEnv = {
		...userFolder.env,
		N8N_PORT: String(options.port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: 'localhost',
		...(isWorker ? { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(options.port), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' } : {}),
		...options.env,
	};
	env.N8N_RUNNERS_BROKER_PORT ??= String(await freePort());
	const child = spawn(n8nBinary(), options.command ?? ['start'], {
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	let output = '';
	child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const stop = async () => {
		if (child.exitCode !== null || child.signalCode !== null) return;
		try {
			process.kill(-(child.pid ?? 0), 'SIGTERM');
		} catch {
			child.kill('SIGTERM');
		}
		const timer = setTimeout(() => {
			try {
				process.kill(-(child.pid ?? 0), 'SIGKILL');
			} catch {
				child.kill('SIGKILL');
			}
		}, 15_000);
		await exited;
		clearTimeout(timer);
	};
	const deadline = Date.now() + (options.timeoutMs ?? 120_000);
	// n8n 1.x reports ready a moment before its REST API answers: a main waits for that too.
	const readyPaths = [options.readyPath ?? '/healthz/readiness', ...(isWorker ? [] : ['/rest/settings'])];
	for (const readyPath of readyPaths) {
		const readyUrl = `${url}${readyPath}`;
		for (;;) {
			if (child.exitCode !== null || child.signalCode !== null) throw new Error(`n8n ${options.command?.join(' ') ?? 'start'} exited early:\n${output.slice(-4000)}`);
			try {
				const response = await fetch(readyUrl);
				if (response.status === 200) break;
			} catch {
				// Not listening yet.
			}
			if (Date.now() > deadline) {
				await stop();
				throw new Error(`n8n did not become ready at ${readyUrl}:\n${output.slice(-4000)}`);
			}
			// A refused connection costs next to nothing: ask often, so a test starts as soon as n8n is up.
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	}
	return { url, process: child, log: () => output, stop };
}

export const OWNER = { email: 'owner@example.com', firstName: 'Demo', lastName: 'Owner', password: 'Bitrix24-demo-1' };

/** Sets up the owner account, so the editor opens at its login page instead of the sign-up wall. */
export async function setUpOwner(server: N8nServer, owner = OWNER): Promise<void> {
	const response = await fetch(`${server.url}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(owner),
	});
	if (response.status !== 200) throw new Error(`Owner setup failed: HTTP ${response.status} ${await response.text()}`);
}

/** Signs in through the REST API and returns the session cookie for further REST calls. */
export async function signIn(server: N8nServer, owner = OWNER): Promise<string> {
	const response = await fetch(`${server.url}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
	});
	const cookie = response.headers.get('set-cookie');
	if (response.status !== 200 || cookie === null) throw new Error(`Sign-in failed: HTTP ${response.status} ${await response.text()}`);
	return cookie.split(';')[0];
}

// ---- Saved shapes for `n8n import:*`: this package's credentials and workflows built from nodes ----

export interface CredentialReference {
	id: string;
	name: string;
}

/** A `bitrix24WebhookApi` credential as `n8n import:credentials` reads it. */
export function webhookCredentialEntity(reference: CredentialReference, webhookUrl: string) {
	return { ...reference, type: 'bitrix24WebhookApi', data: { webhookUrl, allowInsecureHttp: false } };
}

/** A `bitrix24OAuth2Api` credential as `n8n import:credentials` reads it (data as n8n keeps it after "Connect"). */
export function oauth2CredentialEntity(reference: CredentialReference, data: object) {
	return { ...reference, type: 'bitrix24OAuth2Api', data };
}

export interface WorkflowNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	credentials?: Record<string, CredentialReference>;
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	webhookId?: string;
}

/** A connection `from` (output `output`, default 0) to `to`. */
export type WorkflowConnection = [from: string, to: string, output?: number];

/** A workflow as `n8n import:workflow` reads it; nodes laid out left to right in the order given. */
export function workflowEntity(options: { id: string; name: string; nodes: WorkflowNode[]; connections: WorkflowConnection[]; active?: boolean }) {
	const connections: Record<string, { main: Array<Array<{ node: string; type: 'main'; index: number }>> }> = {};
	for (const [from, to, output = 0] of options.connections) {
		const main = (connections[from] ??= { main: [] }).main;
		while (main.length <= output) main.push([]);
		main[output].push({ node: to, type: 'main', index: 0 });
	}
	return {
		id: options.id,
		name: options.name,
		active: options.active ?? false,
		settings: { executionOrder: 'v1' },
		nodes: options.nodes.map((node, index) => ({ id: randomUUID(), position: [index * 220, 0], ...node })),
		connections,
	};
}

export const manualTriggerNode = (name = 'Start'): WorkflowNode => ({ name, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} });

export const noOpNode = (name: string): WorkflowNode => ({ name, type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} });

/** A Code node that outputs these items (their `json`). */
export function itemsNode(name: string, items: object[]): WorkflowNode {
	return { name, type: 'n8n-nodes-base.code', typeVersion: 2, parameters: { jsCode: `return ${JSON.stringify(items.map((json) => ({ json })))};` } };
}

interface PackageNodeOptions {
	credentials: Record<string, CredentialReference>;
	onError?: WorkflowNode['onError'];
}

/** This package's settings node with saved parameters, credentials and "On Error" setting. */
export function invoiceSettingsNode(name: string, parameters: Record<string, unknown>, options: PackageNodeOptions): WorkflowNode {
	return { name, type: NODE_TYPE, typeVersion: 1, parameters, credentials: options.credentials, ...(options.onError ? { onError: options.onError } : {}) };
}

/** The Bitrix24 Pay System node, likewise. */
export function paySystemNode(name: string, parameters: Record<string, unknown>, options: PackageNodeOptions): WorkflowNode {
	return { ...invoiceSettingsNode(name, parameters, options), type: PAY_SYSTEM_NODE_TYPE };
}

export interface RunItem {
	json: Record<string, unknown>;
	pairedItem?: unknown;
}

/** The items a node sent on one output (0: main, 1: the error output) in its first run. */
export function nodeOutput(run: ExecutedRun, nodeName: string, output = 0): RunItem[] {
	const { runData, error } = run.data.resultData;
	const runs = runData[nodeName];
	if (runs === undefined) {
		throw new Error(`Node "${nodeName}" did not run (ran: ${Object.keys(runData).join(', ')})${error ? `; the run failed: ${error.message}` : ''}`);
	}
	if (runs[0].error !== undefined) throw new Error(`Node "${nodeName}" failed: ${runs[0].error.message}`);
	return runs[0].data?.main[output] ?? [];
}

/** A failed item on the error output, alike on both n8n lines: the input item's fields, then `error` and `details`. */
export const onErrorOutput = (input: object, failure: { error: string; details: Record<string, unknown> & { hint: string } }) => ({ ...input, ...failure });
