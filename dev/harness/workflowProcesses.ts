/**
 * Node runs in processes of their own, as queue-mode n8n runs executions in its workers: each worker
 * runs Items -> node through n8n-core's engine (engine.ts runWorkflow) and hands back its outputs. The
 * parent judges them: this file only moves jobs and results.
 */
import { join } from 'node:path';

import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { OnError } from './engine';
import type { ProcessesReport } from './processes';
import { runProcesses } from './processes';

const WORKFLOW_WORKER = join(__dirname, 'workflowWorker.ts');

/** One run of the package's node: what runWorkflow takes, as plain data. */
export interface WorkflowRun {
	parameters: INodeParameters;
	items: IDataObject[];
	/** Decrypted credential data by credential type name. */
	credentials: Record<string, ICredentialDataDecryptedObject>;
	onError?: OnError;
}

export interface WorkflowJob extends WorkflowRun {
	/** Run once, untimed, before the worker says ready: a running n8n has long paid for cold code. */
	warmUp?: WorkflowRun;
	/** Texts the run must not hold anywhere (webhook codes, tokens): the worker counts them, never returns them. */
	secrets?: string[];
}

/** An output item as it comes back: its JSON and which input item it pairs with. */
export type ItemOut = Pick<INodeExecutionData, 'json' | 'pairedItem'>;

export interface WorkflowJobResult {
	/** From the parent's go to the end of the run, as the worker saw it. */
	wallMs: number;
	output: ItemOut[];
	/** The node's error output (with onError continueErrorOutput). */
	errorOutput: ItemOut[];
	/** The error that stopped the run, if any. */
	error: string | null;
	/** How many of the job's secrets the run's data held. */
	secretHits: number;
}

export interface WorkflowProcessesOptions {
	runTimeoutMs?: number;
}

/** Runs each job in a worker process of its own, all started together. */
export async function runWorkflowProcesses(
	jobs: WorkflowJob[],
	options: WorkflowProcessesOptions = {},
): Promise<ProcessesReport<WorkflowJobResult>> {
	return await runProcesses<WorkflowJob, WorkflowJobResult>({ entry: WORKFLOW_WORKER, jobs, runTimeoutMs: options.runTimeoutMs });
}
