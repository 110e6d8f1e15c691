// The run data of an execution n8n saved in its database, read back into items per node and output.
import type { StoredExecution } from './database';

/**
 * n8n keeps a run as "flatted" JSON (the npm package flatted): a list whose first entry is the root
 * value, where every object and every string has an entry of its own and an object names each of
 * its strings and objects by the index of that entry, written as a string.
 */
export function unflatten(text: string): unknown {
	const entries = JSON.parse(text) as unknown[];
	const revived = new Map<number, unknown>();
	const entry = (index: number): unknown => {
		const value = entries[index];
		if (typeof value !== 'object' || value === null) return value;
		const known = revived.get(index);
		if (known !== undefined) return known;
		const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
		// Kept before its fields are read: a run refers back to objects it contains.
		revived.set(index, copy);
		for (const [key, field] of Object.entries(value)) (copy as Record<string, unknown>)[key] = typeof field === 'string' ? entry(Number(field)) : field;
		return copy;
	};
	return entry(0);
}

export interface StoredItem {
	json: Record<string, unknown>;
	pairedItem?: unknown;
}

interface StoredRunData {
	resultData?: {
		runData?: Record<string, Array<{ data?: { main?: Array<StoredItem[] | null> }; error?: { message?: string } }>>;
		error?: { message?: string };
	};
}

export interface StoredNodeRun {
	/** The items of each output in the node's first run (0: main, 1: the error output), [] for an output without items. */
	outputs: StoredItem[][];
	/** The node's own error, when it stopped the run. */
	error: string | null;
}

/** What a node did in a stored execution, or null when it did not run (the run's error says why). */
export function storedNodeRun(execution: StoredExecution, nodeName: string): StoredNodeRun | null {
	const run = unflatten(execution.data) as StoredRunData;
	const first = run.resultData?.runData?.[nodeName]?.[0];
	if (first === undefined) return null;
	return {
		outputs: (first.data?.main ?? []).map((items) => items ?? []),
		error: first.error?.message ?? null,
	};
}

/** The message of the error that stopped a stored execution, or null when none did. */
export function storedRunError(execution: StoredExecution): string | null {
	return (unflatten(execution.data) as StoredRunData).resultData?.error?.message ?? null;
}
