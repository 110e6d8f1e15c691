// `npm start`: the node in a real n8n editor (2.41.1, or N8N_VERSION), against an emulated Bitrix24
// portal on this machine. The n8n user folder persists under .cache/editor/, so a second start keeps
// the owner, the credentials and the demo workflow (and anything the user built) without importing
// them again.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

import { startPortal } from '../emulator/portal';
import type { Portal } from '../emulator/portal';
import { STANDARD_PORTAL } from '../harness/fixtures';
import { N8N_VERSION, OWNER, PACKAGE_ROOT, createUserFolder, setUpOwner, signIn, startServer } from '../harness/n8n';
import type { N8nServer, N8nUserFolder } from '../harness/n8n';
import { DEMO_NODES, DEMO_WORKFLOW, OAUTH2_CREDENTIAL, OAUTH2_SCOPES, WEBHOOK_CREDENTIAL, demoWorkflow, oauth2Credential, webhookCredential } from './demoWorkflow';

// Another n8n version (N8N_VERSION) keeps a folder of its own: n8n cannot open a database a newer n8n migrated.
export const DEFAULT_FOLDER = path.join(PACKAGE_ROOT, '.cache', N8N_VERSION === '2.41.1' ? 'editor' : `editor-n8n-${N8N_VERSION}`);
export const DEFAULT_PORT = 5678;
export const DEFAULT_PORTAL_PORT = 8080;

// Fixed portal secrets: the credentials saved in n8n keep working after a restart. They guard only a
// loopback emulator with made-up data.
const PORTAL_SECRETS = {
	webhookCode: 'editordemo0webhook1code',
	clientId: 'local.editordemo01',
	clientSecret: 'editordemo0client0secret01',
};

/** What `npm start` left in the user folder: the encryption key of n8n's stored credentials, and what it imported. */
interface EditorState {
	encryptionKey: string;
	/** The portal origin the imported credentials point at; another port means importing them again. */
	portalOrigin?: string;
	workflowImported?: boolean;
}

export interface EditorOptions {
	/** The persistent N8N_USER_FOLDER; created on first use. */
	folder?: string;
	/** The editor's port on 127.0.0.1 (its URL says localhost, as the OAuth callback does). */
	port?: number;
	portalPort?: number;
	/** n8n's task runner broker (runs the Code node); default port + 1. */
	runnerPort?: number;
	/** Progress lines; default none. */
	log?: (line: string) => void;
}

export interface Editor {
	/** The editor's address, e.g. http://localhost:5678. */
	url: string;
	workflowUrl: string;
	owner: { email: string; password: string };
	portal: Portal;
	server: N8nServer;
	userFolder: N8nUserFolder;
	/** True when this start set up the folder: imported the credentials and the demo workflow. */
	firstRun: boolean;
	/** A session cookie for n8n's REST API, signed in as the owner. */
	cookie: string;
	stop(): Promise<void>;
}

/** Fails with what to change when a port is taken (a running `npm start`, say) before anything starts. */
async function ensurePortFree(port: number, setting: string): Promise<void> {
	const free = await new Promise<boolean>((resolve) => {
		const probe = createServer();
		probe.once('error', () => resolve(false));
		probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
	});
	if (!free) throw new Error(`Port ${port} on 127.0.0.1 is in use (is another \`npm start\` running?). Stop it, or set ${setting} to another port.`);
}

function readState(file: string): EditorState {
	if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as EditorState;
	const state: EditorState = { encryptionKey: randomBytes(24).toString('hex') };
	writeFileSync(file, `${JSON.stringify(state, null, '\t')}\n`, { mode: 0o600 });
	return state;
}

function writeState(file: string, state: EditorState): void {
	writeFileSync(file, `${JSON.stringify(state, null, '\t')}\n`, { mode: 0o600 });
}

async function isOwnerSetUp(server: N8nServer): Promise<boolean> {
	const response = await fetch(`${server.url}/rest/settings`);
	if (response.status !== 200) throw new Error(`GET /rest/settings: HTTP ${response.status}`);
	const body = (await response.json()) as { data: { userManagement: { showSetupOnFirstLoad?: boolean } } };
	return body.data.userManagement.showSetupOnFirstLoad !== true;
}

function cookiesOf(response: Response): string[] {
	return response.headers.getSetCookie().map((cookie) => cookie.split(';')[0]);
}

/**
 * "Connect my account" without a browser: n8n's authorize URL, the portal's redirect with a code, and
 * n8n's OAuth callback, which trades the code for a token and saves it in the credential. The emulated
 * portal keeps tokens in memory only, so every start after the first connects again.
 */
export async function connectOAuth2(server: N8nServer, cookie: string, credentialId: string): Promise<void> {
	const start = await fetch(`${server.url}/rest/oauth2-credential/auth?id=${encodeURIComponent(credentialId)}`, { headers: { cookie } });
	if (start.status !== 200) throw new Error(`OAuth2 authorize URL: HTTP ${start.status} ${await start.text()}`);
	const cookies = [cookie, ...cookiesOf(start)].join('; ');
	const authorizeUrl = ((await start.json()) as { data: string }).data;
	const authorize = await fetch(authorizeUrl, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
	const location = authorize.headers.get('location');
	if (authorize.status !== 302 || location === null) throw new Error(`Portal authorize: HTTP ${authorize.status} ${await authorize.text()}`);
	// The callback URL names the editor's public host (localhost); ask the server where it listens.
	const callback = new URL(location);
	const callbackResponse = await fetch(`${server.url}${callback.pathname}${callback.search}`, { headers: { cookie: cookies } });
	const page = await callbackResponse.text();
	// n8n answers 200 either way: its success page says so, its error page carries the reason.
	if (callbackResponse.status !== 200 || !page.includes('Connection successful')) {
		throw new Error(`n8n OAuth2 callback: HTTP ${callbackResponse.status} ${page.replace(/<[^>]*>|\s+/g, ' ').trim().slice(0, 300)}`);
	}
}

export async function startEditor(options: EditorOptions = {}): Promise<Editor> {
	const folder = path.resolve(options.folder ?? DEFAULT_FOLDER);
	const port = options.port ?? DEFAULT_PORT;
	const portalPort = options.portalPort ?? DEFAULT_PORTAL_PORT;
	const runnerPort = options.runnerPort ?? port + 1;
	const log = options.log ?? (() => undefined);
	await ensurePortFree(port, 'N8N_PORT');
	await ensurePortFree(runnerPort, 'N8N_RUNNERS_BROKER_PORT');
	await ensurePortFree(portalPort, 'PORTAL_PORT');
	mkdirSync(folder, { recursive: true });
	const stateFile = path.join(folder, 'editor-state.json');
	const state = readState(stateFile);

	const portal = await startPortal({
		port: portalPort,
		...STANDARD_PORTAL,
		...PORTAL_SECRETS,
	});
	let server: N8nServer | undefined;
	try {
		log(`Emulated Bitrix24 portal on ${portal.origin}`);
		const userFolder = createUserFolder({
			folder,
			env: {
				N8N_ENCRYPTION_KEY: state.encryptionKey,
				N8N_RUNNERS_BROKER_PORT: String(runnerPort),
				N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL ?? 'warn',
			},
		});

		const firstRun = !state.workflowImported;
		// Imported credentials carry a token from this portal; otherwise the restarted portal knows none.
		const credentialsImported = state.portalOrigin !== portal.origin;
		if (credentialsImported) {
			log(firstRun ? 'Importing the credentials (first start)' : `The portal moved to ${portal.origin}: importing the credentials again`);
			await userFolder.importCredentials([webhookCredential(portal), oauth2Credential(portal, portal.issueTokens(OAUTH2_SCOPES))]);
			state.portalOrigin = portal.origin;
			writeState(stateFile, state);
		}
		if (!state.workflowImported) {
			log('Importing the demo workflow (first start)');
			await userFolder.importWorkflows([demoWorkflow()]);
			state.workflowImported = true;
			writeState(stateFile, state);
		}

		log(`Starting n8n ${firstRun ? '(first start: setting up its database)' : ''}`.trim());
		server = await startServer(userFolder, { port, env: { N8N_HOST: 'localhost', N8N_PROTOCOL: 'http', N8N_EDITOR_BASE_URL: `http://localhost:${port}` } });
		if (!(await isOwnerSetUp(server))) {
			log(`Setting up the owner account ${OWNER.email}`);
			await setUpOwner(server);
		}
		const cookie = await signIn(server);
		if (!credentialsImported) {
			log('Connecting the OAuth2 credential to the restarted portal');
			// The user may have pointed it elsewhere or deleted it: the editor is still worth starting.
			await connectOAuth2(server, cookie, OAUTH2_CREDENTIAL.id).catch((error: unknown) =>
				log(`  Not connected (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): connect it in the credential.`),
			);
		}

		const url = `http://localhost:${port}`;
		const runningServer = server;
		let stopped: Promise<void> | undefined;
		return {
			url,
			workflowUrl: `${url}/workflow/${DEMO_WORKFLOW.id}`,
			owner: { email: OWNER.email, password: OWNER.password },
			portal,
			server: runningServer,
			userFolder,
			firstRun,
			cookie,
			stop() {
				stopped ??= (async () => {
					await runningServer.stop();
					await portal.stop();
				})();
				return stopped;
			},
		};
	} catch (error) {
		await server?.stop();
		await portal.stop();
		throw error;
	}
}

async function main(): Promise<void> {
	const began = performance.now();
	let editor: Editor | undefined;
	let stopRequested: NodeJS.Signals | undefined;
	const stop = async (signal: NodeJS.Signals) => {
		process.stdout.write(`\n${signal}: stopping n8n and the portal\n`);
		try {
			await editor?.stop();
		} catch (error) {
			process.stderr.write(`Could not stop cleanly: ${error instanceof Error ? error.message : String(error)}\n`);
			process.exit(1);
		}
		process.stdout.write('Stopped.\n');
		process.exit(0);
	};
	const onSignal = (signal: NodeJS.Signals) => {
		if (stopRequested !== undefined) return;
		stopRequested = signal;
		// Before n8n answers, its process is not ours to stop yet: stop right after it is up.
		if (editor === undefined) process.stdout.write(`\n${signal}: stopping as soon as n8n has started\n`);
		else void stop(signal);
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);

	editor = await startEditor({
		folder: process.env.N8N_EDITOR_FOLDER || undefined,
		port: process.env.N8N_PORT ? Number(process.env.N8N_PORT) : undefined,
		portalPort: process.env.PORTAL_PORT ? Number(process.env.PORTAL_PORT) : undefined,
		runnerPort: process.env.N8N_RUNNERS_BROKER_PORT ? Number(process.env.N8N_RUNNERS_BROKER_PORT) : undefined,
		log: (line) => process.stdout.write(`${line}\n`),
	});
	if (stopRequested !== undefined) {
		await stop(stopRequested);
		return;
	}
	const seconds = ((performance.now() - began) / 1000).toFixed(1);
	process.stdout.write(
		[
			'',
			`n8n is ready (${seconds} s): ${editor.url}`,
			`  Sign in as:     ${editor.owner.email} / ${editor.owner.password}`,
			`  Demo workflow:  ${editor.workflowUrl}`,
			`                  Open it and click "Execute workflow": invoice 404 and "abc" go to "${DEMO_NODES.failed}";`,
			`                  smart invoice 7 (no payment) and 8 (paid in cash) go to "${DEMO_NODES.failedSmartInvoices}".`,
			`  Credentials:    "${WEBHOOK_CREDENTIAL.name}" and "${OAUTH2_CREDENTIAL.name}" (connected; the credential's "Switch account" connects it again through the portal)`,
			`  Portal:         ${editor.portal.origin} (emulated Bitrix24, pay systems 11-15, invoices 1-100000 except 404,`,
			'                  smart invoices 5-10, deals 20-21, and both from 1000 to 100000, with their payments)',
			`  n8n data:       ${editor.userFolder.folder}`,
			'',
			'Press Ctrl+C to stop.',
			'',
		].join('\n'),
	);
}

if (require.main === module) {
	main().catch((error: unknown) => {
		process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
		process.exit(1);
	});
}
