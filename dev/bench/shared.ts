/**
 * Part 3: one portal's limits shared. Several node runs in processes of their own against one bucket,
 * a run alone for comparison, batch off on a busy portal, a portal slow to answer, and an operating-time
 * budget a run needs three times over. The portal runs here in the parent, each run in a worker process
 * (dev/harness/workflowProcesses.ts), all started together.
 */
import type { IDataObject } from 'n8n-workflow';

import { BATCH_LIMIT } from '../../nodes/shared/bitrix24/transport/calls';
import type { Latency, PortalOptions } from '../emulator/portal';
import { startPortal } from '../emulator/portal';
import { byPaySystemId, invoices, webhookCredentials } from '../harness/fixtures';
import type { PortalCounts } from '../harness/portalCounts';
import { portalCounts } from '../harness/portalCounts';
import { formatDuration } from '../harness/table';
import type { ItemOut, WorkflowJob } from '../harness/workflowProcesses';
import { runWorkflowProcesses } from '../harness/workflowProcesses';
import type { BucketLimits, Floor, OperatingBudget } from './floors';
import { bucketFloor, budgetFloor, oneAtATimeFloor } from './floors';
import { STANDARD_PORTAL_LIMITS } from './runner';
import { PAY_SYSTEM_ID, invoiceIds, isExpectedSettings } from './workload';

export type SharedRowKind = 'processes' | 'alone' | 'batchOff' | 'slow' | 'operating';

export interface SharedPortal {
	limits: BucketLimits;
	latency?: Latency;
	operating?: OperatingBudget;
}

/** What a run's outputs came to: settings out, items in the error output, and outputs not as the contract gives them. */
export interface OutputCheck {
	itemsOut: number;
	errorItems: number;
	/** Settings items with a wrong value, a second time, out of input order or paired with no input, and inputs with no output at all. */
	wrong: number;
}

export interface SharedChild extends OutputCheck {
	/** From go to the end of its run, as the child saw it. */
	wallMs: number;
	error: string | null;
}

export interface SharedResult {
	/** From go to the last child done. */
	wallMs: number;
	/** From forking the children to the last one ready: loading n8n, the package and the warm-up. */
	readyMs: number;
	counts: PortalCounts;
	/** Across the children. */
	outputs: OutputCheck;
	children: SharedChild[];
}

export interface SharedRow {
	key: string;
	kind: SharedRowKind;
	title: string;
	portal: SharedPortal;
	processes: number;
	itemsPerProcess: number;
	/** The node's options; {} is the defaults. */
	options: IDataObject;
	/** Rows that take too long run only with --full. */
	fullOnly: boolean;
	/** The run mostly waits on the portal, with little work of its own: such rows run side by side. */
	waits: boolean;
	/** Requests and calls a correct run sends at the least. */
	minimumRequests: number;
	minimumCalls: number;
	floor: Floor;
	/** A second floor beside the one the row is judged by. */
	bucketFloor: Floor;
	result?: SharedResult;
	failure?: string;
}

/** The warm-up's items: the batch path runs once, and nothing waits for pacing. */
const WARM_UP_ITEMS = 2;
/** Bitrix24's standard budget of run time per method: 480 s in 10 minutes. */
const STANDARD_BUDGET: OperatingBudget = { windowSeconds: 600, budgetSeconds: 480, secondsPerCall: 0.01 };
const BUSY_PORTAL_LIMITS: BucketLimits = { drainPerSecond: 1, burst: 5 };
const SLOW_LATENCY: Latency = { perRequestMs: 200, perCallMs: 30 };
/** A compressed budget: 2 s of method time in 20 s, 0.01 s a call, so 201 calls a window. */
const COMPRESSED_BUDGET: OperatingBudget = { windowSeconds: 20, budgetSeconds: 2, secondsPerCall: 0.01 };
const QUICK_COMPRESSED_BUDGET: OperatingBudget = { windowSeconds: 10, budgetSeconds: 1, secondsPerCall: 0.01 };
/** Slow-portal runs whose one-at-a-time floor is this long run only with --full. */
const FULL_ONLY_FROM_MS = 4 * 60_000;

/** The requests of a run: batches of up to 50 calls, or one call each with batch off. */
function callsPerRequest(items: number, options: IDataObject): number[] {
	if (options.batch === false) return new Array<number>(items).fill(1);
	return Array.from({ length: Math.ceil(items / BATCH_LIMIT) }, (_, index) => Math.min(BATCH_LIMIT, items - index * BATCH_LIMIT));
}

type RowSpec = Pick<SharedRow, 'key' | 'kind' | 'title' | 'portal' | 'processes' | 'itemsPerProcess' | 'options'>;

function rowOf(spec: RowSpec): SharedRow {
	const perProcess = callsPerRequest(spec.itemsPerProcess, spec.options);
	const requests = Array.from({ length: spec.processes }, () => perProcess).flat();
	const minimumCalls = requests.reduce((sum, calls) => sum + calls, 0);
	const bucket = bucketFloor(requests.length, spec.portal.limits);
	let floor = bucket;
	if (spec.portal.latency !== undefined) floor = oneAtATimeFloor(requests, spec.portal.latency);
	if (spec.portal.operating !== undefined) floor = budgetFloor(minimumCalls, spec.portal.operating);
	const waits = spec.kind === 'batchOff' || spec.kind === 'slow' || spec.kind === 'operating';
	return { ...spec, fullOnly: false, waits, minimumRequests: requests.length, minimumCalls, floor, bucketFloor: bucket };
}

function slowRows(n: number, flags: { full: boolean }): SharedRow[] {
	const portal = { limits: STANDARD_PORTAL_LIMITS, latency: SLOW_LATENCY };
	const rows = [
		rowOf({ key: `slow-${n}`, kind: 'slow', title: 'Slow portal, default options', portal, processes: 1, itemsPerProcess: n, options: {} }),
		rowOf({
			key: `slow-${n}-one-at-a-time`,
			kind: 'slow',
			title: 'Slow portal, parallelRequests 1 (for comparison)',
			portal,
			processes: 1,
			itemsPerProcess: n,
			options: { parallelRequests: 1 },
		}),
	];
	return rows.map((row) => ({ ...row, fullOnly: !flags.full && row.floor.ms >= FULL_ONLY_FROM_MS }));
}

export function planShared(flags: { full: boolean; quick: boolean }): SharedRow[] {
	const standard = { limits: STANDARD_PORTAL_LIMITS };
	const perProcess = flags.quick ? 1_000 : 2_500;
	const budget = flags.quick ? QUICK_COMPRESSED_BUDGET : COMPRESSED_BUDGET;
	// Three budgets' worth of method time, in calls.
	const budgetCalls = Math.round((3 * budget.budgetSeconds) / budget.secondsPerCall);
	return [
		rowOf({ key: 'four-processes', kind: 'processes', title: 'Four processes, one portal', portal: standard, processes: 4, itemsPerProcess: perProcess, options: {} }),
		rowOf({ key: 'alone', kind: 'alone', title: 'A single run alone', portal: standard, processes: 1, itemsPerProcess: 4 * perProcess, options: {} }),
		rowOf({ key: 'batch-off-busy', kind: 'batchOff', title: 'Batch off on a busy portal', portal: { limits: BUSY_PORTAL_LIMITS }, processes: 1, itemsPerProcess: 30, options: { batch: false } }),
		...slowRows(flags.quick ? 250 : 1_000, flags),
		...(flags.quick ? [] : slowRows(10_000, flags)),
		rowOf({
			key: 'operating-budget',
			kind: 'operating',
			title: 'Operating budget, compressed',
			portal: { limits: STANDARD_PORTAL_LIMITS, operating: budget },
			processes: 1,
			itemsPerProcess: budgetCalls,
			options: {},
		}),
	];
}

function portalOptionsOf(portal: SharedPortal): PortalOptions {
	const operating = portal.operating ?? STANDARD_BUDGET;
	return {
		limits: portal.limits,
		latency: portal.latency ?? null,
		operatingWindowSeconds: operating.windowSeconds,
		operatingBudgetSeconds: operating.budgetSeconds,
		processingSecondsPerCall: operating.secondsPerCall,
	};
}

const pairedIndex = (item: ItemOut) => (item.pairedItem as { item?: number } | undefined)?.item;

/** Each input must come back once, as its settings or an error item, in input order. */
export function checkOutputs(ids: number[], output: ItemOut[], errorOutput: ItemOut[]): OutputCheck {
	const answered = new Set<number>();
	let wrong = 0;
	let previous = -1;
	for (const item of output) {
		const index = pairedIndex(item);
		const right = index !== undefined && index > previous && index < ids.length && isExpectedSettings(ids[index], item.json);
		if (right) answered.add(index);
		else wrong++;
		if (index !== undefined) previous = Math.max(previous, index);
	}
	for (const item of errorOutput) {
		const index = pairedIndex(item);
		if (index === undefined || index >= ids.length || answered.has(index)) wrong++;
		else answered.add(index);
	}
	return { itemsOut: output.length, errorItems: errorOutput.length, wrong: wrong + ids.length - answered.size };
}

const sumChecks = (checks: OutputCheck[]): OutputCheck => ({
	itemsOut: checks.reduce((sum, check) => sum + check.itemsOut, 0),
	errorItems: checks.reduce((sum, check) => sum + check.errorItems, 0),
	wrong: checks.reduce((sum, check) => sum + check.wrong, 0),
});

/** Child k asks for its own invoices, after those of the children before it. */
function idsOfChild(row: SharedRow, child: number): number[] {
	return invoiceIds((child + 1) * row.itemsPerProcess).slice(child * row.itemsPerProcess);
}

async function measure(row: SharedRow): Promise<SharedResult> {
	const portal = await startPortal(portalOptionsOf(row.portal));
	const warmUpPortal = await startPortal({ limits: null });
	try {
		const run = (webhookUrl: string, ids: number[]) => ({
			parameters: byPaySystemId(PAY_SYSTEM_ID, row.options),
			items: invoices(...ids),
			credentials: webhookCredentials(webhookUrl),
			onError: 'continueErrorOutput' as const,
		});
		const jobs: WorkflowJob[] = Array.from({ length: row.processes }, (_, child) => ({
			...run(portal.webhookUrl, idsOfChild(row, child)),
			warmUp: run(warmUpPortal.webhookUrl, invoiceIds(WARM_UP_ITEMS)),
		}));
		const report = await runWorkflowProcesses(jobs);
		const children = report.workers.map(({ result }, child) => ({
			wallMs: result.wallMs,
			...checkOutputs(idsOfChild(row, child), result.output, result.errorOutput),
			error: result.error,
		}));
		return { wallMs: report.wallMs, readyMs: report.readyMs, counts: portalCounts(portal), outputs: sumChecks(children), children };
	} finally {
		await Promise.all([portal.stop(), warmUpPortal.stop()]);
	}
}

export function describeShared(row: SharedRow): string {
	const size = row.processes > 1 ? `${row.processes} × ${row.itemsPerProcess.toLocaleString('en-US')}` : row.itemsPerProcess.toLocaleString('en-US');
	return `${row.title} (${size} invoices)`;
}

/** Runs one row and keeps its result or failure on it; never rejects. */
async function runRow(row: SharedRow, log: (line: string) => void): Promise<void> {
	log(`started  ${describeShared(row)}, floor ~${formatDuration(row.floor.ms)}`);
	try {
		row.result = await measure(row);
		log(`finished ${describeShared(row)} in ${formatDuration(row.result.wallMs)}`);
	} catch (error) {
		row.failure = error instanceof Error ? error.message : String(error);
		log(`FAILED   ${describeShared(row)}: ${row.failure}`);
	}
}

/**
 * Runs the four-process row and the single run one after the other, as they keep the machine busy
 * for a moment at the start; then the rows that mostly wait on their portal side by side, each with a
 * portal of its own.
 */
export async function runShared(rows: SharedRow[], log: (line: string) => void): Promise<void> {
	const run = rows.filter((row) => !row.fullOnly);
	for (const row of run.filter((each) => !each.waits)) await runRow(row, log);
	await Promise.all(run.filter((row) => row.waits).map((row) => runRow(row, log)));
}

/** Every run row came back whole: no failed child, no error item, no output wrong or missing. Time is never judged. */
export function sharedIsCorrect(rows: SharedRow[]): boolean {
	return rows.every((row) => {
		if (row.fullOnly) return true;
		const result = row.result;
		return result !== undefined && result.outputs.errorItems === 0 && result.outputs.wrong === 0 && result.children.every((child) => child.error === null);
	});
}
