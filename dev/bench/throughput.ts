/** Part 1: the three paths at the standard limits, one fresh portal and one child process per cell. */
import { BATCH_LIMIT } from '../../nodes/shared/bitrix24/transport/calls';
import { SAFETY_UNITS } from '../../nodes/shared/bitrix24/limits/pacing';
import type { Row } from '../harness/table';
import { formatCount, formatDuration, formatMegabytes, formatRate, formatRatio, formatTable, median } from '../harness/table';
import type { PathName, ScenarioRequest } from './protocol';
import { PATH_LABELS } from './protocol';
import type { ScenarioResult } from './runner';
import { STANDARD_PORTAL_LIMITS, describeRequest, runScenario } from './runner';

const PATHS: PathName[] = ['node-batch', 'node-single', 'naive'];
const SIZES = [100, 1_000, 10_000];
const QUICK_SIZES = [100];
/** Cells that pace this long mostly sleep: they run side by side, in the background. */
const BACKGROUND_FROM_MS = 5 * 60_000;
/** Cells that pace this long run only with --full: the 80-minute invoice runs, the 25-minute naive getForCrmItem one. */
const FULL_ONLY_FROM_MS = 20 * 60_000;
/** Two items: the batch path runs once, and no path waits for pacing. */
export const WARM_UP_ITEMS = 2;

export type CellMode = 'foreground' | 'background' | 'fullOnly';

export interface ThroughputCell {
	request: ScenarioRequest;
	mode: CellMode;
	expectedPacingMs: number;
	result?: ScenarioResult;
	failure?: string;
}

function requestsFor(path: PathName, n: number): number {
	return path === 'node-batch' ? Math.ceil(n / BATCH_LIMIT) : n;
}

/** The burst (less the client's unit of headroom) goes at once, the rest at the drain rate. */
export function pacingMs(requests: number): number {
	const { burst, drainPerSecond } = STANDARD_PORTAL_LIMITS;
	return (Math.max(0, requests - (burst - SAFETY_UNITS)) / drainPerSecond) * 1000;
}

/** Long cells mostly sleep, so they run in the background; the longest only with --full. */
export function cellModeFor(expectedPacingMs: number, flags: { full: boolean }): CellMode {
	if (expectedPacingMs >= FULL_ONLY_FROM_MS && !flags.full) return 'fullOnly';
	return expectedPacingMs >= BACKGROUND_FROM_MS ? 'background' : 'foreground';
}

export function planThroughput(flags: { full: boolean; quick: boolean }): ThroughputCell[] {
	const cells: ThroughputCell[] = [];
	for (const n of flags.quick ? QUICK_SIZES : SIZES) {
		for (const path of PATHS) {
			const expectedPacingMs = pacingMs(requestsFor(path, n));
			cells.push({ request: { path, n, warmUp: WARM_UP_ITEMS }, mode: cellModeFor(expectedPacingMs, flags), expectedPacingMs });
		}
	}
	return cells;
}

/** Runs one cell and keeps its result or failure on it; never rejects. */
export async function runCell(cell: ThroughputCell, log: (line: string) => void): Promise<void> {
	const label = describeRequest(cell.request);
	log(`started  ${label}${cell.expectedPacingMs > 0 ? ` (pacing alone takes ~${formatDuration(cell.expectedPacingMs)})` : ''}`);
	try {
		cell.result = await runScenario(cell.request, STANDARD_PORTAL_LIMITS);
		log(`finished ${label} in ${formatDuration(cell.result.report.wallMs)}`);
	} catch (error) {
		cell.failure = error instanceof Error ? error.message : String(error);
		log(`FAILED   ${cell.failure}`);
	}
}

/** The note of a cell with no figures: not run (and why), or failed. */
export function unmeasuredNote(cell: ThroughputCell): string | null {
	if (cell.mode === 'fullOnly') {
		return `not run: ~${formatDuration(cell.expectedPacingMs)} of pacing at 2 requests/s; add --full (npm run bench -- --full)`;
	}
	return cell.result === undefined ? `failed: ${cell.failure ?? 'no result'}` : null;
}

function rowOf(cell: ThroughputCell): Row {
	const lead = [formatCount(cell.request.n), PATH_LABELS[cell.request.path]];
	const note = unmeasuredNote(cell);
	if (note !== null || cell.result === undefined) return { lead, note: note ?? 'failed: no result' };
	const { report, requests, queryLimitExceeded } = cell.result;
	return {
		cells: [
			...lead,
			formatCount(requests),
			formatCount(queryLimitExceeded),
			formatDuration(report.wallMs),
			formatRate(report.n, report.wallMs),
			formatCount(report.errorItems),
			formatMegabytes(report.peakRssBytes),
			formatMegabytes(report.peakHeapBytes),
		],
	};
}

function ratioLine(cells: ThroughputCell[]): string {
	const wallOf = (path: PathName, n: number) =>
		cells.find((cell) => cell.request.path === path && cell.request.n === n)?.result?.report.wallMs;
	const parts = [100, 1_000].flatMap((n) => {
		const naive = wallOf('naive', n);
		const batch = wallOf('node-batch', n);
		return naive === undefined || batch === undefined ? [] : [`N=${formatCount(n)}: ${formatRatio(naive / batch)}`];
	});
	return `Wall time, naive / node batch on: ${parts.length > 0 ? parts.join(', ') : 'not measured'} (target >= 100×)`;
}

/** What the table leaves out: loading the path's modules and its first (warm-up) run, medians over the cells. */
export function startUpLine(cells: ThroughputCell[], paths: readonly PathName[] = PATHS): string {
	const parts = paths.flatMap((path) => {
		const reports = cells.flatMap((cell) => (cell.request.path === path && cell.result !== undefined ? [cell.result.report] : []));
		if (reports.length === 0) return [];
		const load = median(reports.map((report) => report.loadMs));
		const firstRun = median(reports.map((report) => report.warmUpMs ?? 0));
		return [`${PATH_LABELS[path]} ${formatDuration(load)} + ${formatDuration(firstRun)}`];
	});
	return `Not timed above, per child (load modules + ${WARM_UP_ITEMS}-item first run, medians): ${parts.join('; ')}`;
}

export function formatThroughput(cells: ThroughputCell[]): string {
	const background = cells.filter((cell) => cell.mode === 'background').map((cell) => describeRequest(cell.request));
	const lines = [
		'Throughput at the standard limits (2 requests/s, burst 50)',
		'Each cell: a fresh emulated portal (bucket empty) in the parent, the path in its own child process, timed after an',
		`untimed ${WARM_UP_ITEMS}-item warm-up against a second portal; invoices 1001..1000+N of pay system 11.`,
		'Memory is the child\'s: peak RSS of the process, peak heap sampled every 5 ms.',
		'naive: one POST per item with plain axios, paced with reserveSlot at the standard preset, nothing retried.',
	];
	if (background.length > 0) {
		lines.push(`Run concurrently in the background, as they mostly sleep: ${background.join('; ')}. The rest, the overhead runs below included, ran one by one meanwhile.`);
	}
	const headers = ['N', 'path', 'requests', 'QUERY_LIMIT_EXCEEDED', 'wall', 'items/s', 'error items', 'peak RSS', 'peak heap'];
	lines.push('', formatTable(headers, cells.map(rowOf), new Set([0, 2, 3, 4, 5, 6, 7, 8])), '', ratioLine(cells), startUpLine(cells));
	return lines.join('\n');
}

export function throughputIsCorrect(cells: ThroughputCell[]): boolean {
	return cells.every((cell) => cell.mode === 'fullOnly' || (cell.result !== undefined && cell.result.report.errorItems === 0));
}
