/**
 * `npm run bench [-- --full | --quick] [--workload invoice|crm-item|confirm|shared]`: the node's throughput
 * against a rate-limited emulated portal, beside batch off and a naive per-call client, for `get`
 * (invoices) and `getForCrmItem` (smart invoices), the Pay System node's checked payment / confirm
 * beside one unchecked pay.payment call per item (`confirm`), its overhead over plain HTTP (with the invoice
 * workload), and one portal's limits shared by runs in separate processes (`shared`).
 * Prints figures and asserts nothing about time; exits non-zero only when a run returned wrong
 * results, sent more requests than it must, or failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { formatDuration } from '../harness/table';
import { confirmThroughputIsCorrect, formatConfirmThroughput, planConfirmThroughput } from './confirmThroughput';
import { crmThroughputIsCorrect, formatCrmThroughput, planCrmThroughput } from './crmThroughput';
import type { OverheadPlan, OverheadRow } from './overhead';
import { formatOverhead, overheadIsCorrect, planOverhead, runOverhead } from './overhead';
import type { WorkloadName } from './protocol';
import { WORKLOADS } from './protocol';
import type { SharedRow } from './shared';
import { planShared, runShared, sharedIsCorrect } from './shared';
import { formatShared } from './sharedReport';
import type { ThroughputCell } from './throughput';
import { formatThroughput, planThroughput, runCell, throughputIsCorrect } from './throughput';

const startedAt = performance.now();

/** Progress goes to stderr, so stdout holds only the report. */
function log(line: string): void {
	const elapsed = formatDuration(performance.now() - startedAt).padStart(10);
	process.stderr.write(`[${elapsed}] ${line}\n`);
}

/** The parts `--workload` picks: each workload's rows, and `shared`, the rows of one portal shared. */
const PARTS = [...WORKLOADS, 'shared'] as const;
type PartName = (typeof PARTS)[number];

function partsOf(wanted: string[] | undefined): PartName[] {
	if (wanted === undefined) return [...PARTS];
	const unknown = wanted.filter((name) => !PARTS.some((part) => part === name));
	if (unknown.length > 0) throw new RangeError(`No workload is named ${unknown.join(', ')}; there are: ${PARTS.join(', ')}`);
	return PARTS.filter((part) => wanted.includes(part));
}

function quickLine(throughput: boolean, overhead: boolean, shared: boolean): string {
	const parts = [
		...(throughput ? ['N = 100 only for throughput'] : []),
		...(overhead ? ['N = 1,000 for overhead'] : []),
		...(shared ? ['4 × 1,000 and 4,000 invoices, a 250-item slow portal and a 10 s budget window for the shared portal'] : []),
	];
	return `Quick run (--quick): ${parts.join(', ')}.`;
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
	const parts = partsOf(values.workload);
	const workloads = WORKLOADS.filter((workload): workload is WorkloadName => parts.includes(workload));

	const invoiceCells: ThroughputCell[] = workloads.includes('invoice') ? planThroughput(flags) : [];
	const crmCells: ThroughputCell[] = workloads.includes('crm-item') ? planCrmThroughput(flags) : [];
	const confirmCells: ThroughputCell[] = workloads.includes('confirm') ? planConfirmThroughput(flags) : [];
	const cells = [...invoiceCells, ...crmCells, ...confirmCells];
	const background = Promise.all(cells.filter((cell) => cell.mode === 'background').map((cell) => runCell(cell, log)));
	for (const cell of cells.filter((each) => each.mode === 'foreground')) await runCell(cell, log);
	const overheadPlan: OverheadPlan | null = workloads.includes('invoice') ? planOverhead(flags) : null;
	const overheadRows: OverheadRow[] = overheadPlan === null ? [] : await runOverhead(overheadPlan, log);
	// After the overhead runs, whose CPU figures a worker busy beside them would skew.
	const sharedRows: SharedRow[] = parts.includes('shared') ? planShared(flags) : [];
	await runShared(sharedRows, log);
	await background;

	const report: string[] = [];
	if (invoiceCells.length > 0) report.push(formatThroughput(invoiceCells), '');
	if (crmCells.length > 0) report.push(formatCrmThroughput(crmCells), '');
	if (confirmCells.length > 0) report.push(formatConfirmThroughput(confirmCells), '');
	if (overheadPlan !== null) report.push(formatOverhead(overheadPlan, overheadRows), '');
	if (sharedRows.length > 0) report.push(formatShared(sharedRows), '');
	if (flags.quick) report.push(quickLine(workloads.length > 0, overheadPlan !== null, sharedRows.length > 0), '');
	report.push(`Total time: ${formatDuration(performance.now() - startedAt)}`);
	process.stdout.write(`\n${report.join('\n')}\n`);

	const resultsFolder = join(__dirname, 'results');
	mkdirSync(resultsFolder, { recursive: true });
	const resultsFile = join(resultsFolder, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
	const figures = { flags, workloads: parts, throughput: invoiceCells, crmItemThroughput: crmCells, confirmThroughput: confirmCells, overhead: overheadRows, shared: sharedRows };
	writeFileSync(resultsFile, `${JSON.stringify(figures, null, '\t')}\n`);
	log(`raw figures: ${resultsFile}`);

	if (!throughputIsCorrect(invoiceCells) || !crmThroughputIsCorrect(crmCells) || !confirmThroughputIsCorrect(confirmCells) || !overheadIsCorrect(overheadRows) || !sharedIsCorrect(sharedRows)) {
		console.error('Some runs failed, returned wrong results or sent more requests than they must: see the error items above.');
		process.exitCode = 1;
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
