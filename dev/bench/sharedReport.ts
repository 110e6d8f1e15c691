/** Part 3's report: a table of figures per row, each with its target beside it where the row has one. */
import { formatCount, formatDuration, formatRatio, formatTable } from '../harness/table';
import type { OutputCheck, SharedResult, SharedRow, SharedRowKind } from './shared';
import { describeShared } from './shared';

interface Figure {
	name: string;
	value: string;
	target?: string;
	met?: boolean;
}

/** Refusals of the four-process row, as a share of the requests a correct run needs. */
const MAX_REFUSAL_SHARE = 0.25;
const MAX_PROCESSES_FLOOR_RATIO = 1.2;
const MAX_BATCH_OFF_REFUSALS = 6;
const MAX_SLOW_FLOOR_RATIO = 0.4;
const MAX_OPERATING_REFUSALS = 3;
const MAX_BUDGET_FLOOR_RATIO = 1.15;

const RATIO_TARGETS: Partial<Record<SharedRowKind, number>> = {
	processes: MAX_PROCESSES_FLOOR_RATIO,
	slow: MAX_SLOW_FLOOR_RATIO,
	operating: MAX_BUDGET_FLOOR_RATIO,
};
const FLOOR_NAMES: Record<SharedRowKind, string> = {
	processes: 'bucket floor',
	alone: 'bucket floor',
	batchOff: 'bucket floor',
	slow: 'one-at-a-time floor',
	operating: 'budget floor',
};

const percent = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)}%`;

function portalLine(row: SharedRow): string {
	const { limits, latency, operating } = row.portal;
	const parts = [`bucket ${limits.drainPerSecond} requests/s, burst ${limits.burst}`];
	if (latency !== undefined) parts.push(`each answer held back ${latency.perRequestMs} ms + ${latency.perCallMs} ms a call`);
	if (operating !== undefined) {
		parts.push(`${operating.budgetSeconds} s of method time in ${operating.windowSeconds} s, ${operating.secondsPerCall} s a call`);
	}
	const options = Object.keys(row.options).length === 0 ? 'default options' : `options ${JSON.stringify(row.options)}`;
	return `portal: ${parts.join('; ')}. Node: ${options}${row.options.batch === false ? '' : ', batch on'}.`;
}

const outputsValue = (check: OutputCheck) =>
	`${formatCount(check.itemsOut)} / ${formatCount(check.errorItems)} / ${formatCount(check.wrong)}`;

function itemFigures(row: SharedRow, result: SharedResult): Figure[] {
	const { outputs } = result;
	const figures: Figure[] = [
		{
			name: 'settings out / error items / wrong or missing',
			value: outputsValue(outputs),
			target: '0 error items, 0 wrong',
			met: outputs.errorItems === 0 && outputs.wrong === 0,
		},
	];
	if (row.processes > 1) {
		result.children.forEach((child, index) => {
			const error = child.error === null ? '' : `, stopped: ${child.error}`;
			figures.push({ name: `  child ${index + 1}, and its own wall`, value: `${outputsValue(child)}, ${formatDuration(child.wallMs)}${error}` });
		});
	} else if (result.children[0] !== undefined && result.children[0].error !== null) {
		figures.push({ name: 'stopped by', value: result.children[0].error });
	}
	return figures;
}

function requestFigures(row: SharedRow, result: SharedResult): Figure[] {
	const { counts } = result;
	const requests: Figure = { name: 'requests (minimum)', value: `${formatCount(counts.requests)} (${formatCount(row.minimumRequests)})` };
	if (row.kind === 'alone') Object.assign(requests, { target: `= ${formatCount(row.minimumRequests)}`, met: counts.requests === row.minimumRequests });
	const share = row.kind === 'processes' ? ` (${percent(counts.queryLimitExceeded, row.minimumRequests)} of ${formatCount(row.minimumRequests)})` : '';
	const refusals: Figure = { name: 'QUERY_LIMIT_EXCEEDED refusals', value: `${formatCount(counts.queryLimitExceeded)}${share}` };
	if (row.kind === 'processes') {
		const most = Math.floor(row.minimumRequests * MAX_REFUSAL_SHARE);
		Object.assign(refusals, { target: `<= ${MAX_REFUSAL_SHARE * 100}% of ${formatCount(row.minimumRequests)} (${most})`, met: counts.queryLimitExceeded <= most });
	} else if (row.kind === 'batchOff') {
		Object.assign(refusals, { target: `<= ${MAX_BATCH_OFF_REFUSALS}`, met: counts.queryLimitExceeded <= MAX_BATCH_OFF_REFUSALS });
	} else if (row.kind !== 'operating') {
		Object.assign(refusals, { target: '0', met: counts.queryLimitExceeded === 0 });
	}
	return [requests, refusals, { name: 'most requests in flight at once', value: formatCount(counts.maxInFlight) }];
}

function operatingFigures(row: SharedRow, result: SharedResult): Figure[] {
	const { counts } = result;
	// An answer carries OPERATION_TIME_LIMIT when it refuses the whole request or commands inside a batch.
	const answers = counts.operatingLimitAnswers + counts.operatingLimitBatches;
	return [
		{
			name: 'answers carrying OPERATION_TIME_LIMIT',
			value: formatCount(answers),
			target: `<= ${MAX_OPERATING_REFUSALS}`,
			met: answers <= MAX_OPERATING_REFUSALS,
		},
		{ name: '  whole requests / batches / commands refused', value: `${formatCount(counts.operatingLimitAnswers)} / ${formatCount(counts.operatingLimitBatches)} / ${formatCount(counts.operatingLimitCommands)}` },
		{ name: 'calls sent (minimum)', value: `${formatCount(counts.callsSent)} (${formatCount(row.minimumCalls)})` },
	];
}

function timeFigures(row: SharedRow, result: SharedResult): Figure[] {
	const ratio = result.wallMs / row.floor.ms;
	const floorName = FLOOR_NAMES[row.kind];
	const figures: Figure[] = [
		{ name: row.processes > 1 ? 'wall, go to last child done' : 'wall', value: formatDuration(result.wallMs) },
		{ name: `${floorName} (below)`, value: formatDuration(row.floor.ms) },
	];
	// A run whose requests the portal refused for good did less than the floor counts on: its wall is no match for it.
	const admitted = result.counts.requests - result.counts.queryLimitExceeded - result.counts.operatingLimitAnswers;
	const short = admitted < row.minimumRequests;
	const shortNote = short ? ` (the portal admitted ${formatCount(admitted)} requests of the ${formatCount(row.minimumRequests)} a whole run needs)` : '';
	const ratioFigure: Figure = { name: `wall / ${floorName}`, value: row.floor.ms === 0 ? 'no floor' : `${formatRatio(ratio)}${shortNote}` };
	const target = RATIO_TARGETS[row.kind];
	const comparison = row.options.parallelRequests !== undefined;
	if (target !== undefined && !comparison && row.floor.ms > 0) Object.assign(ratioFigure, { target: `<= ${formatRatio(target)}`, met: ratio <= target && !short });
	figures.push(ratioFigure);
	if (row.kind === 'slow') {
		figures.push({ name: 'bucket floor (below)', value: formatDuration(row.bucketFloor.ms) });
		const held = result.counts.heldBackMs;
		figures.push({ name: 'answers held back, summed', value: held === null ? 'none' : formatDuration(held) });
	}
	return figures;
}

/** How each floor follows from the figures, under the table. */
function floorLines(row: SharedRow): string[] {
	const lines = [`  ${FLOOR_NAMES[row.kind]}: ${row.floor.how}.`];
	if (row.kind === 'slow') lines.push(`  bucket floor: ${row.bucketFloor.how}.`);
	return lines;
}

function figuresOf(row: SharedRow, result: SharedResult): Figure[] {
	return [
		...itemFigures(row, result),
		...requestFigures(row, result),
		...(row.kind === 'operating' ? operatingFigures(row, result) : []),
		...timeFigures(row, result),
	];
}

function formatRow(row: SharedRow): string {
	const heading = [describeShared(row), `  ${portalLine(row)}`];
	if (row.fullOnly) {
		const floor = `its ${FLOOR_NAMES[row.kind]} is ${formatDuration(row.floor.ms)} (${row.floor.how})`;
		return [...heading, `  not run: ${floor}; add --full (npm run bench -- --full)`].join('\n');
	}
	if (row.result === undefined) return [...heading, `  failed: ${row.failure ?? 'no result'}`].join('\n');
	const rows = figuresOf(row, row.result).map((figure) => ({
		cells: [figure.name, figure.value, figure.target ?? '', figure.met === undefined ? '' : figure.met ? 'met' : 'MISSED'],
	}));
	return [...heading, '', formatTable(['figure', 'value', 'target', 'met?'], rows), '', ...floorLines(row)].join('\n');
}

export function formatShared(rows: SharedRow[]): string {
	const lines = [
		'One portal shared: its limits against runs in separate processes, a slow portal and an operating-time budget',
		'Each row: a fresh emulated portal here in the parent, each node run in a worker process of its own (n8n-core\'s',
		'engine, the built package), all started together once every worker has loaded and run an untimed 2-item warm-up',
		'against a second portal. Invoices from 1001 on, pay system 11, onError continueErrorOutput. The four-process row and',
		'the single run go one after the other; the rest, which mostly wait on portals of their own, side by side after them.',
		'Targets are beside the figures; only error items, wrong outputs and failed runs make the bench fail.',
	];
	for (const row of rows) lines.push('', formatRow(row));
	return lines.join('\n');
}
