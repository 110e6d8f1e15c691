/**
 * The folders mutation testing scores one by one: the product files in each, and the tests run for its
 * mutants. A mutant runs every test of its folder's list that reached it in the first run (Stryker's
 * perTest coverage); a mutant in code that runs when a module loads (a table, a pattern, a description,
 * a "static" mutant) is reached by no test in particular, so it runs all of `staticTests`.
 *
 * Each mutant run loads every test file of the list (about a second per engine test file, for n8n-core)
 * and runs the tests that reached it, so the lists hold the tests written for the folder: its unit
 * tests, and for the folders whose code only a workflow reaches (errors, run, credentials, node) the
 * engine tests that check it through one; limits and transport are reached whole by their unit tests.
 * Left out of every list:
 * - test/engine/underLoad.test.ts (~160 s) and test/engine/secrets.test.ts (~50 s, 2,500 cases): sweeps
 *   that run the whole path for every case. Their rules are checked case by case elsewhere: redaction
 *   in test/unit/redact.test.ts and test/unit/answers.test.ts, refreshes in test/unit/tokenRotation.test.ts,
 *   retries and cancellation in test/unit/client.test.ts and test/unit/waits.test.ts.
 * - test/engine/sharedPortal.test.ts: its counts of refusals depend on timing and fail now and then on a
 *   busy machine, which Stryker would take for a killed mutant; pacing and the budget are checked without
 *   timing in test/unit/adaptivePacing.test.ts and test/unit/portalLimits.test.ts.
 * - test/engine/oauthRefreshRace.test.ts, credentials.test.ts, throughput.test.ts and
 *   hostileInputs.test.ts (15 to 50 s; a refresh, a backoff or a pacing wait of seconds in many cases):
 *   the client's loop is checked by test/unit/client.test.ts and test/unit/n8nVersions.test.ts, the
 *   credential and refreshes by test/unit/connection.test.ts and test/unit/tokenRotation.test.ts, the
 *   checks of item parameters by validation.test.ts and test/unit/itemInput.test.ts.
 * - test/engine/asTool.test.ts: the node as an AI agent's tool; the message a tool's error carries is
 *   checked by test/unit/failures.test.ts.
 * - test/emulator and test/package: they test the emulator and the packed package, not the product code.
 */
const unit = (...names) => names.map((name) => `test/unit/${name}.test.ts`);
const engine = (...names) => names.map((name) => `test/engine/${name}.test.ts`);

export const FOLDERS = {
	errors: {
		mutate: ['nodes/shared/bitrix24/errors/**/*.ts'],
		tests: [...unit('errorTable', 'redact', 'answers', 'failures', 'n8nVersions', 'getOperation', 'retryPolicy'), ...engine('errorCodes', 'errorOutput', 'stopMessage')],
		staticTests: unit('errorTable', 'redact', 'answers', 'retryPolicy'),
	},
	limits: {
		mutate: ['nodes/shared/bitrix24/limits/**/*.ts'],
		tests: unit('pacing', 'adaptivePacing', 'operatingBudget', 'portalLimits', 'waits', 'retryPolicy', 'n8nVersions', 'client'),
		staticTests: unit('pacing', 'adaptivePacing', 'operatingBudget', 'portalLimits', 'waits', 'retryPolicy', 'n8nVersions'),
	},
	transport: {
		mutate: ['nodes/shared/bitrix24/transport/**/*.ts'],
		tests: unit('answers', 'endpoint', 'connection', 'tokenRotation', 'n8nVersions', 'getOperation', 'client'),
		staticTests: unit('answers', 'endpoint', 'connection', 'tokenRotation', 'n8nVersions', 'getOperation', 'client'),
	},
	run: {
		mutate: ['nodes/shared/bitrix24/run/**/*.ts'],
		tests: [...unit('getOperation', 'itemInput', 'runner', 'options', 'nodeDescription', 'editorTexts', 'retryPolicy', 'adaptivePacing'), ...engine('validation', 'outputModes', 'errorOutput', 'stopMessage', 'batching')],
		staticTests: unit('getOperation', 'itemInput', 'options', 'nodeDescription', 'editorTexts', 'retryPolicy', 'adaptivePacing'),
	},
	credentials: {
		mutate: ['nodes/shared/bitrix24/credentials/**/*.ts', 'credentials/**/*.ts'],
		tests: [...unit('credentials', 'nodeDescription', 'editorTexts', 'endpoint'), ...engine('editor')],
		staticTests: [...unit('credentials', 'nodeDescription', 'editorTexts'), ...engine('editor')],
	},
	node: {
		mutate: ['nodes/PaySystemInvoiceSettings/**/*.ts'],
		tests: [...unit('getOperation', 'listSearch', 'nodeDescription', 'editorTexts'), ...engine('outputModes', 'payments', 'crmItemPayments', 'validation', 'editor')],
		staticTests: unit('getOperation', 'nodeDescription', 'editorTexts'),
	},
	paySystemNode: {
		mutate: ['nodes/PaySystem/**/*.ts'],
		tests: [...unit('handlerOperations', 'paySystemOperations', 'paySystemNode'), ...engine('paySystemManagement', 'paySystemErrors')],
		staticTests: unit('handlerOperations', 'paySystemOperations', 'paySystemNode'),
	},
};

/** The folder a product file belongs to, or null for a file outside them. */
export function folderOf(file) {
	const path = file.replace(/\\/g, '/');
	if (path.startsWith('credentials/')) return 'credentials';
	const shared = /^nodes\/shared\/bitrix24\/([^/]+)\//.exec(path);
	if (shared !== null) return Object.hasOwn(FOLDERS, shared[1]) ? shared[1] : null;
	if (path.startsWith('nodes/PaySystemInvoiceSettings/')) return 'node';
	if (path.startsWith('nodes/PaySystem/')) return 'paySystemNode';
	return null;
}
