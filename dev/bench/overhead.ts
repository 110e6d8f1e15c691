/** Part 2: the node's own cost over plain HTTP, against a portal without limits. */
import type { Row } from '../harness/table';
import { formatBytes, formatCount, formatDuration, formatMegabytes, formatRatio, formatTable, median } from '../harness/table';
import type { ScenarioReport, ScenarioRequest } from './protocol';
import { describeRequest, runScenario } from './runner';

const SIZES = [1_000, 10_000];
const QUICK_SIZES = [1_000];
const REPEATS = 5;
const QUICK_REPEATS = 3;
/** Untimed, so lazy setup and cold code are not counted as per-item cost: after 50 items V8 has not yet optimised the item path. */
const WARM_UP_ITEMS = 1_000;

export interface OverheadRow {
	n: number;
	node: ScenarioReport[];
	axios: ScenarioReport[];
	failures: string[];
}

export interface OverheadPlan {
	sizes: number[];
	repeats: number;
}

export function planOverhead(flags: { quick: boolean }): OverheadPlan {
	return { sizes: flags.quick ? QUICK_SIZES : SIZES, repeats: flags.quick ? QUICK_REPEATS : REPEATS };
}

export async function runOverhead(plan: OverheadPlan, log: (line: string) => void): Promise<OverheadRow[]> {
	const rows: OverheadRow[] = [];
	for (const n of plan.sizes) {
		const row: OverheadRow = { n, node: [], axios: [], failures: [] };
		rows.push(row);
		// Node and axios alternate, so a slow spell of the machine hits both alike.
		for (let repeat = 0; repeat < plan.repeats; repeat++) {
			for (const [path, reports] of [['node-batch', row.node], ['axios-batch', row.axios]] as const) {
				const request: ScenarioRequest = { path, n, warmUp: WARM_UP_ITEMS, ...(path === 'node-batch' ? { rateLimit: 'none' } : {}) };
				try {
					const { report } = await runScenario(request, null);
					reports.push(report);
					log(`overhead ${describeRequest(request)}, run ${repeat + 1}/${plan.repeats}: ${formatDuration(report.wallMs)}`);
				} catch (error) {
					row.failures.push(error instanceof Error ? error.message : String(error));
					log(`FAILED   ${row.failures[row.failures.length - 1]}`);
				}
			}
		}
	}
	return rows;
}

const retainedGrowth = (row: OverheadRow) =>
	median(row.node.map((report) => report.retainedHeapBytes - report.baselineHeapBytes));

function rowOf(row: OverheadRow): Row {
	const lead = [formatCount(row.n)];
	if (row.node.length === 0 || row.axios.length === 0) return { lead, note: `failed: ${row.failures.join('; ')}` };
	const nodeWall = median(row.node.map((report) => report.wallMs));
	const axiosWall = median(row.axios.map((report) => report.wallMs));
	const peakGrowth = median(row.node.map((report) => report.peakHeapBytes - report.baselineHeapBytes));
	const retained = retainedGrowth(row);
	return {
		cells: [
			...lead,
			formatDuration(nodeWall),
			formatDuration(axiosWall),
			formatRatio(nodeWall / axiosWall),
			formatMegabytes(peakGrowth),
			formatBytes(peakGrowth / row.n),
			formatMegabytes(retained),
			formatBytes(retained / row.n),
			formatCount(sumErrors(row)),
		],
	};
}

function sumErrors(row: OverheadRow): number {
	return [...row.node, ...row.axios].reduce((sum, report) => sum + report.errorItems, 0);
}

export function formatOverhead(plan: OverheadPlan, rows: OverheadRow[]): string {
	const lines = [
		'In-process overhead: a portal without limits',
		`node: batch on, rateLimit 'none', run by n8n-core's WorkflowExecute; axios: the same 50-command batch bodies, one after another.`,
		`Median of ${plan.repeats} runs each (node and axios alternating), each in a fresh child process against a fresh portal,`,
		`after an untimed ${formatCount(WARM_UP_ITEMS)}-item warm-up against a second portal. Heap growth is the node's, over its heap after a full GC just before the run:`,
		'at its peak (sampled every 5 ms), and retained after a full GC with the output still held.',
	];
	const headers = ['N', 'node', 'axios', 'node/axios', 'node peak heap growth', 'per item', 'retained', 'per item', 'error items'];
	lines.push('', formatTable(headers, rows.map(rowOf), new Set([0, 1, 2, 3, 4, 5, 6, 7, 8])), '');
	const marginal = marginalLine(rows);
	if (marginal !== null) lines.push(marginal);
	lines.push('Target: node/axios <= 2×.');
	return lines.join('\n');
}

/** A run also keeps a fixed amount (code, caches): the slope between two sizes is the cost of one more item. */
function marginalLine(rows: OverheadRow[]): string | null {
	const measured = rows.filter((row) => row.node.length > 0);
	if (measured.length < 2) return null;
	const [small, large] = [measured[0], measured[measured.length - 1]];
	const perItem = (retainedGrowth(large) - retainedGrowth(small)) / (large.n - small.n);
	const fixed = retainedGrowth(small) - perItem * small.n;
	return (
		`Retained heap from N=${formatCount(small.n)} to ${formatCount(large.n)}: ${formatBytes(perItem)} per extra item ` +
		`on top of a fixed ${formatMegabytes(fixed)}.`
	);
}

export function overheadIsCorrect(rows: OverheadRow[]): boolean {
	return rows.every((row) => row.failures.length === 0 && sumErrors(row) === 0);
}
