/**
 * Part 1c: payment / confirm at the standard limits: N unpaid payments confirmed by the Bitrix24
 * Pay System node's checked path (read, pay.payment, read again, each batched) against a naive
 * client that sends one sale.paysystem.pay.payment per item and checks nothing.
 */
import { BATCH_LIMIT } from '../../nodes/shared/bitrix24/transport/calls';
import type { Row } from '../harness/table';
import { formatCount, formatDuration, formatRate, formatRatio, formatTable } from '../harness/table';
import { CONFIRM_PAY_SYSTEM_ID, checkedFloor } from './confirmPayments';
import { bucketFloor } from './floors';
import type { PathName } from './protocol';
import { PATH_LABELS } from './protocol';
import { STANDARD_PORTAL_LIMITS } from './runner';
import type { ThroughputCell } from './throughput';
import { WARM_UP_ITEMS, cellModeFor, pacingMs, startUpLine, unmeasuredNote } from './throughput';

const PATHS: PathName[] = ['node-batch', 'naive'];
const SIZES = [100, 1_000];
const QUICK_SIZES = [100];
const TARGET_RATIO = 100;

/** The most requests a correct run may send: three batched steps for the node, one call per item for naive. */
function requestFloor(path: PathName, n: number): number {
	return path === 'node-batch' ? checkedFloor(n) : n;
}

export function planConfirmThroughput(flags: { full: boolean; quick: boolean }): ThroughputCell[] {
	return (flags.quick ? QUICK_SIZES : SIZES).flatMap((n) =>
		PATHS.map((path) => {
			const expectedPacingMs = pacingMs(requestFloor(path, n));
			return {
				request: { path, n, workload: 'confirm' as const, warmUp: WARM_UP_ITEMS },
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
	const { report, requests, queryLimitExceeded, confirm } = cell.result;
	const steps = confirm?.steps;
	const count = (value: number | undefined) => (value === undefined ? '-' : formatCount(value));
	return {
		cells: [
			...lead,
			count(steps?.reads),
			count(steps?.pays),
			count(steps?.reReads),
			formatCount(requests),
			formatCount(requestFloor(path, n)),
			formatCount(queryLimitExceeded),
			formatDuration(report.wallMs),
			report.nodeMs === undefined ? '-' : formatDuration(report.nodeMs),
			formatRate(n, report.wallMs),
			formatCount(report.errorItems),
			count(confirm?.wrongPayments),
		],
	};
}

/** naive wall time / the node's own time, per N: what the target is about. */
function ratioLine(cells: ThroughputCell[]): string {
	const cellOf = (path: PathName, n: number) => cells.find((cell) => cell.request.path === path && cell.request.n === n);
	const parts = [...new Set(cells.map((cell) => cell.request.n))].flatMap((n) => {
		const naive = cellOf('naive', n)?.result?.report.wallMs;
		const node = cellOf('node-batch', n)?.result?.report;
		if (naive === undefined || node?.nodeMs === undefined) return [];
		return [`N=${formatCount(n)}: ${formatRatio(naive / node.nodeMs)} (over the node's wall: ${formatRatio(naive / node.wallMs)})`];
	});
	return `Naive wall / node time, batch on: ${parts.length > 0 ? parts.join(', ') : 'not measured'} (target >= ${TARGET_RATIO}×)`;
}

/** The most the portal's bucket alone lets the ratio be, where the node's requests outgrow the burst. */
function capLine(cells: ThroughputCell[]): string | null {
	const parts = [...new Set(cells.map((cell) => cell.request.n))].flatMap((n) => {
		const node = bucketFloor(requestFloor('node-batch', n), STANDARD_PORTAL_LIMITS);
		const naive = bucketFloor(requestFloor('naive', n), STANDARD_PORTAL_LIMITS);
		if (node.ms === 0) return [];
		return [`N=${formatCount(n)}: ${formatRatio(naive.ms / node.ms)} (naive >= ${formatDuration(naive.ms)}, node >= ${formatDuration(node.ms)}: ${node.how})`];
	});
	return parts.length === 0 ? null : `The bucket alone caps that ratio at ${parts.join(', ')}`;
}

export function formatConfirmThroughput(cells: ThroughputCell[]): string {
	const lines = [
		'payment / confirm at the standard limits (2 requests/s, burst 50)',
		`N unpaid payments (one per smart invoice 1000..999+N, pay system ${CONFIRM_PAY_SYSTEM_ID}), each seeded with its own sum and currency;`,
		'each item is the provider\'s callback naming that payment, its transaction, sum and currency. Each cell: a fresh emulated',
		`portal in the parent, the path in its own child process, timed after an untimed ${WARM_UP_ITEMS}-item warm-up against a second portal.`,
		`node: the Bitrix24 Pay System node in n8n's engine, default options (Check First, batch on): sale.payment.get, then`,
		`sale.paysystem.pay.payment, then sale.payment.get again, at most ceil(N/${BATCH_LIMIT}) batch requests each. node time: the node's`,
		'own execution time in the run data; wall: the whole workflow run.',
		'naive: one sale.paysystem.pay.payment POST per item, nothing read, plain axios paced with reserveSlot at the standard preset,',
		'nothing retried. Afterwards every payment must be paid by its transaction through exactly one applied pay.payment.',
	];
	const headers = [
		'N', 'path', 'reads', 'pay.payment', 're-reads', 'requests', 'floor', 'QUERY_LIMIT_EXCEEDED',
		'wall', 'node time', 'items/s', 'error items', 'payments wrong',
	];
	const rightAligned = new Set([0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
	const cap = capLine(cells);
	lines.push('', formatTable(headers, cells.map(rowOf), rightAligned), '', ratioLine(cells), ...(cap === null ? [] : [cap]), startUpLine(cells, PATHS));
	return lines.join('\n');
}

/** Every run cell confirmed every payment once and sent no request over its floor; no step of the node's over ceil(N/50). */
export function confirmThroughputIsCorrect(cells: ThroughputCell[]): boolean {
	return cells.every((cell) => {
		if (cell.mode === 'fullOnly') return true;
		const { result } = cell;
		if (result?.confirm === undefined || result.report.errorItems > 0 || result.confirm.wrongPayments > 0) return false;
		const { path, n } = cell.request;
		const perStep = Math.ceil(n / BATCH_LIMIT);
		const { reads, pays, reReads, other } = result.confirm.steps;
		const stepsWithin = path !== 'node-batch' || (reads <= perStep && pays <= perStep && reReads <= perStep && other === 0);
		return result.requests <= requestFloor(path, n) && stepsWithin;
	});
}
