import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { runOutsideJest } from './outsideJest';

// What `npm publish` would upload, checked the way n8n's verification checks a community package.
// `npm test` builds first, so dist/ is fresh.

const ROOT = path.resolve(__dirname, '../..');
const run = (command: string, args: string[], cwd = ROOT) => runOutsideJest(command, args, cwd);

// The product's sources, without extension: the tarball carries each as .js, .d.ts and .js.map.
const NODE_SOURCES = [
	'Bitrix24PaySystemInvoiceSettings.node',
	'actions/get.operation',
	'actions/getForCrmItem.operation',
	'actions/getForPayment.operation',
	'actions/operations',
	'actions/settings',
	'description',
	'listSearch',
].map((name) => `nodes/PaySystemInvoiceSettings/${name}`);
const PAY_SYSTEM_SOURCES = [
	'Bitrix24PaySystem.node',
	'description',
	'resources/confirmFields',
	'resources/confirmation',
	'resources/fields',
	'resources/index',
	'resources/resource',
	...['invoice', 'payment'].flatMap((resource) => [`resources/${resource}/confirm.operation`, `resources/${resource}/index`]),
	...['create', 'delete', 'getAll', 'update'].flatMap((op) => [`resources/handler/${op}.operation`, `resources/paySystem/${op}.operation`]),
	'resources/handler/index',
	'resources/paySystem/index',
	'resources/settings/get.operation',
	'resources/settings/index',
	'resources/settings/settingsOperation',
	'resources/settings/update.operation',
].map((name) => `nodes/PaySystem/${name}`);
const SHARED_SOURCES = [
	'credentials/credentialForm',
	'credentials/credentialTest',
	'credentials/nodeCredentials',
	'errors/codes',
	'errors/failures',
	'errors/redact',
	'fields/fields',
	'fields/listSearch',
	'limits/operatingBudget',
	'limits/pacing',
	'limits/portalLimits',
	'limits/retryPolicy',
	'limits/waits',
	'run/itemInput',
	'run/keyedLocks',
	'run/operation',
	'run/options',
	'run/results',
	'run/runner',
	'transport/answers',
	'transport/calls',
	'transport/client',
	'transport/commands',
	'transport/connection',
	'transport/endpoint',
	'transport/methods',
	'transport/tokenGate',
	'transport/tokenRotation',
].map((name) => `nodes/shared/bitrix24/${name}`);

const EXPECTED_FILES = [
	'CHANGELOG.md',
	'LICENSE',
	'README.md',
	...['Bitrix24OAuth2Api', 'Bitrix24WebhookApi'].flatMap((name) =>
		['d.ts', 'js', 'js.map'].map((ext) => `dist/credentials/${name}.credentials.${ext}`),
	),
	'dist/icons/bitrix24.dark.svg',
	'dist/icons/bitrix24.svg',
	'dist/index.d.ts',
	'dist/index.js',
	'dist/index.js.map',
	...[...NODE_SOURCES, ...PAY_SYSTEM_SOURCES, ...SHARED_SOURCES].flatMap((name) => ['d.ts', 'js', 'js.map'].map((ext) => `dist/${name}.${ext}`)),
	'dist/nodes/PaySystemInvoiceSettings/Bitrix24PaySystemInvoiceSettings.node.json',
	'dist/nodes/PaySystem/Bitrix24PaySystem.node.json',
	'package.json',
].sort();

// Fixed secrets the repository's own tooling uses (the editor demo); emulated portals draw theirs at random.
function fixtureSecrets(): string[] {
	const source = readFileSync(path.join(ROOT, 'dev/playground/start.ts'), 'utf8');
	return [...source.matchAll(/(?:webhookCode|clientSecret):\s*'([^']+)'/g)].map((match) => match[1]);
}

function filesUnder(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const full = path.join(dir, name);
		return statSync(full).isDirectory() ? filesUnder(full).map((file) => `${name}/${file}`) : [name];
	});
}

interface PackResult {
	name: string;
	version: string;
	filename: string;
	files: Array<{ path: string }>;
}

interface ScanReport {
	passed: boolean;
	message: string | null;
	files: string[];
	findings: Array<{ file: string; ruleId: string; severity: string; message: string }>;
}

const scan = (dir: string, leg: 'source' | 'tarball'): ScanReport =>
	JSON.parse(run(process.execPath, [path.join(ROOT, 'dev/scripts/scan-package.mjs'), dir, leg]).trim().split('\n').pop()!);

const ACCEPTED_WARNING = {
	file: 'credentials/Bitrix24WebhookApi.credentials.ts',
	ruleId: '@n8n/community-nodes/credential-unnecessary-password',
	severity: 'warning',
	message: "Field 'webhookUrl' does not appear to be sensitive but uses 'typeOptions: { password: true }'. Remove it unless the field holds a secret",
};

describe('the published tarball', () => {
	let work: string;
	let unpacked: string;
	let dryRun: PackResult;

	beforeAll(() => {
		work = mkdtempSync(path.join(tmpdir(), 'bitrix24-pack-'));
		dryRun = (JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'])) as PackResult[])[0];
		const packed = (JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work])) as PackResult[])[0];
		run('tar', ['-xzf', path.join(work, packed.filename), '-C', work]);
		unpacked = path.join(work, 'package');
	}, 120_000);

	afterAll(() => rmSync(work, { recursive: true, force: true }));

	it('holds exactly the built package, its readme, licence and changelog', () => {
		expect(dryRun.name).toBe('n8n-nodes-bitrix24-paysystem');
		expect(dryRun.files.map((file) => file.path).sort()).toEqual(EXPECTED_FILES);
		expect(filesUnder(unpacked).sort()).toEqual(EXPECTED_FILES);
	});

	it('holds no tests, emulator, tooling, TypeScript sources or environment files', () => {
		const offending = EXPECTED_FILES.filter((file) =>
			/(^|\/)(test|tests|dev|emulator|harness|soak|bench|demo|e2e|editor|playground|scripts|docs|\.github)\//.test(file) ||
			/(^|\/)\.env|\.test\.|(?<!\.d)\.ts$|\.tgz$|\.npmrc$/.test(file),
		);
		expect(offending).toEqual([]);
		expect(filesUnder(unpacked).filter((file) => !file.startsWith('dist/') || file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([
			'CHANGELOG.md',
			'LICENSE',
			'README.md',
			'package.json',
		]);
	});

	it('holds no secret, and no webhook URL but the documented placeholder', () => {
		const secrets = fixtureSecrets();
		expect(secrets).toEqual(['editordemo0webhook1code', 'editordemo0client0secret01']);
		const hits: string[] = [];
		const webhookPaths = new Set<string>();
		for (const file of filesUnder(unpacked)) {
			const text = readFileSync(path.join(unpacked, file), 'utf8');
			for (const secret of secrets) if (text.includes(secret)) hits.push(`${file}: ${secret}`);
			for (const match of text.matchAll(/\/rest\/\d+\/[A-Za-z0-9_]+/g)) webhookPaths.add(match[0]);
			if (/Bearer\s+[A-Za-z0-9._-]{16,}|"(access|refresh)_token"\s*:\s*"[^"]+"/.test(text)) hits.push(`${file}: token`);
			if (text.includes(ROOT) || text.includes(tmpdir() + '/')) hits.push(`${file}: build path`);
		}
		expect(hits).toEqual([]);
		expect([...webhookPaths]).toEqual(['/rest/1/abc123def456']);
	});

	it('has the package.json n8n verification expects', () => {
		const manifest = JSON.parse(readFileSync(path.join(unpacked, 'package.json'), 'utf8'));
		expect(manifest.name).toBe('n8n-nodes-bitrix24-paysystem');
		expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
		expect(manifest.license).toBe('MIT');
		expect(manifest.keywords).toContain('n8n-community-node-package');
		expect(manifest.dependencies).toBeUndefined();
		expect(manifest.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		// Optional, so that `npm install` in a nodes folder brings no copy of n8n-workflow: n8n gives its own.
		expect(manifest.peerDependenciesMeta).toEqual({ 'n8n-workflow': { optional: true } });
		expect(manifest.files).toEqual(['dist', 'CHANGELOG.md']);
		expect(manifest.engines).toEqual({ node: '>=24' });
		expect(manifest.n8n).toEqual({
			n8nNodesApiVersion: 1,
			strict: true,
			credentials: ['dist/credentials/Bitrix24OAuth2Api.credentials.js', 'dist/credentials/Bitrix24WebhookApi.credentials.js'].reverse(),
			nodes: ['dist/nodes/PaySystemInvoiceSettings/Bitrix24PaySystemInvoiceSettings.node.js', 'dist/nodes/PaySystem/Bitrix24PaySystem.node.js'],
		});
		for (const file of [...manifest.n8n.credentials, ...manifest.n8n.nodes]) expect(EXPECTED_FILES).toContain(file);
		// Install-time scripts run on every n8n that installs the package; n8n refuses them.
		expect(Object.keys(manifest.scripts).filter((name) => /^(pre|post)?install$|^prepare$/.test(name))).toEqual([]);
		expect(manifest.repository.url).toBe('git+https://github.com/n8n-nodes-bitrix24-paysystem/n8n-nodes-bitrix24-paysystem.git');
		expect(readFileSync(path.join(unpacked, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
	});

	it('ships light and dark icons, and the codex file beside the node', () => {
		const [light, dark] = ['dist/icons/bitrix24.svg', 'dist/icons/bitrix24.dark.svg'].map((icon) => readFileSync(path.join(unpacked, icon), 'utf8'));
		for (const icon of [light, dark]) expect(icon).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
		// The dark variant is drawn for n8n's dark theme, not a copy of the light one.
		expect([...light.matchAll(/fill="(#[0-9a-f]{6})"/g)].map((match) => match[1])).toEqual(['#2fc6f6', '#ffffff']);
		expect([...dark.matchAll(/fill="(#[0-9a-f]{6})"/g)].map((match) => match[1])).toEqual(['#0b6f94', '#d9f4ff']);
		const codex = JSON.parse(readFileSync(path.join(unpacked, 'dist/nodes/PaySystemInvoiceSettings/Bitrix24PaySystemInvoiceSettings.node.json'), 'utf8'));
		expect(codex.node).toBe('n8n-nodes-bitrix24-paysystem.bitrix24PaySystemInvoiceSettings');
		expect(codex.categories).toEqual(['Sales', 'Finance & Accounting']);
		expect(codex.resources.primaryDocumentation).toEqual([
			{ url: 'https://apidocs.bitrix24.com/api-reference/pay-system/sale-pay-system-settings-invoice-get.html' },
			{ url: 'https://apidocs.bitrix24.com/api-reference/pay-system/sale-pay-system-settings-payment-get.html' },
			{ url: 'https://apidocs.bitrix24.com/api-reference/crm/universal/payment/crm-item-payment-list.html' },
		]);
	});

	it("passes n8n's verification scan of the tarball", () => {
		const report = scan(unpacked, 'tarball');
		expect(report).toEqual({
			passed: true,
			message: null,
			files: EXPECTED_FILES.filter((file) => file.endsWith('.js') || file === 'package.json'),
			findings: [],
		});
	}, 60_000);
});

describe('the source n8n verification lints', () => {
	it("passes n8n's verification scan with one accepted warning", () => {
		const report = scan(ROOT, 'source');
		expect(report.message).toBeNull();
		expect(report.passed).toBe(true);
		expect(report.files).toEqual(
			[
				'credentials/Bitrix24OAuth2Api.credentials.ts',
				'credentials/Bitrix24WebhookApi.credentials.ts',
				'nodes/PaySystemInvoiceSettings/Bitrix24PaySystemInvoiceSettings.node.json',
				'nodes/PaySystem/Bitrix24PaySystem.node.json',
				...[...NODE_SOURCES, ...PAY_SYSTEM_SOURCES, ...SHARED_SOURCES].map((name) => `${name}.ts`),
				'package.json',
			].sort(),
		);
		expect(report.findings.map(({ file, ruleId, severity, message }) => ({ file, ruleId, severity, message }))).toEqual([ACCEPTED_WARNING]);
	}, 60_000);

	it('keeps eslint.config.mjs as @n8n/node-cli writes it, and no eslint-disable comment anywhere it lints', () => {
		const template = readFileSync(path.join(ROOT, 'node_modules/@n8n/node-cli/dist/template/templates/shared/default/eslint.config.mjs'), 'utf8');
		expect(readFileSync(path.join(ROOT, 'eslint.config.mjs'), 'utf8')).toBe(template);
		const sources = ['index.ts', ...['nodes', 'credentials'].flatMap((dir) => filesUnder(path.join(ROOT, dir)).map((file) => `${dir}/${file}`))];
		expect(sources.filter((file) => /eslint-disable|@ts-ignore|@ts-nocheck/.test(readFileSync(path.join(ROOT, file), 'utf8')))).toEqual([]);
	});
});
