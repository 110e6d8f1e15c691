// `npm start` (dev/playground/start.ts): what it prints, Ctrl+C, and a second start on the same folder.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DEMO_WORKFLOW, OAUTH2_CREDENTIAL, WEBHOOK_CREDENTIAL } from '../../../dev/playground/demoWorkflow';
import { startEditor } from '../../../dev/playground/start';
import type { Editor } from '../../../dev/playground/start';
import { OWNER, PACKAGE_ROOT, freePort } from '../../../dev/harness/n8n';
import { listPaySystems, rest } from './browser';

const folder = mkdtempSync(path.join(tmpdir(), 'bx24-editor-'));
let ports: { port: number; portalPort: number; runnerPort: number };
const running: Editor[] = [];

beforeAll(async () => {
	ports = { port: await freePort(), portalPort: await freePort(), runnerPort: await freePort() };
});

afterAll(async () => {
	for (const editor of running) await editor.stop();
	rmSync(folder, { recursive: true, force: true });
});

async function start(options: Partial<typeof ports> = {}): Promise<Editor> {
	const editor = await startEditor({ folder, ...ports, ...options });
	running.push(editor);
	return editor;
}

async function isListening(port: number): Promise<boolean> {
	return await fetch(`http://127.0.0.1:${port}/`).then(
		() => true,
		() => false,
	);
}

test('prints the editor URL, the sign-in and the demo workflow, and stops n8n and the portal on Ctrl+C with exit code 0', async () => {
	const child = spawn(path.join(PACKAGE_ROOT, 'node_modules', '.bin', 'tsx'), ['dev/playground/start.ts'], {
		cwd: PACKAGE_ROOT,
		env: { ...process.env, N8N_EDITOR_FOLDER: folder, N8N_PORT: String(ports.port), PORTAL_PORT: String(ports.portalPort), N8N_RUNNERS_BROKER_PORT: String(ports.runnerPort) },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	try {
		await new Promise<void>((resolve, reject) => {
			const check = setInterval(() => {
				if (output.includes('Press Ctrl+C to stop.')) {
					clearInterval(check);
					resolve();
				} else if (child.exitCode !== null) {
					clearInterval(check);
					reject(new Error(`dev/playground/start.ts exited early:\n${output}`));
				}
			}, 200);
		});
		const url = `http://localhost:${ports.port}`;
		expect(output).toContain(`n8n is ready`);
		expect(output).toContain(`: ${url}\n`);
		expect(output).toContain(`Sign in as:     ${OWNER.email} / ${OWNER.password}`);
		expect(output).toContain(`Demo workflow:  ${url}/workflow/${DEMO_WORKFLOW.id}`);
		expect(output).toContain('smart invoice 7 (no payment) and 8 (paid in cash) go to "Failed smart invoices".');
		expect(output).toContain('Importing the credentials (first start)');
		await expect(isListening(ports.port)).resolves.toBe(true);
		await expect(isListening(ports.portalPort)).resolves.toBe(true);

		child.kill('SIGINT');
		await expect(exited).resolves.toBe(0);
		expect(output).toContain('Stopped.');
		await expect(isListening(ports.port)).resolves.toBe(false);
		await expect(isListening(ports.portalPort)).resolves.toBe(false);
		await expect(isListening(ports.runnerPort)).resolves.toBe(false);
	} finally {
		if (child.exitCode === null) {
			child.kill('SIGKILL');
		}
	}
});

test('a second start reuses the folder: the same owner, credentials and workflow, and the OAuth2 credential connected again', async () => {
	const editor = await start();
	expect(editor.firstRun).toBe(false);

	const credentials = await rest<Array<{ id: string; type: string }>>(editor, 'GET', '/credentials');
	expect(credentials.map((credential) => [credential.id, credential.type]).sort()).toEqual([
		[OAUTH2_CREDENTIAL.id, 'bitrix24OAuth2Api'],
		[WEBHOOK_CREDENTIAL.id, 'bitrix24WebhookApi'],
	]);
	const workflows = await rest<Array<{ id: string }>>(editor, 'GET', '/workflows');
	expect(workflows.map((workflow) => workflow.id)).toEqual([DEMO_WORKFLOW.id]);
	const users = await rest<{ items: Array<{ email: string }> }>(editor, 'GET', '/users');
	expect(users.items.map((user) => user.email)).toEqual([OWNER.email]);

	// The restarted portal forgot the old token: start connected the credential again through n8n's callback.
	expect(editor.portal.tokenRequests().map((request) => [request.params.grant_type, request.status])).toEqual([['authorization_code', 200]]);
	await expect(listPaySystems(editor, 'oAuth2', OAUTH2_CREDENTIAL)).resolves.toEqual(['11', '12', '13', '14', '15']);
	await expect(listPaySystems(editor, 'webhook', WEBHOOK_CREDENTIAL)).resolves.toEqual(['11', '12', '13', '14', '15']);
	await editor.stop();
});

test('a start with the portal on another port points the saved credentials at it', async () => {
	const portalPort = await freePort();
	const editor = await start({ portalPort });
	expect(editor.firstRun).toBe(false);
	expect(editor.portal.origin).toBe(`http://127.0.0.1:${portalPort}`);
	await expect(listPaySystems(editor, 'webhook', WEBHOOK_CREDENTIAL)).resolves.toEqual(['11', '12', '13', '14', '15']);
	await expect(listPaySystems(editor, 'oAuth2', OAUTH2_CREDENTIAL)).resolves.toEqual(['11', '12', '13', '14', '15']);
	const credentials = await rest<Array<{ id: string }>>(editor, 'GET', '/credentials');
	expect(credentials).toHaveLength(2);
	await editor.stop();
});

test('a port in use stops the start before anything runs, naming the setting to change', async () => {
	const taken = createServer();
	await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
	const { port } = taken.address() as AddressInfo;
	try {
		await expect(startEditor({ folder, ...ports, portalPort: port })).rejects.toThrow(`Port ${port} on 127.0.0.1 is in use`);
		await expect(startEditor({ folder, ...ports, port })).rejects.toThrow('set N8N_PORT to another port');
	} finally {
		await new Promise((resolve) => taken.close(resolve));
	}
});
