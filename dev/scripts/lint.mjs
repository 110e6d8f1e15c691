// The community-node lint: ESLint with @n8n/node-cli's configuration, unmodified, over what n8n's
// verification lints (package.json, nodes/, credentials/) plus index.ts. Inline eslint-disable
// comments are ignored, as n8n's package scanner ignores them. Fails on any error and on any warning
// not listed in ACCEPTED_WARNINGS. `--json` prints the findings and the rules that ran as JSON;
// `--root DIR` lints a copy of the package elsewhere.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ESLint } from 'eslint';

const rootArgument = process.argv.indexOf('--root');
// This file is dev/scripts/lint.mjs: the package is two folders up.
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const root = rootArgument > 0 ? path.resolve(process.argv[rootArgument + 1]) : packageRoot;

export const LINTED = ['package.json', 'nodes', 'credentials', 'index.ts'];

// docs/contract.md#webhook requires the webhook URL to be password-typed: it carries the webhook code.
export const ACCEPTED_WARNINGS = [
	{
		file: 'credentials/Bitrix24WebhookApi.credentials.ts',
		ruleId: '@n8n/community-nodes/credential-unnecessary-password',
		field: 'webhookUrl',
	},
];

/** The check `n8n-node lint` makes in strict mode: eslint.config.mjs is node-cli's template. */
async function strictModeProblem() {
	const packageJson = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
	if (packageJson.n8n?.strict !== true) return 'package.json must set "n8n": {"strict": true}';
	const template = path.join(packageRoot, 'node_modules/@n8n/node-cli/dist/template/templates/shared/default/eslint.config.mjs');
	const normalise = (text) => text.replace(/\s+/g, ' ').trim();
	const expected = normalise(await readFile(template, 'utf8'));
	const actual = normalise(await readFile(path.join(root, 'eslint.config.mjs'), 'utf8'));
	return actual === expected ? null : 'eslint.config.mjs differs from @n8n/node-cli\'s template (strict mode)';
}

/** Rule ids that are on for a file, by family (the plugin prefix, or "eslint" for core rules). */
function rulesByFamily(config) {
	const families = {};
	for (const [ruleId, entry] of Object.entries(config.rules ?? {})) {
		const severity = Array.isArray(entry) ? entry[0] : entry;
		if (severity === 0 || severity === 'off') continue;
		const family = ruleId.includes('/') ? ruleId.slice(0, ruleId.lastIndexOf('/')) : 'eslint';
		(families[family] ??= []).push(ruleId);
	}
	for (const rules of Object.values(families)) rules.sort();
	return families;
}

function isAccepted(file, message) {
	return ACCEPTED_WARNINGS.some(
		(accepted) =>
			message.severity === 1 &&
			accepted.file === file &&
			accepted.ruleId === message.ruleId &&
			message.message.includes(`'${accepted.field}'`),
	);
}

export async function lintPackage() {
	// As `n8n-node lint` does: a changed configuration is refused before anything is linted.
	const strictProblem = await strictModeProblem();
	if (strictProblem) return { files: [], findings: [], rules: {}, strictModeProblem: strictProblem, formatted: '' };
	const eslint = new ESLint({ cwd: root, allowInlineConfig: false });
	const results = await eslint.lintFiles(LINTED);
	const files = results.map((result) => path.relative(root, result.filePath)).sort();
	const findings = results.flatMap((result) =>
		result.messages.map((message) => {
			const file = path.relative(root, result.filePath);
			return {
				file,
				line: message.line,
				ruleId: message.ruleId,
				severity: message.severity === 2 ? 'error' : 'warning',
				message: message.message,
				accepted: isAccepted(file, message),
			};
		}),
	);
	const rules = {};
	for (const file of files) {
		for (const [family, ids] of Object.entries(rulesByFamily(await eslint.calculateConfigForFile(path.join(root, file))))) {
			rules[family] = [...new Set([...(rules[family] ?? []), ...ids])].sort();
		}
	}
	return { files, findings, rules, strictModeProblem: null, formatted: await (await eslint.loadFormatter('stylish')).format(results) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const report = await lintPackage();
	const failures = report.findings.filter((finding) => !finding.accepted);
	if (process.argv.includes('--json')) {
		console.log(JSON.stringify(report, (key, value) => (key === 'formatted' ? undefined : value), 2));
	} else {
		process.stdout.write(report.formatted);
		console.log(`Linted ${report.files.length} files with @n8n/node-cli's configuration:`);
		for (const [family, ids] of Object.entries(report.rules).sort()) console.log(`  ${family}: ${ids.length} rules`);
		const accepted = report.findings.length - failures.length;
		if (accepted > 0) console.log(`${accepted} accepted warning(s): see ACCEPTED_WARNINGS in dev/scripts/lint.mjs`);
	}
	if (report.strictModeProblem) console.error(report.strictModeProblem);
	if (failures.length > 0 || report.strictModeProblem) process.exit(1);
}
