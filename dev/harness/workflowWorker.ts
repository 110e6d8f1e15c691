/**
 * A worker of runWorkflowProcesses (workflowProcesses.ts): loads n8n-core and the built package, runs
 * the warm-up if asked, says ready, and at go runs its job through the engine.
 */
import type { ItemOut, WorkflowJob, WorkflowJobResult, WorkflowRun } from './workflowProcesses';
import { serveAsWorker } from './processes';

const itemsOut = (items: ItemOut[]): ItemOut[] => items.map(({ json, pairedItem }) => ({ json, pairedItem }));

serveAsWorker<WorkflowJob, WorkflowJobResult>(async (job) => {
	const { runWorkflow } = await import('./engine');
	const run = async (spec: WorkflowRun) =>
		await runWorkflow({ parameters: spec.parameters, items: spec.items, credentials: spec.credentials, onError: spec.onError });
	if (job.warmUp !== undefined) {
		const warmUp = await run(job.warmUp);
		if (warmUp.error !== undefined) throw new Error(`The warm-up run stopped: ${warmUp.error.message}`);
	}
	return async () => {
		const started = performance.now();
		const result = await run(job);
		const wallMs = performance.now() - started;
		const text = JSON.stringify({ run: result.run, error: result.error, nodeError: result.nodeError });
		return {
			wallMs,
			output: itemsOut(result.output),
			errorOutput: itemsOut(result.errorOutput),
			error: result.error?.message ?? null,
			secretHits: (job.secrets ?? []).filter((secret) => text.includes(secret)).length,
		};
	};
});
