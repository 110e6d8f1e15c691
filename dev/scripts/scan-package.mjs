// n8n's verification scan (@n8n/scan-community-package) of a folder, without the npm download:
// `node dev/scripts/scan-package.mjs DIR source` lints the source files the scanner lints in the
// provenance-attested repository; `node dev/scripts/scan-package.mjs DIR tarball` lints an unpacked
// tarball the way the scanner lints the published package. Prints JSON: the scanner's verdict, the
// files it linted and every finding.
import path from 'node:path';

import { ESLint } from 'eslint';
import glob from 'fast-glob';
import {
	analyzePackage,
	buildScanConfig,
	SOURCE_FILE_PATTERNS,
} from '@n8n/scan-community-package/scanner/scanner.mjs';

const PATTERNS = { source: SOURCE_FILE_PATTERNS, tarball: ['**/*.js', 'package.json'] };

const [dir, leg] = process.argv.slice(2);
const patterns = PATTERNS[leg];
if (!dir || !patterns) {
	console.error('Usage: node dev/scripts/scan-package.mjs DIR source|tarball');
	process.exit(2);
}
const packageDir = path.resolve(dir);

// The scanner's own verdict, then the same lint again to see which files and rules it covered.
const verdict = await analyzePackage(packageDir, patterns);
const eslint = new ESLint({
	cwd: packageDir,
	allowInlineConfig: false,
	overrideConfigFile: true,
	overrideConfig: await buildScanConfig(),
});
const files = glob.sync(patterns, { cwd: packageDir, absolute: true, ignore: ['node_modules/**', '**/package-lock.json'] });
const results = await eslint.lintFiles(files);
const findings = results.flatMap((result) =>
	result.messages.map((message) => ({
		file: path.relative(packageDir, result.filePath),
		line: message.line,
		ruleId: message.ruleId,
		severity: message.severity === 2 ? 'error' : 'warning',
		message: message.message,
	})),
);
console.log(
	JSON.stringify({
		passed: verdict.passed,
		message: verdict.message ?? null,
		files: results.map((result) => path.relative(packageDir, result.filePath)).sort(),
		findings,
	}),
);
