import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import type { FaultKind, RequestFaultKind } from '../../dev/emulator/faults';
import { FaultDraw } from '../../dev/emulator/faults';
import type { FaultRule, Portal } from '../../dev/emulator/portal';
import { runWorkflow } from '../../dev/harness/engine';
import type { OnError, WorkflowRunResult } from '../../dev/harness/engine';
import { CONTRACT_ERROR_CODES } from '../contract/errorCodes';
import { byPaySystemId, invoices, oauthCredentials, usePortal, webhookCredentials } from '../support';
import type { SweptOperation } from './sweptOperations';
import { LIST_METHOD, METHOD, PAYMENT_METHOD, SWEPT_OPERATIONS, aimAt, aimedMix, methodsOf } from './sweptOperations';

const ON_ERRORS: OnError[] = ['stopWorkflow', 'continueRegularOutput', 'continueErrorOutput'];
const COMMAND_FAULT_KINDS: readonly FaultKind[] = ['commandQueryLimit', 'commandServerError', 'commandMissing'];
// Every request fault the emulator's mix knows, taken from the emulator so a new kind joins the sweep.
const REQUEST_FAULT_KINDS = (Object.keys(new FaultDraw({}).injected) as FaultKind[]).filter(
	(kind): kind is RequestFaultKind => !COMMAND_FAULT_KINDS.includes(kind) && kind !== 'expiredToken',
);
// Text every echoing answer starts with: finding it redacted in the output shows the echo reached the user.
const ECHO_MARK = 'Echoed request';

type Authentication = 'webhook' | 'oAuth2';
type SecretKind = 'webhook code' | 'client secret' | 'access token' | 'refresh token' | 'issued token';

interface OAuthTokens {
	access_token: string;
	refresh_token: string;
}

/** The credential of one case, and what a portal that echoes its requests would say back. */
interface CaseCredential {
	credentials: Record<string, ICredentialDataDecryptedObject>;
	echo(method: string, query?: string): string;
}

interface CaseContext {
	operation: SweptOperation;
	portal: Portal;
	authentication: Authentication;
	batch: boolean;
	onError: OnError;
	credential: CaseCredential;
}

interface RunSettings {
	items?: IDataObject[];
	options?: IDataObject;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
}

interface SweepCase {
	name: string;
	/** The credential or batch setting the case needs; every combination when absent. */
	only?: { authentication?: Authentication; batch?: boolean };
	/** Sets the portal up, runs the node, checks the case did what it says, and returns the runs. */
	run(context: CaseContext): Promise<WorkflowRunResult[]>;
}

interface Hit {
	kind: SecretKind;
	place: string;
}

// Where the sweep reads what a user sees, and where it reads what the portal received, by kind of place.
const READABLE_PLACES = ['output items', 'error output items', 'stored run data', 'run error', 'node error', 'error thrown by the node'];
const RECEIVED_PLACES = ['path', 'query string', 'params'];
const BATCH_COMMAND_PLACE = 'batch command';

/**
 * What the sweep met over all its cases, so that the checks after it can tell a sweep that found no
 * secret in material that held them from one that searched nothing worth searching.
 */
const coverage = {
	/** Kinds of secret the portal put in an answer whose text then reached a place the sweep searched. */
	echoedSecrets: new Set<string>(),
	/** Places the portal's echoed text reached: each can carry what the portal says to a user. */
	echoReached: new Set<string>(),
	/** Errors whose own fields, which JSON.stringify leaves out, the sweep read. */
	errorsOpened: 0,
	/** Codes the portal answered whole requests with, as its request log has them. */
	answeredCodes: new Set<string>(),
	/** Codes that reached a place the sweep searched as an error's `errorCode`. */
	reportedCodes: new Set<string>(),
	/** Fault kinds the emulator injected into a run. */
	injectedFaults: new Set<string>(),
	/** By operation: the methods the portal received, alone or as batch commands. */
	methodsReceived: new Map<string, Set<string>>(),
	/** By operation: the codes reported back. */
	reportedByOperation: new Map<string, Set<string>>(),
	/** Operations whose runs showed users the portal's echoed text. */
	echoedOperations: new Set<string>(),
};

/** Adds values to the set a map holds under a key. */
const note = (map: Map<string, Set<string>>, key: string, values: Iterable<string>) => map.set(key, new Set([...(map.get(key) ?? []), ...values]));

/** The echoes the current case had the portal send, with every secret in them. */
let caseEchoes: string[] = [];

function echoed(text: string): string {
	caseEchoes.push(text);
	return text;
}

function noteInjectedFaults(portal: Portal): void {
	for (const [kind, count] of Object.entries(portal.injectedFaults())) {
		if (count > 0) coverage.injectedFaults.add(kind);
	}
}

/** A place's kind, without the run, request or batch command it belongs to. */
function placeKind(place: string): string {
	const kind = place.replace(/^(?:run|request) \d+ /, '');
	return kind.startsWith(`${BATCH_COMMAND_PLACE} `) ? BATCH_COMMAND_PLACE : kind;
}

function webhookCredential(portal: Portal): CaseCredential {
	return {
		credentials: webhookCredentials(portal.webhookUrl),
		echo: (method, query = 'INVOICE_ID=10') => echoed(`${ECHO_MARK} ${portal.webhookUrl}${method}.json?${query} failed for webhook ${portal.webhookCode}`),
	};
}

function oauthCredential(portal: Portal, tokens: OAuthTokens, stored?: ICredentialDataDecryptedObject): CaseCredential {
	const { access_token: access, refresh_token: refresh } = tokens;
	return {
		credentials: stored === undefined ? oauthCredentials(portal, tokens) : { bitrix24OAuth2Api: stored },
		echo: (method, query = 'INVOICE_ID=10') =>
			echoed(
				`${ECHO_MARK} ${portal.origin}/rest/${method}.json?${query}&auth=${access} failed: Authorization: Bearer ${access}; ` +
					`token ${access}, refresh ${refresh}, client secret ${portal.clientSecret}; ` +
					`grant_type=refresh_token&refresh_token=${refresh}&client_secret=${portal.clientSecret}`,
			),
	};
}

function runNode(context: CaseContext, settings: RunSettings = {}): Promise<WorkflowRunResult> {
	const parameters: INodeParameters = {
		...(context.authentication === 'oAuth2' ? { authentication: 'oAuth2' } : {}),
		// No retries and no pacing: a failure reaches the user the same way after them, and runs stay quick.
		...context.operation.parameters({ batch: context.batch, maxRetries: 0, maxWaitMinutes: 0, rateLimit: 'none', ...settings.options }),
	};
	return runWorkflow({
		parameters,
		// A success, the portal's own errors and an item that is never sent.
		items: settings.items ?? [...context.operation.valid(1), ...context.operation.failing],
		credentials: settings.credentials ?? context.credential.credentials,
		onError: context.onError,
	});
}

/** JSON of a value that also holds every Error's own fields, enumerable or not, and what its toJSON gives. */
function serialize(value: unknown): string {
	const seen = new WeakSet<object>();
	const text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, replaced: unknown) {
		// `this[key]` is the value before toJSON ran: n8n's errors define one that leaves fields out.
		const original = this[key];
		if (typeof original === 'object' && original !== null) {
			if (seen.has(original)) return '[seen]';
			seen.add(original);
		}
		if (!(original instanceof Error)) return replaced;
		coverage.errorsOpened += 1;
		const fields: Record<string, unknown> = {};
		for (const name of [...Object.getOwnPropertyNames(original), 'message', 'description', 'stack', 'cause', 'context']) {
			fields[name] = (original as unknown as Record<string, unknown>)[name];
		}
		if (replaced !== original) fields.json = replaced;
		return fields;
	});
	return text ?? '';
}

/** Each secret the portal issued, with its kind, as far as the case's credentials tell access from refresh tokens. */
function classifiedSecrets(portal: Portal, tokens: OAuthTokens[]): Array<[SecretKind, string]> {
	const kinds = new Map<string, SecretKind>([
		[portal.webhookCode, 'webhook code'],
		[portal.noScopeWebhookCode, 'webhook code'],
		[portal.noCrmWebhookCode, 'webhook code'],
		[portal.clientSecret, 'client secret'],
	]);
	for (const token of tokens) {
		kinds.set(token.access_token, 'access token');
		kinds.set(token.refresh_token, 'refresh token');
	}
	return portal.secrets().map((secret) => [kinds.get(secret) ?? 'issued token', secret]);
}

/**
 * Where a user or a team reads a run: items, the stored execution, the errors with all their fields,
 * and the error the node threw (what n8n logs and reports), which the engine stores only a copy of.
 */
function readablePlaces(result: WorkflowRunResult, thrown: unknown, run: number): Array<[place: string, text: string]> {
	return [
		[`run ${run} output items`, serialize(result.output)],
		[`run ${run} error output items`, serialize(result.errorOutput)],
		[`run ${run} stored run data`, serialize(result.run)],
		[`run ${run} run error`, serialize(result.error)],
		[`run ${run} node error`, serialize(result.nodeError)],
		[`run ${run} error thrown by the node`, serialize(thrown)],
	];
}

/**
 * What the portal received. The webhook code belongs only in a webhook call's path, as its
 * `/rest/<user>/<code>/` segment; the client secret and refresh token only in calls to /oauth/token/.
 */
function receivedPlaces(portal: Portal): Array<[place: string, text: string, allowed: SecretKind[]]> {
	const places: Array<[string, string, SecretKind[]]> = [];
	portal.requests.forEach((entry, index) => {
		const queryStart = entry.path.indexOf('?');
		const path = queryStart < 0 ? entry.path : entry.path.slice(0, queryStart);
		const query = queryStart < 0 ? '' : entry.path.slice(queryStart + 1);
		const tokenGrant: SecretKind[] = /^\/oauth\/token\/?$/.test(path) ? ['client secret', 'refresh token'] : [];
		places.push(
			[`request ${index} path`, entry.auth === 'webhook' ? path.replace(/^\/rest\/\d+\/[^/]+/, '') : path, []],
			[`request ${index} query string`, query, tokenGrant],
			[`request ${index} params`, JSON.stringify(entry.params), tokenGrant],
		);
		const commands = entry.params.cmd;
		if (typeof commands === 'object' && commands !== null) {
			for (const [key, command] of Object.entries(commands)) places.push([`request ${index} batch command ${key}`, String(command), []]);
		}
	});
	return places;
}

interface SweepResult {
	hits: Hit[];
	/** The kinds of place searched for every secret. */
	searched: string[];
	/** The kinds of place the portal's echoed text reached. */
	echoReached: string[];
	/** The codes shown as an error's `errorCode` in what users read. */
	reportedCodes: string[];
}

/** Searches every place for every secret; a hit names the kind and the place, never the secret. */
function sweep(portal: Portal, results: WorkflowRunResult[], thrown: unknown[], tokens: OAuthTokens[]): SweepResult {
	const secrets = classifiedSecrets(portal, tokens);
	const readable = results.flatMap((result, run) => readablePlaces(result, thrown[run], run));
	const places: Array<[string, string, SecretKind[]]> = [
		...readable.map(([place, text]): [string, string, SecretKind[]] => [place, text, []]),
		...receivedPlaces(portal),
	];
	const hits: Hit[] = [];
	const searched = new Set<string>();
	for (const [place, text, allowed] of places) {
		for (const [kind, secret] of secrets) {
			searched.add(placeKind(place));
			if (text.includes(secret) && !allowed.includes(kind)) hits.push({ kind, place });
		}
	}
	const texts = readable.map(([, text]) => text).join('\n');
	return {
		hits,
		searched: [...searched].sort(),
		echoReached: readable.filter(([, text]) => text.includes(ECHO_MARK)).map(([place]) => placeKind(place)),
		reportedCodes: [...texts.matchAll(/"errorCode":"([A-Za-z0-9_]+)"/g)].map((match) => match[1]),
	};
}

/** Tokens the runs' credential stores saved after a refresh. */
function savedTokens(results: WorkflowRunResult[]): OAuthTokens[] {
	return results.flatMap((result) => result.credentialsHelper.saved.map((entry) => entry.data.oauthTokenData as unknown as OAuthTokens));
}

/** The echo of the request the operation's targeted calls go out in. */
function echoOf(context: CaseContext, credential = context.credential): string {
	return credential.echo(context.batch ? 'batch' : context.operation.method, context.operation.query);
}

/** The portal answers the operation's targeted calls this way, with an echo of the request in its text. */
function answerEveryCall(context: CaseContext, response: (echo: string) => FaultRule['response']): void {
	aimAt(context.portal, context.operation, context.batch, response(echoOf(context)));
}

function expectEchoShown(results: WorkflowRunResult[], context: CaseContext): void {
	const shown = results.map((result) => serialize([result.output, result.errorOutput, result.nodeError]));
	expect(shown.map((text) => text.includes(ECHO_MARK))).toEqual(results.map(() => true));
	// Aimed at a later step, the echo comes back as the failure of a payment's settings, which names the payment.
	if (context.operation.target !== undefined) expect(shown.map((text) => text.includes('"paymentId":'))).toEqual(results.map(() => true));
}

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
						caseEchoes = [];
						const tokens = authentication === 'oAuth2' ? portal().issueTokens() : null;
						const credential = tokens === null ? webhookCredential(portal()) : oauthCredential(portal(), tokens);
						const results = await sweepCase.run({ operation, portal: portal(), authentication, batch, onError, credential });
						const thrown = await Promise.all(results.map((result) => result.nodeFinished));
						expect(portal().requests.length).toBeGreaterThan(0);
						const refreshed = savedTokens(results);
						const known = [...(tokens === null ? [] : [tokens]), ...refreshed];
						// Every token the portal issued is one the runs held, so each is searched under its kind.
						const secrets = classifiedSecrets(portal(), known);
						expect([...new Set(secrets.map(([kind]) => kind))].sort()).toEqual(
							authentication === 'oAuth2' ? ['access token', 'client secret', 'refresh token', 'webhook code'] : ['client secret', 'webhook code'],
						);
						const result = sweep(portal(), results, thrown, known);
						expect(result.hits).toEqual([]);
						// Every place was searched in every case: what users read of each run, and each request the portal received.
						expect(result.searched).toEqual([...READABLE_PLACES, ...RECEIVED_PLACES, ...(batch ? [BATCH_COMMAND_PLACE] : [])].sort());

						noteInjectedFaults(portal());
						for (const { errorCode } of portal().requests) {
							if (errorCode !== null) coverage.answeredCodes.add(errorCode);
						}
						result.reportedCodes.forEach((code) => coverage.reportedCodes.add(code));
						result.echoReached.forEach((place) => coverage.echoReached.add(place));
						note(coverage.reportedByOperation, operation.name, result.reportedCodes);
						note(coverage.methodsReceived, operation.name, methodsOf(portal()));
						if (result.echoReached.length > 0) coverage.echoedOperations.add(operation.name);
						// The secrets in the echoes are what the places would show if redaction failed.
						if (result.echoReached.length > 0) {
							const renewed = new Set(refreshed.flatMap((token) => [token.access_token, token.refresh_token]));
							for (const [kind, secret] of secrets) {
								if (caseEchoes.some((echo) => echo.includes(secret))) coverage.echoedSecrets.add(renewed.has(secret) ? `${kind} from a refresh` : kind);
							}
						}
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

	// These run after the sweep, and show that it searched material that held secrets before redaction.
	describe('what the sweep searched', () => {
		it('had the portal echo every kind of secret, a refreshed token too, into text that reached a searched place', () => {
			expect([...coverage.echoedSecrets].sort()).toEqual(
				['access token', 'access token from a refresh', 'client secret', 'refresh token', 'refresh token from a refresh', 'webhook code'].sort(),
			);
		});

		it('saw the echo reach every place users read, the errors the node threw included', () => {
			expect([...coverage.echoReached].sort()).toEqual([...READABLE_PLACES].sort());
		});

		it("read the errors' own fields that JSON leaves out", () => {
			expect(coverage.errorsOpened).toBeGreaterThan(0);
		});

		it('had the portal answer with every contract error code', () => {
			expect(CONTRACT_ERROR_CODES.map(([code]) => code).filter((code) => !coverage.answeredCodes.has(code))).toEqual([]);
		});

		it('saw every contract error code reported back as an errorCode', () => {
			expect(CONTRACT_ERROR_CODES.map(([code]) => code).filter((code) => !coverage.reportedCodes.has(code))).toEqual([]);
		});

		it('saw the codes of the payment operations reported back, PAYMENT_NOT_FOUND from the listing of payments', () => {
			expect(['PAYMENT_NOT_FOUND', 'ERROR_INTERNAL_ORDER_NOT_FOUND', '0', '100'].filter((code) => !coverage.reportedCodes.has(code))).toEqual([]);
			expect([...(coverage.reportedByOperation.get('getForCrmItem, listing the payments') ?? [])]).toContain('PAYMENT_NOT_FOUND');
		});

		it("ran every operation, both steps of getForCrmItem, and showed users each one's echo", () => {
			expect(Object.fromEntries([...coverage.methodsReceived].map(([name, methods]) => [name, [...methods].sort()]))).toEqual({
				get: [METHOD],
				getForPayment: [PAYMENT_METHOD],
				'getForCrmItem, listing the payments': [LIST_METHOD, PAYMENT_METHOD],
				"getForCrmItem, reading each payment's settings": [LIST_METHOD, PAYMENT_METHOD],
			});
			expect([...coverage.echoedOperations].sort()).toEqual(SWEPT_OPERATIONS.map((operation) => operation.name).sort());
		});

		it('had the emulator inject every fault kind it knows', () => {
			expect([...coverage.injectedFaults].sort()).toEqual(Object.keys(new FaultDraw({}).injected).sort());
		});
	});
});
