/**
 * `npm run bench [-- --full | --quick] [--workload invoice|crm-item]`: the node's throughput against
 * a rate-limited emulated portal, beside batch off and a naive per-call client, for `get` (invoices)
 * and `getForCrmItem` (smart invoices), and its overhead over plain HTTP (with the invoice workload).
 * Prints figures and asserts nothing about time; exits non-zero only when a run returned wrong
 * results, sent more requests than it must, or failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { formatDuration } from '../harness/table';
import { crmThroughputIsCorrect, formatCrmThroughput, planCrmThroughput } from './crmThroughput';
import type { OverheadPlan, OverheadRow } from './overhead';
import { formatOverhead, overheadIsCorrect, planOverhead, runOverhead } from './overhead';
import type { WorkloadName } from './protocol';
import { WORKLOADS } from './protocol';
import type { ThroughputCell } from './throughput';
import { formatThroughput, planThroughput, runCell, throughputIsCorrect } from './throughput';

const startedAt = performance.now();

/** Progress goes to stderr, so stdout holds only the report. */
function log(line: string): void {
	const elapsed = formatDuration(performance.now() - startedAt).padStart(10);
	process.stderr.write(`[${elapsed}] ${line}\n`);
}

function workloadsOf(wanted: string[] | undefined): WorkloadName[] {
	if (wanted === undefined) return [...WORKLOADS];
	const unknown = wanted.filter((name) => !WORKLOADS.some((workload) => workload === name));
	if (unknown.length > 0) throw new RangeError(`No workload is named ${unknown.join(', ')}; there are: ${WORKLOADS.join(', ')}`);
	return WORKLOADS.filter((workload) => wanted.includes(workload));
}

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			full: { type: 'boolean', default: false },
			quick: { type: 'boolean', default: false },
			workload: { type: 'string', multiple: true },
		},
	});
	const flags = { full: values.full === true, quick: values.quick === true };
	const workloads = workloadsOf(values.workload);

	const invoiceCells: ThroughputCell[] = workloads.includes('invoice') ? planThroughput(flags) : [];
	const crmCells: ThroughputCell[] = workloads.includes('crm-item') ? planCrmThroughput(flags) : [];
	const cells = [...invoiceCells, ...crmCells];
	const background = Promise.all(cells.filter((cell) => cell.mode === 'background').map((cell) => runCell(cell, log)));
	for (const cell of cells.filter((each) => each.mode === 'foreground')) await runCell(cell, log);
	const overheadPlan: OverheadPlan | null = workloads.includes('invoice') ? planOverhead(flags) : null;
	const overheadRows: OverheadRow[] = overheadPlan === null ? [] : await runOverhead(overheadPlan, log);
	await background;

	const report: string[] = [];
	if (invoiceCells.length > 0) report.push(formatThroughput(invoiceCells), '');
	if (crmCells.length > 0) report.push(formatCrmThroughput(crmCells), '');
	if (overheadPlan !== null) report.push(formatOverhead(overheadPlan, overheadRows), '');
	if (flags.quick) report.push(`Quick run (--quick): N = 100 only for throughput${overheadPlan === null ? '' : ', N = 1,000 for overhead'}.`, '');
	report.push(`Total time: ${formatDuration(performance.now() - startedAt)}`);
	process.stdout.write(`\n${report.join('\n')}\n`);

	const resultsFolder = join(__dirname, 'results');
	mkdirSync(resultsFolder, { recursive: true });
	const resultsFile = join(resultsFolder, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
	const figures = { flags, workloads, throughput: invoiceCells, crmItemThroughput: crmCells, overhead: overheadRows };
	writeFileSync(resultsFile, `${JSON.stringify(figures, null, '\t')}\n`);
	log(`raw figures: ${resultsFile}`);

	if (!throughputIsCorrect(invoiceCells) || !crmThroughputIsCorrect(crmCells) || !overheadIsCorrect(overheadRows)) {
		console.error('Some runs failed, returned wrong results or sent more requests than they must: see the error items above.');
		process.exitCode = 1;
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
