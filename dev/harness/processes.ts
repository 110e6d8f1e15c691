/**
 * Several processes at one job each, started together: the parent forks N workers, hands each its job,
 * waits until every one has loaded what it needs and says ready, then says go to all at once, so
 * module loading does not stagger them. Each worker answers with one JSON result and exits.
 *
 * The parent side is `runProcesses`; a worker's entry script calls `serveAsWorker`. Jobs and results
 * travel over the IPC channel, never argv, so webhook codes stay out of the process list. A worker
 * exits when the parent goes away; the parent ends every worker still running when it is done,
 * also when one of them failed.
 */
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';

import { PACKAGE_ROOT } from './package';

type ToWorker<Job> = { type: 'job'; job: Job } | { type: 'go' };
type FromWorker<Result> = { type: 'ready' } | { type: 'result'; result: Result } | { type: 'failed'; message: string };

export interface ProcessesPlan<Job> {
	/** The worker's entry script: a file that calls serveAsWorker. */
	entry: string;
	/** One job per worker. */
	jobs: Job[];
	/** How long all workers may take to say ready. */
	readyTimeoutMs?: number;
	/** How long all workers may take from go to their last result. */
	runTimeoutMs?: number;
}

export interface WorkerReport<Result> {
	result: Result;
	/** From go to this worker's result, as the parent saw it. */
	doneMs: number;
}

export interface ProcessesReport<Result> {
	/** In the order of the jobs. */
	workers: Array<WorkerReport<Result>>;
	/** From the first fork to the last worker's ready. */
	readyMs: number;
	/** From go to the last worker's result. */
	wallMs: number;
}

const DEFAULT_READY_TIMEOUT_MS = 120_000;
const DEFAULT_RUN_TIMEOUT_MS = 30 * 60_000;
/** How long a worker asked to stop gets before it is killed. */
const STOP_GRACE_MS = 5_000;
const KEPT_OUTPUT_CHARS = 4_000;

/** One forked worker: its messages as promises, and the tail of what it printed. */
class Worker<Job, Result> {
	readonly ready: Promise<void>;
	readonly done: Promise<Result>;
	private output = '';
	private readonly child: ChildProcess;

	constructor(
		entry: string,
		private readonly label: string,
		job: Job,
	) {
		this.child = fork(entry, [], {
			cwd: PACKAGE_ROOT,
			execArgv: ['--import', 'tsx'],
			stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
			serialization: 'advanced',
		});
		const keep = (chunk: string) => (this.output = (this.output + chunk).slice(-KEPT_OUTPUT_CHARS));
		this.child.stdout?.setEncoding('utf8').on('data', keep);
		this.child.stderr?.setEncoding('utf8').on('data', keep);
		const exited = new Promise<string>((resolve) => {
			this.child.on('error', (error) => resolve(error.message));
			this.child.on('exit', (code, signal) => resolve(`exit ${code ?? signal}`));
		});
		const failure = (stage: string) => (reason: string) => new Error(`${this.label} ${stage}: ${this.describe(reason)}`);
		this.ready = new Promise((resolve, reject) => {
			this.child.on('message', (message: FromWorker<Result>) => {
				if (message.type === 'ready') resolve();
				if (message.type === 'failed') reject(failure('failed before it was ready')(message.message));
			});
			void exited.then((reason) => reject(failure('ended before it was ready')(reason)));
		});
		this.done = new Promise((resolve, reject) => {
			this.child.on('message', (message: FromWorker<Result>) => {
				if (message.type === 'result') resolve(message.result);
				if (message.type === 'failed') reject(failure('failed')(message.message));
			});
			void exited.then((reason) => reject(failure('ended without a result')(reason)));
		});
		// Whichever is not awaited must not surface as an unhandled rejection.
		this.ready.catch(() => undefined);
		this.done.catch(() => undefined);
		this.send({ type: 'job', job });
	}

	send(message: ToWorker<Job>): void {
		if (this.child.connected) this.child.send(message);
	}

	get running(): boolean {
		return this.child.exitCode === null && this.child.signalCode === null;
	}

	/** Asks the worker to stop, and kills it if it has not within the grace time. */
	async stop(): Promise<void> {
		if (!this.running) return;
		const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
		this.child.kill('SIGTERM');
		const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
		await exited;
		clearTimeout(timer);
	}

	private describe(reason: string): string {
		const tail = this.output.trim().split('\n').slice(-8).join('\n');
		return tail === '' ? reason : `${reason}\n${tail}`;
	}
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what} took longer than ${Math.round(ms / 1000)} s`)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Forks one worker per job, starts them together and collects their results in job order. Rejects
 * when a worker fails, ends early or the time runs out; every worker has exited when it settles.
 */
export async function runProcesses<Job, Result>(plan: ProcessesPlan<Job>): Promise<ProcessesReport<Result>> {
	const forkedAt = performance.now();
	const workers = plan.jobs.map((job, index) => new Worker<Job, Result>(plan.entry, `worker ${index + 1} of ${plan.jobs.length}`, job));
	try {
		await withTimeout(Promise.all(workers.map((worker) => worker.ready)), plan.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS, 'Loading the workers');
		const goAt = performance.now();
		for (const worker of workers) worker.send({ type: 'go' });
		const reports = workers.map((worker) => worker.done.then((result) => ({ result, doneMs: performance.now() - goAt })));
		const finished = await withTimeout(Promise.all(reports), plan.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS, 'The workers\' run');
		return { workers: finished, readyMs: goAt - forkedAt, wallMs: performance.now() - goAt };
	} finally {
		await Promise.all(workers.map((worker) => worker.stop()));
	}
}

/**
 * The worker's side: `prepare` gets the job, loads what the run needs and returns the run itself,
 * which starts only at the parent's go. The result goes back as one message, then the process exits.
 */
export function serveAsWorker<Job, Result>(prepare: (job: Job) => Promise<() => Promise<Result>>): void {
	const send = process.send?.bind(process);
	if (send === undefined) throw new Error('This script runs as a worker of runProcesses (dev/harness/processes.ts)');
	const fail = (error: unknown) => {
		const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
		send({ type: 'failed', message } satisfies FromWorker<Result>, () => process.exit(1));
	};
	let run: (() => Promise<Result>) | undefined;
	let goSaid = false;
	const start = () => {
		if (run === undefined || !goSaid) return;
		run().then((result) => send({ type: 'result', result } satisfies FromWorker<Result>, () => process.exit(0)), fail);
	};
	process.on('message', (message: ToWorker<Job>) => {
		if (message.type === 'job') {
			prepare(message.job).then((prepared) => {
				run = prepared;
				send({ type: 'ready' } satisfies FromWorker<Result>);
				start();
			}, fail);
		} else {
			goSaid = true;
			start();
		}
	});
	// An orphaned worker has no one to report to.
	process.on('disconnect', () => process.exit(1));
}
