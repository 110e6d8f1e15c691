/** What the parent asks of a scenario child (argv, and the webhook URL in the environment) and the JSON line it prints back. */
import { parseArgs } from 'node:util';

export const PATHS = ['node-batch', 'node-single', 'naive', 'axios-batch'] as const;
export type PathName = (typeof PATHS)[number];

export const PATH_LABELS: Readonly<Record<PathName, string>> = {
	'node-batch': 'node, batch on',
	'node-single': 'node, batch off',
	naive: 'naive',
	'axios-batch': 'axios, batch',
};

/**
 * What the N items ask for: an invoice's settings each (`get`), every payment's of a smart invoice
 * (`getForCrmItem`), or a payment confirmed (the Bitrix24 Pay System node's payment / confirm).
 */
export const WORKLOADS = ['invoice', 'crm-item', 'confirm'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/** The URLs hold the webhook code: the environment keeps them out of the process list. */
export const WEBHOOK_URL_ENV = 'BENCH_WEBHOOK_URL';
/** A second portal, without limits, for the warm-up: the measured one sees only the measured requests. */
export const WARM_UP_WEBHOOK_URL_ENV = 'BENCH_WARM_UP_WEBHOOK_URL';

export interface ScenarioRequest {
	path: PathName;
	n: number;
	/** Unset: `invoice`. */
	workload?: WorkloadName;
	/** The node's `rateLimit` option; unset leaves the node's default. */
	rateLimit?: string;
	/** Items run once, untimed, against the warm-up portal before the measured run. */
	warmUp?: number;
}

export interface ScenarioReport {
	path: PathName;
	n: number;
	/** Loading the path's modules (n8n-core and the built package, for the node). */
	loadMs: number;
	/** The warm-up's wall time: the first run in the process. */
	warmUpMs: number | null;
	wallMs: number;
	/** The node's own execution time as n8n records it (node paths only): the engine's set-up and the items node left out. */
	nodeMs?: number;
	/** Settings the path handed back: one per invoice, or one per payment. */
	itemsOut: number;
	/** Expected outputs (per invoice, or per smart invoice and payment) not exactly in place, and extra ones. */
	errorItems: number;
	/** The process's peak resident set, module loading included. */
	peakRssBytes: number;
	/** The highest heapUsed sampled during the measured run. */
	peakHeapBytes: number;
	/** heapUsed after a full GC just before the measured run. */
	baselineHeapBytes: number;
	/** heapUsed after a full GC with the run's output still held. */
	retainedHeapBytes: number;
}

export function toArgv(request: ScenarioRequest): string[] {
	const argv = ['--path', request.path, '--n', String(request.n)];
	if (request.workload !== undefined) argv.push('--workload', request.workload);
	if (request.rateLimit !== undefined) argv.push('--rate-limit', request.rateLimit);
	if (request.warmUp !== undefined) argv.push('--warm-up', String(request.warmUp));
	return argv;
}

export function fromArgv(argv: string[]): ScenarioRequest {
	const { values } = parseArgs({
		args: argv,
		options: {
			path: { type: 'string' },
			n: { type: 'string' },
			workload: { type: 'string' },
			'rate-limit': { type: 'string' },
			'warm-up': { type: 'string' },
		},
	});
	const path = PATHS.find((name) => name === values.path);
	const n = Number(values.n);
	const workload = WORKLOADS.find((name) => name === values.workload);
	if (path === undefined || !Number.isSafeInteger(n) || n < 1 || (values.workload !== undefined && workload === undefined)) {
		throw new Error(
			`Usage: scenario.ts --path ${PATHS.join('|')} --n <items> [--workload ${WORKLOADS.join('|')}] [--rate-limit <preset>] [--warm-up <items>]`,
		);
	}
	return {
		path,
		n,
		workload,
		rateLimit: values['rate-limit'],
		warmUp: values['warm-up'] === undefined ? undefined : Number(values['warm-up']),
	};
}
