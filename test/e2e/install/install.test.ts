// The README's three ways to install the package, each run for real from the packed tarball: n8n's
// editor installer, the command-line block and the Dockerfile's RUN line as the README writes them.
// npm gets a local registry that holds this package only, so an install that needed anything else
// (a copy of n8n-workflow, say) fails. Then n8n, with the user folder the install wrote, runs a
// workflow with the node and its error output. The credential and the workflow are imported once;
// each install's n8n starts from a copy of that database.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Portal } from '../../../dev/emulator/portal';
import { startPortal } from '../../../dev/emulator/portal';
import { installAsTheEditorDoes, npmEnvironment, runShell } from '../../../dev/harness/install';
import {
	N8N_VERSION,
	PACKAGE_NAME,
	PACKAGE_ROOT,
	createUserFolder,
	invoiceSettingsNode,
	itemsNode,
	manualTriggerNode,
	nodeOutput,
	onErrorOutput,
	packedPackage,
	webhookCredentialEntity,
	workflowEntity,
} from '../../../dev/harness/n8n';
import type { ExecutedRun, N8nUserFolder } from '../../../dev/harness/n8n';
import type { LocalRegistry } from '../../../dev/harness/registry';
import { startLocalRegistry } from '../../../dev/harness/registry';
import { describeErrorCode } from '../../../nodes/shared/bitrix24/errors/codes';
import { SETTINGS, STANDARD_PORTAL, byPaySystemId } from '../../support';

const README = readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');
const INSTALLATION_PAGE = readFileSync(path.join(PACKAGE_ROOT, 'docs/installation.md'), 'utf8');
const VERSION = (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The fenced block of `language` that follows `marker` in `text` (from the page `page`), unindented. */
function fencedBlock(page: string, text: string, marker: string, language: string): string {
	const after = text.slice(text.indexOf(marker));
	const match = new RegExp('```' + language + '\\n([\\s\\S]*?)\\n\\s*```').exec(after);
	if (!text.includes(marker) || match === null) throw new Error(`${page}: no ${language} block after "${marker}"`);
	return match[1]
		.split('\n')
		.map((line) => line.trim())
		.join('\n');
}

/** The fenced block of `language` that follows `marker` in the README's Installation section. */
function readmeBlock(marker: string, language: string): string {
	return fencedBlock('README', README.slice(README.indexOf('## Installation'), README.indexOf('## Operations')), marker, language);
}

const COMMAND_LINE = readmeBlock('**From the command line**', 'sh');
const DOCKERFILE = readmeBlock('**Docker:**', 'dockerfile');
const DOCKERFILE_RUN = DOCKERFILE
	.split('\n')
	.filter((line) => line.startsWith('RUN '))
	.map((line) => line.slice('RUN '.length))
	.join('\n');

const WEBHOOK = { id: 'bx24webhook0001', name: 'Bitrix24 webhook' };
const WORKFLOW_ID = 'bx24e2einstall01';
const workflow = workflowEntity({
	id: WORKFLOW_ID,
	name: 'Pay system settings after an install',
	nodes: [
		manualTriggerNode(),
		itemsNode('Invoices', [{ invoiceId: 10, ref: 'a' }, { invoiceId: 404, ref: 'b' }]),
		invoiceSettingsNode('Settings', byPaySystemId('11'), { credentials: { bitrix24WebhookApi: WEBHOOK }, onError: 'continueErrorOutput' }),
	],
	connections: [
		['Start', 'Invoices'],
		['Invoices', 'Settings'],
	],
});

interface InstallPath {
	name: string;
	/** Installs into the user folder `home` (n8n's N8N_USER_FOLDER, the `~` of the commands). */
	install(home: string, env: NodeJS.ProcessEnv): Promise<unknown>;
	/** What npm asks the registry besides the package: it looks up an optional peer, and installs it only if that is needed. */
	lookups: string[];
}

const PATHS: InstallPath[] = [
	{
		name: 'the editor (Settings > Community Nodes), as n8n installs it',
		install: async (home, env) => await installAsTheEditorDoes(path.join(home, '.n8n', 'nodes'), PACKAGE_NAME, VERSION, env),
		// n8n drops the peer dependencies before its npm install.
		lookups: [],
	},
	{ name: 'the command line, the README\'s block', install: async (home, env) => await runShell(COMMAND_LINE, env, home), lookups: ['GET /n8n-workflow'] },
	{
		name: 'the README\'s Dockerfile, its RUN line with /home/node here',
		install: async (home, env) => await runShell(DOCKERFILE_RUN.replaceAll('/home/node', home), env, home),
		lookups: ['GET /n8n-workflow'],
	},
];

describe(`Installing the package into n8n ${N8N_VERSION}, the README's three ways`, () => {
	let portal: Portal;
	let registry: LocalRegistry;
	let imported: N8nUserFolder;

	beforeAll(async () => {
		portal = await startPortal(STANDARD_PORTAL);
		registry = await startLocalRegistry(packedPackage());
		imported = createUserFolder({ linkPackage: false });
		await imported.importCredentials([webhookCredentialEntity(WEBHOOK, portal.webhookUrl)]);
		await imported.importWorkflows([workflow]);
	});

	afterAll(async () => {
		await registry?.stop();
		await portal?.stop();
		imported?.remove();
	});

	it('reads the commands from the README', () => {
		expect(COMMAND_LINE).toBe('mkdir -p ~/.n8n/nodes && cd ~/.n8n/nodes\nnpm install n8n-nodes-bitrix24-paysystem');
		expect(DOCKERFILE_RUN).toBe('mkdir -p /home/node/.n8n/nodes && cd /home/node/.n8n/nodes && npm install n8n-nodes-bitrix24-paysystem');
	});

	it('finds the same commands in docs/installation.md', () => {
		expect(fencedBlock('docs/installation.md', INSTALLATION_PAGE, '## From the command line', 'sh')).toBe(COMMAND_LINE);
		expect(fencedBlock('docs/installation.md', INSTALLATION_PAGE, '## Docker', 'dockerfile')).toBe(DOCKERFILE);
	});

	describe.each(PATHS)('$name', ({ install, lookups }) => {
		let home: string;
		let requests: string[];
		let run: ExecutedRun;

		beforeAll(async () => {
			home = mkdtempSync(path.join(tmpdir(), 'bx24-install-'));
			mkdirSync(path.join(home, '.n8n'), { recursive: true });
			const before = registry.requests.length;
			await install(home, npmEnvironment(registry.url, home));
			requests = registry.requests.slice(before);
			const n8n = createUserFolder({ folder: home, linkPackage: false, databaseFrom: imported });
			run = await n8n.execute(WORKFLOW_ID);
		});

		afterAll(() => {
			rmSync(home, { recursive: true, force: true });
		});

		it('downloads this package\'s tarball alone; a look-up of the optional n8n-workflow, answered 404, does not stop it', () => {
			const asked = [...new Set(requests)].sort();
			expect(asked).toEqual([`GET /${PACKAGE_NAME}`, `GET /${PACKAGE_NAME}/-/${PACKAGE_NAME}-${VERSION}.tgz`, ...lookups].sort());
		});

		it('leaves this package alone in the nodes folder: no n8n-workflow, no other package', () => {
			const nodeModules = path.join(home, '.n8n', 'nodes', 'node_modules');
			expect(readdirSync(nodeModules).filter((entry) => entry !== '.package-lock.json')).toEqual([PACKAGE_NAME]);
			expect(existsSync(path.join(nodeModules, PACKAGE_NAME, 'node_modules'))).toBe(false);
			expect(existsSync(path.join(nodeModules, PACKAGE_NAME, 'dist', 'nodes', 'PaySystemInvoiceSettings', 'Bitrix24PaySystemInvoiceSettings.node.js'))).toBe(true);
		});

		it('n8n loads the node and runs it: the settings on the main output, the failed invoice on the error output', () => {
			expect(run.status).toBe('success');
			expect(nodeOutput(run, 'Settings', 0)).toEqual([{ json: SETTINGS.card, pairedItem: { item: 0 } }]);
			expect(nodeOutput(run, 'Settings', 1)).toEqual([
				{
					json: onErrorOutput(
						{ invoiceId: 404, ref: 'b' },
						{
							error: 'Bitrix24 error ERROR_INTERNAL_INVOICE_NOT_FOUND: Invoice not found',
							details: {
								errorCode: 'ERROR_INTERNAL_INVOICE_NOT_FOUND',
								errorDescription: 'Invoice not found',
								httpCode: null,
								invoiceId: 404,
								hint: describeErrorCode('ERROR_INTERNAL_INVOICE_NOT_FOUND').hint,
							},
						},
					),
					pairedItem: { item: 1 },
				},
			]);
		});
	});
});
