/**
 * `npm run bench [-- --full | --quick]`: the node's throughput against a rate-limited emulated portal,
 * beside batch off and a naive per-item client, and its overhead over plain HTTP. Prints figures and
 * asserts nothing about time; exits non-zero only when a run returned wrong results or failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { formatDuration } from '../harness/table';
import { formatOverhead, overheadIsCorrect, planOverhead, runOverhead } from './overhead';
import { formatThroughput, planThroughput, runCell, throughputIsCorrect } from './throughput';

const startedAt = performance.now();

/** Progress goes to stderr, so stdout holds only the report. */
function log(line: string): void {
	const elapsed = formatDuration(performance.now() - startedAt).padStart(10);
	process.stderr.write(`[${elapsed}] ${line}\n`);
}

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			full: { type: 'boolean', default: false },
			quick: { type: 'boolean', default: false },
		},
	});
	const flags = { full: values.full === true, quick: values.quick === true };

	const cells = planThroughput(flags);
	const background = Promise.all(cells.filter((cell) => cell.mode === 'background').map((cell) => runCell(cell, log)));
	for (const cell of cells.filter((each) => each.mode === 'foreground')) await runCell(cell, log);
	const overheadPlan = planOverhead(flags);
	const overheadRows = await runOverhead(overheadPlan, log);
	await background;

	const report = [
		formatThroughput(cells),
		'',
		formatOverhead(overheadPlan, overheadRows),
	];
	if (flags.quick) report.push('', 'Quick run (--quick): N = 100 only for throughput, N = 1,000 for overhead.');
	report.push('', `Total time: ${formatDuration(performance.now() - startedAt)}`);
	process.stdout.write(`\n${report.join('\n')}\n`);

	const resultsFolder = join(__dirname, 'results');
	mkdirSync(resultsFolder, { recursive: true });
	const resultsFile = join(resultsFolder, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
	writeFileSync(resultsFile, `${JSON.stringify({ flags, throughput: cells, overhead: overheadRows }, null, '\t')}\n`);
	log(`raw figures: ${resultsFile}`);

	if (!throughputIsCorrect(cells) || !overheadIsCorrect(overheadRows)) {
		console.error('Some runs failed or returned wrong results: see the error items above.');
		process.exitCode = 1;
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
