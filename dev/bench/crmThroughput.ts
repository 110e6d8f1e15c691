/**
 * Part 1b: getForCrmItem at the standard limits: every payment's settings of N smart invoices (2
 * payments each), the node with batching against a naive client that makes every call on its own.
 */
import type { Row } from '../harness/table';
import { formatCount, formatDuration, formatMegabytes, formatRate, formatRatio, formatTable } from '../harness/table';
import { PAYMENTS_PER_INVOICE, minimumBatchRequests, naiveRequests } from './crmItems';
import type { PathName } from './protocol';
import { PATH_LABELS } from './protocol';
import type { ThroughputCell } from './throughput';
import { WARM_UP_ITEMS, cellModeFor, pacingMs, startUpLine, unmeasuredNote } from './throughput';

const PATHS: PathName[] = ['node-batch', 'naive'];
const SIZES = [100, 1_000];
const QUICK_SIZES = [100];
const TARGET_RATIO = 100;

/** The requests a correct run of the path sends: the batching minimum for the node, one per call for naive. */
function minimumRequests(path: PathName, n: number): number {
	return path === 'node-batch' ? minimumBatchRequests(n) : naiveRequests(n);
}

export function planCrmThroughput(flags: { full: boolean; quick: boolean }): ThroughputCell[] {
	return (flags.quick ? QUICK_SIZES : SIZES).flatMap((n) =>
		PATHS.map((path) => {
			const expectedPacingMs = pacingMs(minimumRequests(path, n));
			return {
				request: { path, n, workload: 'crm-item' as const, warmUp: WARM_UP_ITEMS },
				mode: cellModeFor(expectedPacingMs, flags),
				expectedPacingMs,
			};
		}),
	);
}

function rowOf(cell: ThroughputCell): Row {
	const { path, n } = cell.request;
	const lead = [formatCount(n), PATH_LABELS[path]];
	const note = unmeasuredNote(cell);
	if (note !== null || cell.result === undefined) return { lead, note: note ?? 'failed: no result' };
	const { report, requests, queryLimitExceeded } = cell.result;
	return {
		cells: [
			...lead,
			formatCount(requests),
			formatCount(minimumRequests(path, n)),
			formatCount(queryLimitExceeded),
			formatDuration(report.wallMs),
			formatCount(report.itemsOut),
			formatRate(report.itemsOut, report.wallMs),
			formatCount(report.errorItems),
			formatMegabytes(report.peakRssBytes),
			formatMegabytes(report.peakHeapBytes),
		],
	};
}

/**
 * naive / node wall time per N. A naive cell left for --full is not guessed at: its pacing alone is
 * a floor under its wall time, so the ratio is a floor too.
 */
function ratioLine(cells: ThroughputCell[]): string {
	const cellOf = (path: PathName, n: number) => cells.find((cell) => cell.request.path === path && cell.request.n === n);
	const parts = [...new Set(cells.map((cell) => cell.request.n))].flatMap((n) => {
		const naive = cellOf('naive', n);
		const node = cellOf('node-batch', n)?.result?.report.wallMs;
		if (naive === undefined || node === undefined) return [];
		if (naive.result !== undefined) return [`N=${formatCount(n)}: ${formatRatio(naive.result.report.wallMs / node)}`];
		if (naive.mode !== 'fullOnly') return [];
		return [
			`N=${formatCount(n)}: >= ${formatRatio(naive.expectedPacingMs / node)} ` +
				`(naive not run: its ${formatCount(naiveRequests(n))} requests take ${formatDuration(naive.expectedPacingMs)} of pacing alone; --full runs it)`,
		];
	});
	return `Wall time, naive / node batch on: ${parts.length > 0 ? parts.join(', ') : 'not measured'} (target >= ${TARGET_RATIO}×)`;
}

export function formatCrmThroughput(cells: ThroughputCell[]): string {
	const lines = [
		'getForCrmItem at the standard limits (2 requests/s, burst 50)',
		`Smart invoices 1000..999+N, ${PAYMENTS_PER_INVOICE} payments each (pay systems 11 and 12): 2N settings out. Each cell: a fresh`,
		`emulated portal in the parent, the path in its own child process, timed after an untimed ${WARM_UP_ITEMS}-item warm-up against a second portal.`,
		`node: batch on; at least ceil(N/50) crm.item.payment.list + ceil(${PAYMENTS_PER_INVOICE}N/50) sale.paysystem.settings.payment.get batch requests.`,
		'naive: one crm.item.payment.list POST per smart invoice, then one sale.paysystem.settings.payment.get POST per payment,',
		'plain axios paced with reserveSlot at the standard preset, nothing retried.',
	];
	const headers = ['N', 'path', 'requests', 'minimum', 'QUERY_LIMIT_EXCEEDED', 'wall', 'items out', 'items/s', 'error items', 'peak RSS', 'peak heap'];
	lines.push('', formatTable(headers, cells.map(rowOf), new Set([0, 2, 3, 4, 5, 6, 7, 8, 9, 10])), '', ratioLine(cells), startUpLine(cells, PATHS));
	return lines.join('\n');
}

/** Every run cell returned exactly its settings, and the node sent no request over the minimum. */
export function crmThroughputIsCorrect(cells: ThroughputCell[]): boolean {
	return cells.every(
		(cell) =>
			cell.mode === 'fullOnly' ||
			(cell.result !== undefined &&
				cell.result.report.errorItems === 0 &&
				(cell.request.path !== 'node-batch' || cell.result.requests === minimumRequests(cell.request.path, cell.request.n))),
	);
}
