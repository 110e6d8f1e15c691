import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { runOutsideJest } from './outsideJest';

// `npm run lint` on a copy of the package with one rule broken: the lint must fail, and an
// eslint-disable comment must not hide the problem (n8n's scanner ignores such comments too).

const ROOT = path.resolve(__dirname, '../..');
const NODE_FILE = 'nodes/PaySystemInvoiceSettings/actions/get.operation.ts';

interface LintReport {
	files: string[];
	findings: Array<{ file: string; ruleId: string; severity: string; accepted: boolean }>;
	rules: Record<string, string[]>;
	strictModeProblem: string | null;
}

function lintCopy(edit: (copy: string) => void): { status: number; report: LintReport } {
	const copy = mkdtempSync(path.join(tmpdir(), 'bitrix24-lint-'));
	try {
		for (const entry of ['nodes', 'credentials', 'icons', 'index.ts', 'package.json', 'tsconfig.json', 'eslint.config.mjs']) {
			cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
		}
		symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
		edit(copy);
		try {
			const stdout = runOutsideJest(process.execPath, [path.join(ROOT, 'dev/scripts/lint.mjs'), '--json', '--root', copy]);
			return { status: 0, report: JSON.parse(stdout) };
		} catch (error) {
			const failed = error as { status: number; stdout: string };
			return { status: failed.status, report: JSON.parse(failed.stdout) };
		}
	} finally {
		rmSync(copy, { recursive: true, force: true });
	}
}

const unaccepted = (report: LintReport) =>
	report.findings.filter((finding) => !finding.accepted).map(({ file, ruleId, severity }) => ({ file, ruleId, severity }));

describe('npm run lint', () => {
	it('passes the package as it is, with the community, nodes-base, TypeScript and import rules on', () => {
		const { status, report } = lintCopy(() => undefined);
		expect(status).toBe(0);
		expect(unaccepted(report)).toEqual([]);
		expect(report.strictModeProblem).toBeNull();
		expect(Object.keys(report.rules).sort()).toEqual(['@n8n/community-nodes', '@typescript-eslint', 'eslint', 'import-x', 'n8n-nodes-base']);
		expect(report.rules['@n8n/community-nodes']).toEqual(expect.arrayContaining([
			'@n8n/community-nodes/no-restricted-globals',
			'@n8n/community-nodes/no-restricted-imports',
			'@n8n/community-nodes/no-runtime-dependencies',
			'@n8n/community-nodes/missing-paired-item',
			'@n8n/community-nodes/require-node-api-error',
		]));
	}, 60_000);

	it('fails on a Node global even under an eslint-disable comment', () => {
		const { status, report } = lintCopy((copy) => {
			const file = path.join(copy, NODE_FILE);
			writeFileSync(file, `${readFileSync(file, 'utf8')}\n// eslint-disable-next-line\nexport const later = () => setTimeout(() => undefined, 1);\n`);
		});
		expect(status).toBe(1);
		expect(unaccepted(report)).toEqual([{ file: NODE_FILE, ruleId: '@n8n/community-nodes/no-restricted-globals', severity: 'error' }]);
	}, 60_000);

	it('fails on a runtime dependency in package.json', () => {
		const { status, report } = lintCopy((copy) => {
			const file = path.join(copy, 'package.json');
			const manifest = JSON.parse(readFileSync(file, 'utf8'));
			writeFileSync(file, JSON.stringify({ ...manifest, dependencies: { axios: '1.18.0' } }, null, 2));
		});
		expect(status).toBe(1);
		expect(unaccepted(report)).toEqual([{ file: 'package.json', ruleId: '@n8n/community-nodes/no-runtime-dependencies', severity: 'error' }]);
	}, 60_000);

	it('fails when eslint.config.mjs is changed from @n8n/node-cli\'s template (strict mode)', () => {
		const { status, report } = lintCopy((copy) => {
			writeFileSync(path.join(copy, 'eslint.config.mjs'), "import { config } from '@n8n/node-cli/eslint';\n\nexport default [{ ignores: ['nodes/**'] }, ...config];\n");
		});
		expect(status).toBe(1);
		expect(report.strictModeProblem).toBe("eslint.config.mjs differs from @n8n/node-cli's template (strict mode)");
	}, 60_000);
});
