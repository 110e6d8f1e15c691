// The package builds without Node's types: the module's own require.
declare const require: (id: string) => unknown;

/**
 * How a failed item's `json` must look for the n8n running the node to move it to the error output
 * under "Continue (using error output)". From n8n 2.36 on (n8n-io/n8n#35939), n8n moves an item whose
 * keys are among `error`, `message` and `details`: the contract's `{error, details}`. Before (all of
 * 1.x), only `{error}` or `{error, message}`: there the item carries the hint in `message` instead of
 * `details`. n8n's own n8n-workflow, which the node gets, follows n8n's version line (n8n 2.41.1:
 * 2.41.0; n8n 1.123.81: 1.120.31): its version tells the two apart.
 */
export type ErrorItemShape = 'details' | 'message';

/** The shape an n8n whose n8n-workflow has this version routes; an unreadable version gets the one every n8n routes. */
export function errorItemShapeFor(version: unknown): ErrorItemShape {
	const match = typeof version === 'string' ? /^(\d+)\.(\d+)\./.exec(version) : null;
	if (match === null) return 'message';
	const [major, minor] = [Number(match[1]), Number(match[2])];
	return major > 2 || (major === 2 && minor >= 36) ? 'details' : 'message';
}

/** The version of the n8n-workflow n8n resolves for its nodes, or undefined when it cannot be read. */
function workflowVersion(): unknown {
	try {
		const manifest = require('n8n-workflow/package.json') as { version?: unknown } | null;
		return manifest?.version;
	} catch {
		// A package that no longer exposes its manifest: fall back to the shape every n8n routes.
		return undefined;
	}
}

export const ERROR_OUTPUT_SHAPE: ErrorItemShape = errorItemShapeFor(workflowVersion());

/** What the node tells a user of such an n8n, in the output pane, when items went to the error output. */
export const ERROR_OUTPUT_NOTICE =
	'This n8n version moves an item to the error output only when it holds nothing but "error" and "message": the error items here carry the hint in "message", without "details" (error code, HTTP status, IDs). n8n 2.36 and later keep "details"; here "Continue (regular output)" keeps them.';
