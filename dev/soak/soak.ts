/**
 * One soak run: N items through n8n's engine against an emulated portal under a fault mix, then an
 * account of every expected output (per invoice, or per input item and payment), every request and
 * every secret. Figures only; the caller judges them.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { DEFAULT_CLIENT_SETTINGS } from '../../nodes/shared/bitrix24/run/options';
import type { FaultKind } from '../emulator/faults';
import type { LoggedRequest, Portal } from '../emulator/portal';
import { startPortal } from '../emulator/portal';
import { runWorkflow } from '../harness/engine';
import { STANDARD_PORTAL, oauthCredentials, webhookCredentials } from '../harness/fixtures';
import { formatCount } from '../harness/table';
import { crmItemWorkload } from './crmItems';
import { invoiceWorkload } from './invoices';
import type { SoakMix } from './mixes';
import type { Expected, SoakWorkload } from './workload';

export const SOAK_MAX_RETRIES = DEFAULT_CLIENT_SETTINGS.retryPolicy.maxRetries;

function isDeepEqual(left: unknown, right: unknown): boolean {
	return JSON.stringify(left) === JSON.stringify(right);
}

function pairedIndex(item: INodeExecutionData): number | null {
	const paired = item.pairedItem;
	if (typeof paired === 'number') return paired;
	if (paired !== undefined && !Array.isArray(paired) && typeof paired.item === 'number') return paired.item;
	return null;
}

/** What a run's outputs came to, checked against the contract for its input items. */
export interface OutputTally {
	successItems: number;
	errorItems: number;
	/** Expected outputs that did not come. */
	lost: number;
	/** Outputs beyond those expected for one input item, or pointing at no input item. */
	duplicated: number;
	/** Outputs whose value (or place among its input item's outputs) is not the one the contract gives. */
	wrong: number;
	/** Outputs that come after an output of a later input item. */
	outOfOrder: number;
}

/** The table rows of a tally, as the soak's reports print them. */
export function tallyRows(items: number, expectedOutputs: number, tally: OutputTally): Array<[string, string]> {
	return [
		['items run', formatCount(items)],
		['outputs expected', formatCount(expectedOutputs)],
		['settings items / error items', `${formatCount(tally.successItems)} / ${formatCount(tally.errorItems)}`],
		['outputs lost', formatCount(tally.lost)],
		['outputs duplicated', formatCount(tally.duplicated)],
		['outputs with a wrong value', formatCount(tally.wrong)],
		['outputs out of order', formatCount(tally.outOfOrder)],
	];
}

export interface SoakReport extends OutputTally {
	mix: string;
	items: number;
	/** Outputs the contract gives for the input items: one per invoice, or one per payment (in `settings` mode), or one error item. */
	expectedOutputs: number;
	/** REST requests the portal received. */
	requests: number;
	/** What a run with no faults sends: ceil(valid items / 50) a round of calls. */
	minimumRequests: number;
	/** Requests that met a fault (or an expired token) and so were answered with no usable result for some command. */
	faultedRequests: number;
	/** OAuth2 token refreshes n8n made. */
	refreshes: number;
	/** How often the one call sent most often (an invoice's, a payment list page's, a payment's) was sent. */
	maxSendsPerCall: number;
	/** Time from each faulted answer to the request after it, summed. */
	retryWaitMs: number;
	/** QUERY_LIMIT_EXCEEDED from the portal's own bucket, not injected: pacing failed. */
	paceRefusals: number;
	injected: Record<FaultKind, number>;
	secretHits: number;
	wallMs: number;
	/** What broke the run, if it did not finish. */
	runError: string | null;
}

function wasFaulted(request: LoggedRequest): boolean {
	return request.fault !== undefined || (request.faultedCommands ?? 0) > 0 || request.status === 401;
}

function workloadOf(mix: SoakMix, itemCount: number, options: IDataObject): SoakWorkload {
	return mix.operation === 'getForCrmItem' ? crmItemWorkload(itemCount, options) : invoiceWorkload(itemCount);
}

export async function runSoak(mix: SoakMix, itemCount: number, extraOptions: IDataObject = {}): Promise<SoakReport> {
	const options = { ...mix.options, ...extraOptions } as IDataObject;
	const workload = workloadOf(mix, itemCount, options);
	const portal: Portal = await startPortal({ ...STANDARD_PORTAL, ...workload.portal, faultMix: mix.faults });
	try {
		const credentials =
			mix.authentication === 'oAuth2' ? oauthCredentials(portal, portal.issueTokens()) : webhookCredentials(portal.webhookUrl);
		const startedAt = performance.now();
		let output: INodeExecutionData[] = [];
		let errorOutput: INodeExecutionData[] = [];
		let runError: string | null = null;
		let readable = '';
		try {
			const result = await runWorkflow({
				parameters: { authentication: mix.authentication, ...workload.parameters, options: options as INodeParameters },
				items: workload.items,
				credentials,
				onError: 'continueErrorOutput',
			});
			output = result.output;
			errorOutput = result.errorOutput;
			runError = result.error?.message ?? null;
			readable = JSON.stringify({ run: result.run, error: result.error, nodeError: result.nodeError });
		} catch (error) {
			runError = error instanceof Error ? error.message : String(error);
		}
		const wallMs = performance.now() - startedAt;
		return account({ mix, workload, output, errorOutput, portal, wallMs, runError, readable });
	} finally {
		await portal.stop();
	}
}

interface RunFacts {
	mix: SoakMix;
	workload: SoakWorkload;
	output: INodeExecutionData[];
	errorOutput: INodeExecutionData[];
	portal: Portal;
	wallMs: number;
	runError: string | null;
	readable: string;
}

export const outputsOf = (expected: Expected) => (expected.ok ? expected.outputs.length : 1);

/** Whether the k-th output of an input item, from the output or the error output, is the one the contract gives. */
function isRight(workload: SoakWorkload, expected: Expected, k: number, json: IDataObject, isErrorOutput: boolean): boolean {
	if (expected.ok) return !isErrorOutput && isDeepEqual(workload.comparable(json), expected.outputs[k]);
	const details = json.details as IDataObject | undefined;
	return isErrorOutput && json.error === expected.error && Object.entries(expected.details).every(([key, value]) => details?.[key] === value);
}

/** Each input item's outputs, counted one by one: the k-th output of item i is checked against the k-th one expected. */
export function checkOutputs(workload: SoakWorkload, output: INodeExecutionData[], errorOutput: INodeExecutionData[]) {
	const { expected } = workload;
	const produced = new Array<number>(expected.length).fill(0);
	const counts = { duplicated: 0, wrong: 0, outOfOrder: 0 };
	const check = (list: INodeExecutionData[], isErrorOutput: boolean) => {
		let previous = -1;
		for (const item of list) {
			const index = pairedIndex(item);
			if (index === null || index < 0 || index >= expected.length) {
				counts.duplicated += 1;
				continue;
			}
			if (index < previous) counts.outOfOrder += 1;
			previous = index;
			const k = produced[index]++;
			if (k >= outputsOf(expected[index])) counts.duplicated += 1;
			else if (!isRight(workload, expected[index], k, item.json, isErrorOutput)) counts.wrong += 1;
		}
	};
	check(output, false);
	check(errorOutput, true);
	const lost = expected.reduce((sum, entry, index) => sum + Math.max(0, outputsOf(entry) - produced[index]), 0);
	return { ...counts, lost };
}

function account(facts: RunFacts): SoakReport {
	const { mix, workload, output, errorOutput, portal, wallMs, runError, readable } = facts;
	const rest = portal.restCalls();
	const sends = new Map<string, number>();
	for (const request of rest) for (const key of workload.callKeys(request)) sends.set(key, (sends.get(key) ?? 0) + 1);
	let retryWaitMs = 0;
	rest.forEach((request, index) => {
		if (wasFaulted(request) && index + 1 < rest.length) retryWaitMs += rest[index + 1].at - request.at;
	});
	const text = JSON.stringify({ output, errorOutput }) + readable;
	return {
		mix: mix.name,
		items: workload.items.length,
		expectedOutputs: workload.expected.reduce((sum, entry) => sum + outputsOf(entry), 0),
		successItems: output.length,
		errorItems: errorOutput.length,
		...checkOutputs(workload, output, errorOutput),
		requests: rest.length,
		minimumRequests: workload.minimumRequests,
		faultedRequests: rest.filter(wasFaulted).length,
		refreshes: portal.tokenRequests().filter((request) => request.params.grant_type === 'refresh_token').length,
		maxSendsPerCall: [...sends.values()].reduce((most, count) => Math.max(most, count), 0),
		retryWaitMs,
		paceRefusals: rest.filter((request) => request.errorCode === 'QUERY_LIMIT_EXCEEDED' && request.fault === undefined).length,
		injected: portal.injectedFaults(),
		secretHits: portal.secrets().filter((secret) => text.includes(secret)).length,
		wallMs,
		runError,
	};
}

/**
 * The soak's rules, as a list of what broke them (empty when all hold): every expected output
 * exactly once, exact values in input order (and in the portal's payment order), every extra request paid for by one fault, bounded retries, no
 * pacing refusal, no secret.
 */
export function soakProblems(report: SoakReport): string[] {
	const problems: string[] = [];
	const expect = (holds: boolean, problem: string) => {
		if (!holds) problems.push(`${report.mix}: ${problem}`);
	};
	expect(report.runError === null, `the run failed: ${report.runError}`);
	expect(report.lost === 0, `${report.lost} outputs lost`);
	expect(report.duplicated === 0, `${report.duplicated} outputs duplicated`);
	expect(report.wrong === 0, `${report.wrong} outputs with a wrong value`);
	expect(report.outOfOrder === 0, `${report.outOfOrder} outputs out of input order`);
	expect(
		report.requests - report.minimumRequests === report.faultedRequests,
		`${report.requests - report.minimumRequests} requests over the minimum for ${report.faultedRequests} faulted requests`,
	);
	// A token refresh repeats the request once more, outside the node's own retries.
	const sendBound = 1 + SOAK_MAX_RETRIES + (report.refreshes > 0 ? 1 : 0);
	expect(report.maxSendsPerCall <= sendBound, `a call was sent ${report.maxSendsPerCall} times (bound ${sendBound})`);
	expect(report.retryWaitMs <= DEFAULT_CLIENT_SETTINGS.retryPolicy.maxTotalWaitMs + report.faultedRequests * 60_000, 'retry waits past the bound');
	expect(report.paceRefusals === 0, `${report.paceRefusals} QUERY_LIMIT_EXCEEDED from the portal's own limit`);
	expect(report.refreshes === report.injected.expiredToken, `${report.refreshes} token refreshes for ${report.injected.expiredToken} expiries`);
	expect(report.secretHits === 0, `${report.secretHits} secrets found in the run`);
	return problems;
}
