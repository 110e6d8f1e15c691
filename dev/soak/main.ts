/**
 * `npm run soak [-- --items N] [--mix NAME]`: N items (10,000 by default: invoices, or smart invoices
 * for the getForCrmItem mixes) through n8n's engine against each fault mix on a portal with the
 * standard limits, then the same invoices split among node runs in separate processes that share one
 * portal ('shared portal'), a table per mix and the time a cancel takes to stop a backoff. Exits
 * non-zero when a rule of the soak is broken.
 */
import { parseArgs } from 'node:util';

import { formatCount, formatDuration, formatTable } from '../harness/table';
import { measureCancelDuringBackoff } from './cancel';
import { SOAK_MIXES } from './mixes';
import { SHARED_SOAK_MIXES, formatSharedSoak, runSharedSoak, sharedSoakProblems } from './shared';
import type { SoakReport } from './soak';
import { runSoak, soakProblems, tallyRows } from './soak';

const startedAt = performance.now();

function log(line: string): void {
	process.stderr.write(`[${formatDuration(performance.now() - startedAt).padStart(10)}] ${line}\n`);
}

function formatInjected(report: SoakReport): string {
	const parts = Object.entries(report.injected)
		.filter(([, count]) => count > 0)
		.map(([kind, count]) => `${kind} ${formatCount(count)}`);
	return parts.length === 0 ? 'none' : parts.join(', ');
}

function formatReport(report: SoakReport, summary: string, problems: string[]): string {
	const rows: Array<[string, string]> = [
		...tallyRows(report.items, report.expectedOutputs, report),
		['requests (minimum)', `${formatCount(report.requests)} (${formatCount(report.minimumRequests)})`],
		['requests over the minimum', formatCount(report.requests - report.minimumRequests)],
		['faulted requests', formatCount(report.faultedRequests)],
		['faults injected', formatInjected(report)],
		['token refreshes', formatCount(report.refreshes)],
		['most sends of one call', formatCount(report.maxSendsPerCall)],
		['time from faults to resends', formatDuration(report.retryWaitMs)],
		['QUERY_LIMIT_EXCEEDED from pacing', formatCount(report.paceRefusals)],
		['secret hits', formatCount(report.secretHits)],
		['wall time', formatDuration(report.wallMs)],
		['result', problems.length === 0 ? 'pass' : `FAIL: ${problems.join('; ')}`],
	];
	const table = formatTable(['figure', 'value'], rows.map(([figure, value]) => ({ cells: [figure, value] })));
	return `${report.mix}: ${summary}\n${table}`;
}

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			items: { type: 'string', default: '10000' },
			mix: { type: 'string', multiple: true },
		},
	});
	const itemCount = Number(values.items);
	if (!Number.isInteger(itemCount) || itemCount < 1) throw new RangeError(`--items must be a whole number of 1 or more, got ${values.items}`);
	const wanted = values.mix;
	const mixes = wanted === undefined ? SOAK_MIXES : SOAK_MIXES.filter((mix) => wanted.includes(mix.name));
	const sharedMixes = wanted === undefined ? SHARED_SOAK_MIXES : SHARED_SOAK_MIXES.filter((mix) => wanted.includes(mix.name));
	if (mixes.length + sharedMixes.length === 0) {
		const names = [...SOAK_MIXES, ...SHARED_SOAK_MIXES].map((mix) => mix.name);
		throw new RangeError(`No mix is named ${wanted?.join(', ')}; there are: ${names.join(', ')}`);
	}

	const blocks: string[] = [];
	let failed = false;
	for (const mix of mixes) {
		log(`${mix.name}: ${formatCount(itemCount)} items`);
		const report = await runSoak(mix, itemCount);
		const problems = soakProblems(report);
		failed ||= problems.length > 0;
		const block = formatReport(report, mix.summary, problems);
		blocks.push(block);
		log(`${mix.name}: ${problems.length === 0 ? 'pass' : 'FAIL'} in ${formatDuration(report.wallMs)}`);
	}
	for (const mix of sharedMixes) {
		log(`${mix.name}: ${formatCount(itemCount)} items in ${mix.processes} processes`);
		const report = await runSharedSoak(mix, itemCount);
		const problems = sharedSoakProblems(report);
		failed ||= problems.length > 0;
		blocks.push(formatSharedSoak(report, mix.summary, problems));
		log(`${mix.name}: ${problems.length === 0 ? 'pass' : 'FAIL'} in ${formatDuration(report.wallMs)}`);
	}

	log('cancel during a backoff');
	const cancel = await measureCancelDuringBackoff();
	blocks.push(
		[
			'cancel during a backoff',
			`  the node was waiting ${formatDuration(cancel.backoffMs)} before its next try; it stopped ${formatDuration(cancel.stopMs)} after the cancel`,
			`  requests after the cancel: ${cancel.requestsAfterCancel}; error: ${cancel.message}`,
		].join('\n'),
	);
	failed ||= cancel.requestsAfterCancel !== 0 || cancel.stopMs > 1000;

	process.stdout.write(`\n${blocks.join('\n\n')}\n\nTotal time: ${formatDuration(performance.now() - startedAt)}\n`);
	if (failed) {
		console.error('The soak found broken rules: see FAIL above.');
		process.exitCode = 1;
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
