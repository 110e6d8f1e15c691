/**
 * `npm run mutate`: mutation testing folder by folder, then the score of each folder.
 *
 *   npm run mutate                         every folder, one after another
 *   npm run mutate -- --folder errors      one folder; --folder may repeat, or take a list: errors,limits
 *   npm run mutate -- --score              only print the scores of the last runs
 *   npm run mutate -- --survivors          print the scores and every mutant left alive
 *
 * Folders: errors, limits, transport, run, credentials, node, paySystemNode (dev/mutate/folders.mjs). Each folder takes
 * two passes (stryker.config.mjs): its mutants with the tests that reached them, then its static mutants
 * with its unit tests. Reports stay in reports/mutation/, with incremental files: a second run of a
 * folder tests again only the mutants whose code or tests changed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { FOLDERS } from './folders.mjs';
import { REPORTS } from './score.mjs';

const args = process.argv.slice(2);
const folders = [];
for (let index = 0; index < args.length; index++) {
	if (args[index] === '--folder') folders.push(...(args[++index] ?? '').split(',').filter((name) => name !== ''));
	else if (args[index].startsWith('--folder=')) folders.push(...args[index].slice('--folder='.length).split(','));
}
const unknown = folders.filter((folder) => !Object.hasOwn(FOLDERS, folder));
if (unknown.length > 0) {
	console.error(`Unknown folder ${unknown.join(', ')}: one of ${Object.keys(FOLDERS).join(', ')}`);
	process.exit(2);
}
const scoreOnly = args.includes('--score') || args.includes('--survivors');

// Stryker's own entry point, run with this Node.js: npx may pick another command of that name.
const STRYKER = join(dirname(createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json')), 'bin', 'stryker.js');

function run(command, commandArgs, env = {}) {
	const result = spawnSync(command, commandArgs, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0', ...env } });
	return result.status ?? 1;
}

/** Where the static mutants of the folder's first pass are, as Stryker's mutate ranges (path:line:column-line:column). */
function staticRanges(folder) {
	const path = `${REPORTS}/${folder}.json`;
	if (!existsSync(path)) return [];
	const { files } = JSON.parse(readFileSync(path, 'utf8'));
	return Object.entries(files).flatMap(([file, { mutants }]) =>
		mutants
			.filter((mutant) => mutant.status === 'Ignored')
			// The report counts columns from 1, a mutate range from 0.
			.map(({ location: { start, end } }) => `${file}:${start.line}:${start.column - 1}-${end.line}:${end.column - 1}`),
	);
}

let failed = 0;
if (!scoreOnly) {
	// The engine tests read the node's codex file from dist/; the code itself they take from the sources.
	if (run('npm', ['run', 'build', '--silent']) !== 0) process.exit(1);
	for (const folder of folders.length > 0 ? folders : Object.keys(FOLDERS)) {
		const env = { MUTATE_FOLDER: folder, BITRIX24_PACKAGE_FROM: 'sources' };
		console.log(`\n=== Mutation testing: ${folder}, every mutant but the static ones\n`);
		if (run(process.execPath, [STRYKER, 'run', 'stryker.config.mjs'], { ...env, MUTATE_PASS: 'dynamic', MUTATE_TESTS: FOLDERS[folder].tests.join(',') }) !== 0) {
			failed += 1;
			continue;
		}
		const ranges = staticRanges(folder);
		if (ranges.length === 0) continue;
		console.log(`\n=== Mutation testing: ${folder}, the ${ranges.length} static mutants\n`);
		const staticEnv = { ...env, MUTATE_PASS: 'static', MUTATE_TESTS: FOLDERS[folder].staticTests.join(','), MUTATE_RANGES: ranges.join(',') };
		if (run(process.execPath, [STRYKER, 'run', 'stryker.config.mjs'], staticEnv) !== 0) failed += 1;
	}
	console.log('');
}
run('node', ['dev/mutate/score.mjs', ...(args.includes('--survivors') ? ['--survivors'] : [])]);
process.exit(failed === 0 ? 0 : 1);
