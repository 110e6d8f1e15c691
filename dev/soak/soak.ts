/**
 * One soak run: N invoices through n8n's engine against an emulated portal under a fault mix, then
 * an account of every item, every request and every secret. Figures only; the caller judges them.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { METHOD } from '../../nodes/PaySystemInvoiceSettings/actions/get.operation';
import { BATCH_LIMIT } from '../../nodes/shared/bitrix24/calls';
import { DEFAULT_RETRY_POLICY } from '../../nodes/shared/bitrix24/retryPolicy';
import type { FaultKind } from '../emulator/faults';
import type { LoggedRequest, Portal } from '../emulator/portal';
import { startPortal } from '../emulator/portal';
import { parsePhpQuery } from '../emulator/php';
import { settingsFor } from '../emulator/seed';
import { runWorkflow } from '../harness/engine';
import { STANDARD_PORTAL, oauthCredentials, resourceLocator, webhookCredentials } from '../harness/fixtures';
import type { SoakMix } from './mixes';

/** Three pay systems on REST handlers: only those have settings a REST caller may read (13, cash, answers ACCESS_DENIED). */
const PAY_SYSTEMS = [11, 12, 14];
export const SOAK_MAX_RETRIES = DEFAULT_RETRY_POLICY.maxRetries;

/** Item i asks for invoice 1000 + i; every 500th item carries an ID that is not one. */
export function soakItems(count: number): IDataObject[] {
	return Array.from({ length: count }, (_, index) => ({
		invoiceId: index % 500 === 499 ? 'not-an-id' : 1000 + index,
		paySystem: PAY_SYSTEMS[index % PAY_SYSTEMS.length],
	}));
}

/** Invoices the portal does not have: every 101st ID. */
export function missingInvoiceIds(count: number): number[] {
	const ids: number[] = [];
	for (let id = 1000; id < 1000 + count; id++) if (id % 101 === 0) ids.push(id);
	return ids;
}

type Expected =
	| { ok: true; settings: Record<string, string> }
	| { ok: false; error: string; details: IDataObject };

/** What the contract says item i must come out as. */
function expectedFor(item: IDataObject, missing: ReadonlySet<number>): Expected {
	if (typeof item.invoiceId !== 'number') {
		return {
			ok: false,
			error: `INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got ${JSON.stringify(item.invoiceId)}`,
			details: { errorCode: 'INVALID_PARAMETER', errorDescription: null, httpCode: null, invoiceId: null },
		};
	}
	if (missing.has(item.invoiceId)) {
		return {
			ok: false,
			error: 'Bitrix24 error ERROR_INTERNAL_INVOICE_NOT_FOUND: Invoice not found',
			details: { errorCode: 'ERROR_INTERNAL_INVOICE_NOT_FOUND', errorDescription: 'Invoice not found', httpCode: null, invoiceId: item.invoiceId },
		};
	}
	return { ok: true, settings: settingsFor(Number(item.paySystem), item.invoiceId) };
}

function isDeepEqual(left: unknown, right: unknown): boolean {
	return JSON.stringify(left) === JSON.stringify(right);
}

function pairedIndex(item: INodeExecutionData): number | null {
	const paired = item.pairedItem;
	if (typeof paired === 'number') return paired;
	if (paired !== undefined && !Array.isArray(paired) && typeof paired.item === 'number') return paired.item;
	return null;
}

export interface SoakReport {
	mix: string;
	items: number;
	successItems: number;
	errorItems: number;
	/** Input items with no output item at all. */
	lost: number;
	/** Output items beyond the first for one input item, or pointing at no input item. */
	duplicated: number;
	/** Output items whose value is not the one the contract gives. */
	wrong: number;
	/** Items in an output out of input order. */
	outOfOrder: number;
	/** REST requests the portal received. */
	requests: number;
	/** ceil(valid items / 50): what a run with no faults sends. */
	minimumRequests: number;
	/** Requests that met a fault (or an expired token) and so were answered with no usable result for some command. */
	faultedRequests: number;
	/** OAuth2 token refreshes n8n made. */
	refreshes: number;
	/** How often the one invoice sent most often was sent. */
	maxSendsPerInvoice: number;
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

/** The invoice IDs one logged request carried: the batch commands' or the single call's. */
function invoicesSent(request: LoggedRequest): number[] {
	if (request.restMethod === 'batch') {
		const commands = request.params.cmd;
		const list = typeof commands === 'object' && commands !== null ? Object.values(commands as Record<string, unknown>) : [];
		return list.map((command) => {
			const text = String(command);
			return Number(parsePhpQuery(text.slice(text.indexOf('?') + 1)).INVOICE_ID);
		});
	}
	return request.restMethod === METHOD ? [Number(request.params.INVOICE_ID)] : [];
}

function wasFaulted(request: LoggedRequest): boolean {
	return request.fault !== undefined || (request.faultedCommands ?? 0) > 0 || request.status === 401;
}

export async function runSoak(mix: SoakMix, itemCount: number, extraOptions: IDataObject = {}): Promise<SoakReport> {
	const items = soakItems(itemCount);
	const missing = missingInvoiceIds(itemCount);
	const portal: Portal = await startPortal({ ...STANDARD_PORTAL, missingInvoiceIds: missing, faultMix: mix.faults });
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
				parameters: {
					authentication: mix.authentication,
					invoiceId: '={{ $json.invoiceId }}',
					paySystemBy: 'id',
					paySystemId: resourceLocator('id', '={{ $json.paySystem }}'),
					options: { ...mix.options, ...extraOptions } as INodeParameters,
				},
				items,
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
		return account({ mix, items, missing: new Set(missing), output, errorOutput, portal, wallMs, runError, readable });
	} finally {
		await portal.stop();
	}
}

interface RunFacts {
	mix: SoakMix;
	items: IDataObject[];
	missing: ReadonlySet<number>;
	output: INodeExecutionData[];
	errorOutput: INodeExecutionData[];
	portal: Portal;
	wallMs: number;
	runError: string | null;
	readable: string;
}

function account(facts: RunFacts): SoakReport {
	const { mix, items, missing, output, errorOutput, portal, wallMs, runError, readable } = facts;
	const seen = new Array<number>(items.length).fill(0);
	let duplicated = 0;
	let wrong = 0;
	let outOfOrder = 0;
	const check = (list: INodeExecutionData[], isErrorOutput: boolean) => {
		let previous = -1;
		for (const item of list) {
			const index = pairedIndex(item);
			if (index === null || index < 0 || index >= items.length) {
				duplicated += 1;
				continue;
			}
			if (index <= previous) outOfOrder += 1;
			previous = index;
			seen[index] += 1;
			if (seen[index] > 1) duplicated += 1;
			const expected = expectedFor(items[index], missing);
			const json = item.json;
			const right = expected.ok
				? !isErrorOutput && isDeepEqual(json, expected.settings)
				: isErrorOutput &&
					json.error === expected.error &&
					Object.entries(expected.details).every(([key, value]) => (json.details as IDataObject | undefined)?.[key] === value);
			if (!right) wrong += 1;
		}
	};
	check(output, false);
	check(errorOutput, true);

	const rest = portal.restCalls();
	const validItems = items.filter((item) => typeof item.invoiceId === 'number').length;
	const sends = new Map<number, number>();
	for (const request of rest) for (const id of invoicesSent(request)) sends.set(id, (sends.get(id) ?? 0) + 1);
	let retryWaitMs = 0;
	rest.forEach((request, index) => {
		if (wasFaulted(request) && index + 1 < rest.length) retryWaitMs += rest[index + 1].at - request.at;
	});
	const text = JSON.stringify({ output, errorOutput }) + readable;
	return {
		mix: mix.name,
		items: items.length,
		successItems: output.length,
		errorItems: errorOutput.length,
		lost: seen.filter((count) => count === 0).length,
		duplicated,
		wrong,
		outOfOrder,
		requests: rest.length,
		minimumRequests: Math.ceil(validItems / BATCH_LIMIT),
		faultedRequests: rest.filter(wasFaulted).length,
		refreshes: portal.tokenRequests().filter((request) => request.params.grant_type === 'refresh_token').length,
		maxSendsPerInvoice: Math.max(0, ...sends.values()),
		retryWaitMs,
		paceRefusals: rest.filter((request) => request.errorCode === 'QUERY_LIMIT_EXCEEDED' && request.fault === undefined).length,
		injected: portal.injectedFaults(),
		secretHits: portal.secrets().filter((secret) => text.includes(secret)).length,
		wallMs,
		runError,
	};
}

/**
 * The soak's rules, as a list of what broke them (empty when all hold): every item exactly once,
 * exact values in input order, every extra request paid for by one fault, bounded retries, no
 * pacing refusal, no secret.
 */
export function soakProblems(report: SoakReport): string[] {
	const problems: string[] = [];
	const expect = (holds: boolean, problem: string) => {
		if (!holds) problems.push(`${report.mix}: ${problem}`);
	};
	expect(report.runError === null, `the run failed: ${report.runError}`);
	expect(report.lost === 0, `${report.lost} items lost`);
	expect(report.duplicated === 0, `${report.duplicated} items duplicated`);
	expect(report.wrong === 0, `${report.wrong} items with a wrong value`);
	expect(report.outOfOrder === 0, `${report.outOfOrder} items out of input order`);
	expect(
		report.requests - report.minimumRequests === report.faultedRequests,
		`${report.requests - report.minimumRequests} requests over the minimum for ${report.faultedRequests} faulted requests`,
	);
	// A token refresh repeats the request once more, outside the node's own retries.
	const sendBound = 1 + SOAK_MAX_RETRIES + (report.refreshes > 0 ? 1 : 0);
	expect(report.maxSendsPerInvoice <= sendBound, `an invoice was sent ${report.maxSendsPerInvoice} times (bound ${sendBound})`);
	expect(report.retryWaitMs <= DEFAULT_RETRY_POLICY.maxTotalWaitMs + report.faultedRequests * 60_000, 'retry waits past the bound');
	expect(report.paceRefusals === 0, `${report.paceRefusals} QUERY_LIMIT_EXCEEDED from the portal's own limit`);
	expect(report.refreshes === report.injected.expiredToken, `${report.refreshes} token refreshes for ${report.injected.expiredToken} expiries`);
	expect(report.secretHits === 0, `${report.secretHits} secrets found in the run`);
	return problems;
}
