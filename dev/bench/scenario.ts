/**
 * One benchmark scenario in a process of its own, so the memory figures are this path's alone (the
 * emulated portal runs in the parent). Prints one JSON line: a ScenarioReport.
 */
import type { IDataObject } from 'n8n-workflow';

import { collectGarbage, heapUsedBytes, peakRssBytes, startHeapPeakSampler } from './memory';
import type { ScenarioReport, ScenarioRequest } from './protocol';
import { WARM_UP_WEBHOOK_URL_ENV, WEBHOOK_URL_ENV, fromArgv } from './protocol';
import { confirmPaymentIds } from './confirmPayments';
import { smartInvoiceIds } from './crmItems';
import type { PathOutcome } from './workload';
import { invoiceIds } from './workload';

function nodeOptionsOf(request: ScenarioRequest): IDataObject {
	const options: IDataObject = request.path === 'node-single' ? { batch: false } : {};
	if (request.rateLimit !== undefined) options.rateLimit = request.rateLimit;
	return options;
}

type PathRunner = (webhookUrl: string, ids: number[]) => Promise<PathOutcome>;

/** The IDs the N items carry: invoices for `get`, smart invoices for `getForCrmItem`, payments for confirm. */
function idsOf(request: ScenarioRequest, n: number): number[] {
	if (request.workload === 'confirm') return confirmPaymentIds(n);
	return request.workload === 'crm-item' ? smartInvoiceIds(n) : invoiceIds(n);
}

// Each path is loaded only when asked for, so a plain axios child never carries n8n in its memory.
async function loadPath(request: ScenarioRequest): Promise<PathRunner> {
	if (request.workload === 'crm-item') return await loadCrmItemPath(request);
	if (request.workload === 'confirm') return await loadConfirmPath(request);
	switch (request.path) {
		case 'node-batch':
		case 'node-single': {
			const { runNode } = await import('./nodePath');
			const options = nodeOptionsOf(request);
			return async (webhookUrl, ids) => await runNode(webhookUrl, ids, options);
		}
		case 'naive':
			return (await import('./naive')).runNaive;
		case 'axios-batch':
			return (await import('./axiosBatch')).runAxiosBatch;
	}
}

async function loadCrmItemPath(request: ScenarioRequest): Promise<PathRunner> {
	switch (request.path) {
		case 'node-batch':
		case 'node-single': {
			const { runNodeCrmItems } = await import('./nodePath');
			const options = nodeOptionsOf(request);
			return async (webhookUrl, ids) => await runNodeCrmItems(webhookUrl, ids, options);
		}
		case 'naive':
			return (await import('./naive')).runNaiveCrmItems;
		case 'axios-batch':
			throw new Error('The crm-item workload has no axios-batch path');
	}
}

async function loadConfirmPath(request: ScenarioRequest): Promise<PathRunner> {
	switch (request.path) {
		case 'node-batch':
		case 'node-single': {
			const { runNodeConfirm } = await import('./nodePath');
			const options = nodeOptionsOf(request);
			return async (webhookUrl, ids) => await runNodeConfirm(webhookUrl, ids, options);
		}
		case 'naive':
			return (await import('./naive')).runNaiveConfirm;
		case 'axios-batch':
			throw new Error('The confirm workload has no axios-batch path');
	}
}

function requiredEnv(name: string): string {
	const value = process.env[name];
	if (value === undefined || value === '') throw new Error(`${name} is not set`);
	return value;
}

// A first run in a process pays for lazy setup and cold code; a running n8n has paid that long before.
async function warmUp(runPath: PathRunner, request: ScenarioRequest): Promise<number | null> {
	const items = request.warmUp;
	if (items === undefined || items < 1) return null;
	const started = performance.now();
	const outcome = await runPath(requiredEnv(WARM_UP_WEBHOOK_URL_ENV), idsOf(request, items));
	if (outcome.errorItems > 0) throw new Error(`The warm-up returned ${outcome.errorItems} wrong items`);
	return performance.now() - started;
}

async function main(): Promise<void> {
	const request = fromArgv(process.argv.slice(2));
	const webhookUrl = requiredEnv(WEBHOOK_URL_ENV);
	const ids = idsOf(request, request.n);
	const loadStarted = performance.now();
	const runPath = await loadPath(request);
	const loadMs = performance.now() - loadStarted;
	const warmUpMs = await warmUp(runPath, request);

	collectGarbage();
	const baselineHeapBytes = heapUsedBytes();
	const sampler = startHeapPeakSampler();
	const started = performance.now();
	const outcome = await runPath(webhookUrl, ids);
	const wallMs = performance.now() - started;
	const peakHeapBytes = sampler.stop();
	collectGarbage();
	const retainedHeapBytes = heapUsedBytes();

	const report: ScenarioReport = {
		path: request.path,
		n: request.n,
		loadMs,
		warmUpMs,
		wallMs,
		...(outcome.nodeMs === undefined ? {} : { nodeMs: outcome.nodeMs }),
		itemsOut: outcome.itemsOut,
		// Read after the retained measurement: the output stays reachable until here.
		errorItems: outcome.errorItems,
		peakRssBytes: peakRssBytes(),
		peakHeapBytes,
		baselineHeapBytes,
		retainedHeapBytes,
	};
	process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? (error.stack ?? error.message) : error);
	process.exitCode = 1;
});
