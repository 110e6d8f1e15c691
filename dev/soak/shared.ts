/**
 * The shared-portal soak: the items split among several node runs in processes of their own, as
 * queue-mode n8n runs executions in its workers, all at once against one portal whose bucket they
 * must share. Each run is checked as a soak run is (every expected output once, exact, in input
 * order, no secret), and the portal's refusals are counted across all of them.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { BATCH_LIMIT } from '../../nodes/shared/bitrix24/transport/calls';
import { startPortal } from '../emulator/portal';
import { STANDARD_PORTAL, webhookCredentials } from '../harness/fixtures';
import { portalCounts } from '../harness/portalCounts';
import type { PortalCounts } from '../harness/portalCounts';
import { formatCount, formatDuration, formatTable } from '../harness/table';
import type { WorkflowJob, WorkflowJobResult } from '../harness/workflowProcesses';
import { runWorkflowProcesses } from '../harness/workflowProcesses';
import { invoiceWorkload } from './invoices';
import type { OutputTally } from './soak';
import { SOAK_MAX_RETRIES, checkOutputs, outputsOf, tallyRows } from './soak';
import type { SoakWorkload } from './workload';

export interface SharedSoakMix {
	name: string;
	summary: string;
	/** Node runs at once, each in a process of its own, each with its share of the items. */
	processes: number;
	/** Node options beside the defaults (batch on, 5 retries, standard pacing). */
	options?: Record<string, unknown>;
}

export const SHARED_SOAK_MIXES: readonly SharedSoakMix[] = [
	{
		name: 'shared portal',
		summary: 'no faults; 4 node runs at once in separate processes, one portal (2 requests/s, burst 50) whose bucket they share',
		processes: 4,
	},
];

/** What one run's outputs came to, checked against its share of the items. */
export interface SharedSoakRun extends OutputTally {
	items: number;
	secretHits: number;
	/** From go to the end of its run, as the run's process saw it. */
	wallMs: number;
	runError: string | null;
}

export interface SharedSoakReport {
	mix: string;
	processes: number;
	items: number;
	expectedOutputs: number;
	runs: SharedSoakRun[];
	/** Across all runs. */
	totals: Omit<SharedSoakRun, 'items' | 'wallMs' | 'runError'>;
	minimumRequests: number;
	counts: PortalCounts;
	maxSendsPerCall: number;
	/** From go to the last run done. */
	wallMs: number;
	/** What broke the runs as a whole (a process that failed), if anything did. */
	runError: string | null;
}

/** Run k's share: a contiguous slice of the items, the shares differing by one item at most. */
function shareOf(workload: SoakWorkload, run: number, runs: number): SoakWorkload {
	const size = workload.items.length;
	const [from, to] = [Math.floor((run * size) / runs), Math.floor(((run + 1) * size) / runs)];
	const items = workload.items.slice(from, to);
	const valid = items.filter((item) => typeof item.invoiceId === 'number').length;
	return { ...workload, items, expected: workload.expected.slice(from, to), minimumRequests: Math.ceil(valid / BATCH_LIMIT) };
}

function checkRun(share: SoakWorkload, result: WorkflowJobResult): SharedSoakRun {
	const output = result.output as INodeExecutionData[];
	const errorOutput = result.errorOutput as INodeExecutionData[];
	return {
		items: share.items.length,
		successItems: output.length,
		errorItems: errorOutput.length,
		...checkOutputs(share, output, errorOutput),
		secretHits: result.secretHits,
		wallMs: result.wallMs,
		runError: result.error,
	};
}

const sum = (runs: SharedSoakRun[], pick: (run: SharedSoakRun) => number) => runs.reduce((total, run) => total + pick(run), 0);

export async function runSharedSoak(mix: SharedSoakMix, itemCount: number): Promise<SharedSoakReport> {
	const workload = invoiceWorkload(itemCount);
	const shares = Array.from({ length: mix.processes }, (_, run) => shareOf(workload, run, mix.processes));
	const portal = await startPortal({ ...STANDARD_PORTAL, ...workload.portal });
	try {
		const jobs: WorkflowJob[] = shares.map((share) => ({
			parameters: { authentication: 'webhook', ...workload.parameters, options: (mix.options ?? {}) as INodeParameters },
			items: share.items as IDataObject[],
			credentials: webhookCredentials(portal.webhookUrl),
			onError: 'continueErrorOutput',
			secrets: portal.secrets(),
		}));
		let runs: SharedSoakRun[] = [];
		let wallMs = 0;
		let runError: string | null = null;
		try {
			const report = await runWorkflowProcesses(jobs);
			runs = report.workers.map(({ result }, run) => checkRun(shares[run], result));
			wallMs = report.wallMs;
		} catch (error) {
			runError = error instanceof Error ? error.message : String(error);
		}
		const sends = new Map<string, number>();
		for (const request of portal.restCalls()) for (const key of workload.callKeys(request)) sends.set(key, (sends.get(key) ?? 0) + 1);
		const expectedOutputs = workload.expected.reduce((total, entry) => total + outputsOf(entry), 0);
		const produced = sum(runs, (run) => run.successItems + run.errorItems);
		return {
			mix: mix.name,
			processes: mix.processes,
			items: workload.items.length,
			expectedOutputs,
			runs,
			totals: {
				successItems: sum(runs, (run) => run.successItems),
				errorItems: sum(runs, (run) => run.errorItems),
				// A run that never reported lost all of its share's outputs.
				lost: runs.length === 0 ? expectedOutputs : sum(runs, (run) => run.lost),
				duplicated: sum(runs, (run) => run.duplicated),
				wrong: sum(runs, (run) => run.wrong),
				outOfOrder: sum(runs, (run) => run.outOfOrder),
				secretHits: sum(runs, (run) => run.secretHits),
			},
			minimumRequests: shares.reduce((total, share) => total + share.minimumRequests, 0),
			counts: portalCounts(portal),
			maxSendsPerCall: [...sends.values()].reduce((most, count) => Math.max(most, count), 0),
			wallMs: runs.length === 0 ? 0 : wallMs,
			runError: runError ?? (produced === 0 && expectedOutputs > 0 ? 'no run returned anything' : null),
		};
	} finally {
		await portal.stop();
	}
}

/**
 * The rules, as a list of what broke them: every expected output exactly once, exact, in input order,
 * in every run; bounded sends of one call; no secret. Refusals are figures, not rules: runs that
 * share a bucket meet some while they learn how full it is.
 */
export function sharedSoakProblems(report: SharedSoakReport): string[] {
	const problems: string[] = [];
	const expect = (holds: boolean, problem: string) => {
		if (!holds) problems.push(`${report.mix}: ${problem}`);
	};
	expect(report.runError === null, `the runs failed: ${report.runError}`);
	report.runs.forEach((run, index) => expect(run.runError === null, `run ${index + 1} stopped: ${run.runError}`));
	const { totals } = report;
	expect(totals.lost === 0, `${totals.lost} outputs lost`);
	expect(totals.duplicated === 0, `${totals.duplicated} outputs duplicated`);
	expect(totals.wrong === 0, `${totals.wrong} outputs with a wrong value`);
	expect(totals.outOfOrder === 0, `${totals.outOfOrder} outputs out of input order`);
	const sendBound = 1 + SOAK_MAX_RETRIES;
	expect(report.maxSendsPerCall <= sendBound, `a call was sent ${report.maxSendsPerCall} times (bound ${sendBound})`);
	expect(totals.secretHits === 0, `${totals.secretHits} secrets found in the runs`);
	return problems;
}

export function formatSharedSoak(report: SharedSoakReport, summary: string, problems: string[]): string {
	const { totals, counts } = report;
	const share = (part: number) => `${((part / report.minimumRequests) * 100).toFixed(1)}% of the minimum`;
	const rows: Array<[string, string]> = [
		['runs at once, each in a process', `${report.processes}, ${report.runs.map((run) => formatCount(run.items)).join(' + ')} items`],
		...tallyRows(report.items, report.expectedOutputs, totals),
		['requests (minimum)', `${formatCount(counts.requests)} (${formatCount(report.minimumRequests)})`],
		['QUERY_LIMIT_EXCEEDED refusals', `${formatCount(counts.queryLimitExceeded)} (${share(counts.queryLimitExceeded)})`],
		['OPERATION_TIME_LIMIT answers', formatCount(counts.operatingLimitAnswers)],
		['most requests in flight at once', formatCount(counts.maxInFlight)],
		['most sends of one call', formatCount(report.maxSendsPerCall)],
		['secret hits', formatCount(totals.secretHits)],
		['wall time, go to last run done', formatDuration(report.wallMs)],
		['each run\'s own wall time', report.runs.map((run) => formatDuration(run.wallMs)).join(', ') || 'none'],
		['result', problems.length === 0 ? 'pass' : `FAIL: ${problems.join('; ')}`],
	];
	const table = formatTable(['figure', 'value'], rows.map(([figure, value]) => ({ cells: [figure, value] })));
	return `${report.mix}: ${summary}\n${table}`;
}
