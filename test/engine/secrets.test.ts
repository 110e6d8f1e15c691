import { FaultDraw } from '../../dev/emulator/faults';
import type { Portal } from '../../dev/emulator/portal';
import { startPortal } from '../../dev/emulator/portal';
import { runWorkflow } from '../../dev/harness/engine';
import type { OnError } from '../../dev/harness/engine';
import { resetPortalPacing } from '../../dev/harness/package';
import { CONTRACT_ERROR_CODES } from '../contract/errorCodes';
import { STANDARD_PORTAL, byPaySystemId, invoices, usePortal, webhookCredentials } from '../support';
import type { Authentication, OAuthTokens, SweepCase } from './secretSweep';
import {
	BATCH_COMMAND_PLACE,
	COMMAND_FAULT_KINDS,
	ECHO_MARK,
	ON_ERRORS,
	READABLE_PLACES,
	RECEIVED_PLACES,
	REQUEST_FAULT_KINDS,
	answerEveryCall,
	caseEchoes,
	classifiedSecrets,
	coverage,
	echoOf,
	expectEchoShown,
	note,
	noteInjectedFaults,
	oauthCredential,
	runNode,
	savedTokens,
	sweep,
	webhookCredential,
} from './secretSweep';
import type { SweptOperation } from './sweptOperations';
import { LIST_METHOD, METHOD, PAYMENT_METHOD, SWEPT_OPERATIONS, aimAt, aimedMix, methodsOf } from './sweptOperations';

const requestFaultCases: SweepCase[] = REQUEST_FAULT_KINDS.map((kind) => ({
	name: `${kind} on every request`,
	async run(context) {
		// A slow answer comes after the node's timeout; a storm or a time limit ends soon after the run.
		context.portal.injectFaults(aimedMix(context.operation, context.batch, { [kind]: 1, slowDelayMs: 400, stormSeconds: 1, operatingResetSeconds: 1 }, false));
		const result = await runNode(context, { options: kind === 'slow' ? { timeout: 150 } : {} });
		expect(context.portal.injectedFaults()[kind]).toBeGreaterThan(0);
		noteInjectedFaults(context.portal);
		return [result];
	},
}));

const errorCodeCases: SweepCase[] = CONTRACT_ERROR_CODES.map(([code, status]) => ({
	name: `${code} (HTTP ${status}) echoing the request URL and the secrets`,
	async run(context) {
		answerEveryCall(context, (echo) => ({ status, json: { error: code, error_description: echo } }));
		const results = [await runNode(context)];
		expectEchoShown(results, context);
		return results;
	},
}));

const SWEEP_CASES: SweepCase[] = [
	{
		name: 'a portal without faults',
		async run(context) {
			return [await runNode(context)];
		},
	},
	...requestFaultCases,
	{
		name: 'batch command faults on every command',
		only: { batch: true },
		async run(context) {
			context.portal.injectFaults(aimedMix(context.operation, context.batch, { seed: 3, commandFaults: 1 }, true));
			const result = await runNode(context, { items: [...context.operation.valid(6), ...context.operation.failing] });
			const injected = context.portal.injectedFaults();
			expect(COMMAND_FAULT_KINDS.map((kind) => injected[kind] > 0)).toEqual([true, true, true]);
			noteInjectedFaults(context.portal);
			return [result];
		},
	},
	{
		name: 'tokens expiring mid-run, then a portal echoing the refreshed tokens',
		only: { authentication: 'oAuth2' },
		async run(context) {
			// The second call of the run meets an expired token: n8n refreshes it and the call is repeated.
			context.portal.injectFaults({ expireTokensEvery: 2 });
			const { valid, failing } = context.operation;
			// One request at a time, so that each expiry meets its own refresh.
			const first = await runNode(context, { items: [...valid(context.batch ? 50 : 1), ...failing], options: { parallelRequests: 1 } });
			expect(context.portal.injectedFaults().expiredToken).toBeGreaterThan(0);
			noteInjectedFaults(context.portal);
			// One refresh for each expiry: the requests of the run go one after another.
			expect(first.credentialsHelper.saved).toHaveLength(context.portal.injectedFaults().expiredToken);
			// The next run uses the token n8n saved last, and the portal echoes the new tokens back.
			const stored = first.credentialsHelper.saved[first.credentialsHelper.saved.length - 1].data;
			const refreshed = oauthCredential(context.portal, stored.oauthTokenData as unknown as OAuthTokens, stored);
			context.portal.injectFaults(null);
			aimAt(context.portal, context.operation, context.batch, { status: 400, json: { error: 'ERROR_CHECK_FAILURE', error_description: echoOf(context, refreshed) } });
			const second = await runNode(context, { credentials: refreshed.credentials, items: valid(2) });
			expectEchoShown([second], context);
			return [first, second];
		},
	},
	...errorCodeCases,
	{
		name: 'an error code that itself echoes the request URL and the secrets',
		async run(context) {
			answerEveryCall(context, (echo) => ({ status: 400, json: { error: echo, error_description: 'Bad request' } }));
			const results = [await runNode(context)];
			expectEchoShown(results, context);
			return results;
		},
	},
	{
		name: 'every error code inside a batch answer, and one that is an echo, each echoing the request URL and the secrets',
		only: { batch: true },
		async run(context) {
			const echo = echoOf(context);
			// The node keys its commands i0, i1, ... in input order; the last command's code is the echo itself.
			const codes = [...CONTRACT_ERROR_CODES.map(([code]) => code), echo];
			// crm.item.* sends its codes as JSON numbers.
			const resultError = Object.fromEntries(codes.map((code, index) => [`i${index}`, { error: /^\d+$/.test(code) ? Number(code) : code, error_description: echo }]));
			const skip = context.operation.target?.batchesBefore ?? 0;
			context.portal.addFault({
				restMethod: 'batch',
				skip,
				response: { status: 200, json: { result: { result: [], result_error: resultError, result_total: [], result_next: [], result_time: [] }, time: {} } },
			});
			const results = [await runNode(context, { items: context.operation.valid(codes.length) })];
			expectEchoShown(results, context);
			return results;
		},
	},
	...[403, 502].map((status): SweepCase => ({
		name: `an HTML error page with HTTP ${status} echoing the request URL and the secrets`,
		async run(context) {
			answerEveryCall(context, (echo) => ({ status, body: `<html><body><h1>Error</h1><p>${echo}</p></body></html>`, contentType: 'text/html; charset=utf-8' }));
			return [await runNode(context)];
		},
	})),
];

const casesFor = (authentication: Authentication, batch: boolean) =>
	SWEEP_CASES.filter(({ only }) => (only?.authentication ?? authentication) === authentication && (only?.batch ?? batch) === batch);

/** One case of the sweep: an operation, a credential, the batch and error settings, and what the portal does. */
type CaseKey = [operation: string, authentication: Authentication, batch: boolean, onError: OnError, sweepCase: string];

/** Runs the case on the portal, checks that nothing it left shows a secret, and adds what it met to `coverage`. */
async function runCase(portal: Portal, operation: SweptOperation, authentication: Authentication, batch: boolean, onError: OnError, sweepCase: SweepCase): Promise<void> {
	caseEchoes.length = 0;
	const tokens = authentication === 'oAuth2' ? portal.issueTokens() : null;
	const credential = tokens === null ? webhookCredential(portal) : oauthCredential(portal, tokens);
	const results = await sweepCase.run({ operation, portal, authentication, batch, onError, credential });
	const thrown = await Promise.all(results.map((result) => result.nodeFinished));
	expect(portal.requests.length).toBeGreaterThan(0);
	const refreshed = savedTokens(results);
	const known = [...(tokens === null ? [] : [tokens]), ...refreshed];
	// Every token the portal issued is one the runs held, so each is searched under its kind.
	const secrets = classifiedSecrets(portal, known);
	expect([...new Set(secrets.map(([kind]) => kind))].sort()).toEqual(
		authentication === 'oAuth2' ? ['access token', 'client secret', 'refresh token', 'webhook code'] : ['client secret', 'webhook code'],
	);
	const result = sweep(portal, results, thrown, known);
	expect(result.hits).toEqual([]);
	// Every place was searched in every case: what users read of each run, and each request the portal received.
	expect(result.searched).toEqual([...READABLE_PLACES, ...RECEIVED_PLACES, ...(batch ? [BATCH_COMMAND_PLACE] : [])].sort());

	noteInjectedFaults(portal);
	for (const { errorCode } of portal.requests) {
		if (errorCode !== null) coverage.answeredCodes.add(errorCode);
	}
	result.reportedCodes.forEach((code) => coverage.reportedCodes.add(code));
	result.echoReached.forEach((place) => coverage.echoReached.add(place));
	note(coverage.reportedByOperation, operation.name, result.reportedCodes);
	note(coverage.methodsReceived, operation.name, methodsOf(portal));
	if (result.echoReached.length > 0) coverage.echoedOperations.add(operation.name);
	// The secrets in the echoes are what the places would show if redaction failed.
	if (result.echoReached.length > 0) {
		const renewed = new Set(refreshed.flatMap((token) => [token.access_token, token.refresh_token]));
		for (const [kind, secret] of secrets) {
			if (caseEchoes.some((echo) => echo.includes(secret))) coverage.echoedSecrets.add(renewed.has(secret) ? `${kind} from a refresh` : kind);
		}
	}
}

/** The cases run so far in this file, each once: the checks of what the sweep searched run those they need. */
const swept = new Map<string, Promise<void>>();

function sweepOnce(portal: () => Promise<Portal>, [operationName, authentication, batch, onError, caseName]: CaseKey): Promise<void> {
	const key = JSON.stringify([operationName, authentication, batch, onError, caseName]);
	let done = swept.get(key);
	if (done === undefined) {
		const operation = SWEPT_OPERATIONS.find((candidate) => candidate.name === operationName);
		const sweepCase = casesFor(authentication, batch).find((candidate) => candidate.name === caseName);
		if (operation === undefined || sweepCase === undefined) throw new Error(`No sweep case ${key}`);
		done = portal().then(async (on) => await runCase(on, operation, authentication, batch, onError, sweepCase));
		swept.set(key, done);
	}
	return done;
}

/**
 * Makes sure these cases have run, each on a portal of its own, as the sweep runs them: after the sweep
 * nothing is left to run, and a check run alone (`-t`) runs just the cases it needs.
 */
async function sweptAlready(keys: CaseKey[]): Promise<void> {
	for (const key of keys) {
		let started: Portal | undefined;
		try {
			await sweepOnce(async () => {
				resetPortalPacing();
				started = await startPortal(STANDARD_PORTAL);
				return started;
			}, key);
		} finally {
			await started?.stop();
		}
	}
}

const ECHO_CASE = `ERROR_CHECK_FAILURE (HTTP 400) echoing the request URL and the secrets`;
const REFRESH_CASE = 'tokens expiring mid-run, then a portal echoing the refreshed tokens';
const CLEAN_CASE = 'a portal without faults';
const CODE_CASES: CaseKey[] = CONTRACT_ERROR_CODES.map(([code, status]) => ['get', 'webhook', false, 'continueErrorOutput', `${code} (HTTP ${status}) echoing the request URL and the secrets`]);
// A check run alone may run a few dozen cases.
const ALONE_MS = 180_000;

describe('No output, error message or description ever contains the webhook code, a token or the client secret', () => {
	const portal = usePortal();

	describe.each(SWEPT_OPERATIONS.map((operation) => [operation.name, operation] as const))('%s', (_name, operation) => {
		describe.each<[string, Authentication]>([
			['webhook', 'webhook'],
			['OAuth2', 'oAuth2'],
		])('with %s credentials', (_label, authentication) => {
			describe.each([true, false])('batch %s', (batch) => {
				describe.each(ON_ERRORS)('%s', (onError) => {
					it.each(casesFor(authentication, batch))('$name', async (sweepCase) => {
						await sweepOnce(async () => portal(), [operation.name, authentication, batch, onError, sweepCase.name]);
					});
				});
			});
		});
	});

	it('shows a redacted description, not an empty one', async () => {
		portal().addFault({ response: { status: 400, json: { error: 'ERROR_CHECK_FAILURE', error_description: webhookCredential(portal()).echo('batch') } } });
		const { errorOutput } = await runWorkflow({
			parameters: byPaySystemId(11, { batch: false }),
			items: invoices(10),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect((errorOutput[0].json.details as { errorDescription: string }).errorDescription).toBe(
			`${ECHO_MARK} ${portal().origin}/rest/1/***/batch.json?INVOICE_ID=10 failed for webhook ***`,
		);
	});

	// These show that the sweep searched material that held secrets before redaction. After the sweep they
	// read what it met; run alone, each first runs the cases that show its point.
	describe('what the sweep searched', () => {
		it('had the portal echo every kind of secret, a refreshed token too, into text that reached a searched place', async () => {
			await sweptAlready([
				['get', 'webhook', false, 'continueErrorOutput', ECHO_CASE],
				['get', 'oAuth2', false, 'continueErrorOutput', ECHO_CASE],
				['get', 'oAuth2', false, 'continueErrorOutput', REFRESH_CASE],
			]);
			expect([...coverage.echoedSecrets].sort()).toEqual(
				['access token', 'access token from a refresh', 'client secret', 'refresh token', 'refresh token from a refresh', 'webhook code'].sort(),
			);
		}, ALONE_MS);

		it('saw the echo reach every place users read, the errors the node threw included', async () => {
			await sweptAlready(ON_ERRORS.map((onError): CaseKey => ['get', 'webhook', false, onError, ECHO_CASE]));
			expect([...coverage.echoReached].sort()).toEqual([...READABLE_PLACES].sort());
		}, ALONE_MS);

		it("read the errors' own fields that JSON leaves out", async () => {
			await sweptAlready([['get', 'webhook', false, 'stopWorkflow', ECHO_CASE]]);
			expect(coverage.errorsOpened).toBeGreaterThan(0);
		}, ALONE_MS);

		it('had the portal answer with every contract error code', async () => {
			await sweptAlready(CODE_CASES);
			expect(CONTRACT_ERROR_CODES.map(([code]) => code).filter((code) => !coverage.answeredCodes.has(code))).toEqual([]);
		}, ALONE_MS);

		it('saw every contract error code reported back as an errorCode', async () => {
			await sweptAlready(CODE_CASES);
			expect(CONTRACT_ERROR_CODES.map(([code]) => code).filter((code) => !coverage.reportedCodes.has(code))).toEqual([]);
		}, ALONE_MS);

		it('saw the codes of the payment operations reported back, PAYMENT_NOT_FOUND from the listing of payments', async () => {
			await sweptAlready([
				...CODE_CASES,
				['getForPayment', 'webhook', false, 'continueErrorOutput', CLEAN_CASE],
				['getForCrmItem, listing the payments', 'webhook', false, 'continueErrorOutput', CLEAN_CASE],
			]);
			expect(['PAYMENT_NOT_FOUND', 'ERROR_INTERNAL_ORDER_NOT_FOUND', '0', '100'].filter((code) => !coverage.reportedCodes.has(code))).toEqual([]);
			expect([...(coverage.reportedByOperation.get('getForCrmItem, listing the payments') ?? [])]).toContain('PAYMENT_NOT_FOUND');
		}, ALONE_MS);

		it("ran every operation, both steps of getForCrmItem, and showed users each one's echo", async () => {
			await sweptAlready(
				SWEPT_OPERATIONS.flatMap(({ name }): CaseKey[] => [
					[name, 'webhook', false, 'continueErrorOutput', CLEAN_CASE],
					[name, 'webhook', false, 'continueErrorOutput', ECHO_CASE],
				]),
			);
			expect(Object.fromEntries([...coverage.methodsReceived].map(([name, methods]) => [name, [...methods].sort()]))).toEqual({
				get: [METHOD],
				getForPayment: [PAYMENT_METHOD],
				'getForCrmItem, listing the payments': [LIST_METHOD, PAYMENT_METHOD],
				"getForCrmItem, reading each payment's settings": [LIST_METHOD, PAYMENT_METHOD],
			});
			expect([...coverage.echoedOperations].sort()).toEqual(SWEPT_OPERATIONS.map((operation) => operation.name).sort());
		}, ALONE_MS);

		it('had the emulator inject every fault kind it knows', async () => {
			await sweptAlready([
				...REQUEST_FAULT_KINDS.map((kind): CaseKey => ['get', 'webhook', false, 'continueErrorOutput', `${kind} on every request`]),
				['get', 'webhook', true, 'continueErrorOutput', 'batch command faults on every command'],
				['get', 'oAuth2', false, 'continueErrorOutput', REFRESH_CASE],
			]);
			expect([...coverage.injectedFaults].sort()).toEqual(Object.keys(new FaultDraw({}).injected).sort());
		}, ALONE_MS);
	});
});
