// What the secrets sweep (secrets.test.ts) runs and searches: the credentials of a case, the node's
// runs, every place a user reads and the portal received, and what the sweep met over its cases.
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import type { FaultKind, RequestFaultKind } from '../../dev/emulator/faults';
import { FaultDraw } from '../../dev/emulator/faults';
import type { FaultRule, Portal } from '../../dev/emulator/portal';
import { runWorkflow } from '../../dev/harness/engine';
import type { OnError, WorkflowRunResult } from '../../dev/harness/engine';
import { oauthCredentials, webhookCredentials } from '../support';
import type { SweptOperation } from './sweptOperations';
import { aimAt } from './sweptOperations';

export const ON_ERRORS: OnError[] = ['stopWorkflow', 'continueRegularOutput', 'continueErrorOutput'];
export const COMMAND_FAULT_KINDS: readonly FaultKind[] = ['commandQueryLimit', 'commandServerError', 'commandMissing'];
// Every request fault the emulator's mix knows, taken from the emulator so a new kind joins the sweep.
export const REQUEST_FAULT_KINDS = (Object.keys(new FaultDraw({}).injected) as FaultKind[]).filter(
	(kind): kind is RequestFaultKind => !COMMAND_FAULT_KINDS.includes(kind) && kind !== 'expiredToken',
);
// Text every echoing answer starts with: finding it redacted in the output shows the echo reached the user.
export const ECHO_MARK = 'Echoed request';

export type Authentication = 'webhook' | 'oAuth2';
export type SecretKind = 'webhook code' | 'client secret' | 'access token' | 'refresh token' | 'issued token';

export interface OAuthTokens {
	access_token: string;
	refresh_token: string;
}

/** The credential of one case, and what a portal that echoes its requests would say back. */
export interface CaseCredential {
	credentials: Record<string, ICredentialDataDecryptedObject>;
	echo(method: string, query?: string): string;
}

export interface CaseContext {
	operation: SweptOperation;
	portal: Portal;
	authentication: Authentication;
	batch: boolean;
	onError: OnError;
	credential: CaseCredential;
}

export interface RunSettings {
	items?: IDataObject[];
	options?: IDataObject;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
}

export interface SweepCase {
	name: string;
	/** The credential or batch setting the case needs; every combination when absent. */
	only?: { authentication?: Authentication; batch?: boolean };
	/** Sets the portal up, runs the node, checks the case did what it says, and returns the runs. */
	run(context: CaseContext): Promise<WorkflowRunResult[]>;
}

export interface Hit {
	kind: SecretKind;
	place: string;
}

// Where the sweep reads what a user sees, and where it reads what the portal received, by kind of place.
export const READABLE_PLACES = ['output items', 'error output items', 'stored run data', 'run error', 'node error', 'error thrown by the node'];
export const RECEIVED_PLACES = ['path', 'query string', 'params'];
export const BATCH_COMMAND_PLACE = 'batch command';

/**
 * What the sweep met over all its cases, so that the checks after it can tell a sweep that found no
 * secret in material that held them from one that searched nothing worth searching.
 */
export const coverage = {
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
export const note = (map: Map<string, Set<string>>, key: string, values: Iterable<string>) => map.set(key, new Set([...(map.get(key) ?? []), ...values]));

/** The echoes the current case had the portal send, with every secret in them; emptied as a case starts. */
export const caseEchoes: string[] = [];

export function echoed(text: string): string {
	caseEchoes.push(text);
	return text;
}

export function noteInjectedFaults(portal: Portal): void {
	for (const [kind, count] of Object.entries(portal.injectedFaults())) {
		if (count > 0) coverage.injectedFaults.add(kind);
	}
}

/** A place's kind, without the run, request or batch command it belongs to. */
export function placeKind(place: string): string {
	const kind = place.replace(/^(?:run|request) \d+ /, '');
	return kind.startsWith(`${BATCH_COMMAND_PLACE} `) ? BATCH_COMMAND_PLACE : kind;
}

export function webhookCredential(portal: Portal): CaseCredential {
	return {
		credentials: webhookCredentials(portal.webhookUrl),
		echo: (method, query = 'INVOICE_ID=10') => echoed(`${ECHO_MARK} ${portal.webhookUrl}${method}.json?${query} failed for webhook ${portal.webhookCode}`),
	};
}

export function oauthCredential(portal: Portal, tokens: OAuthTokens, stored?: ICredentialDataDecryptedObject): CaseCredential {
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

export function runNode(context: CaseContext, settings: RunSettings = {}): Promise<WorkflowRunResult> {
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
export function serialize(value: unknown): string {
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
export function classifiedSecrets(portal: Portal, tokens: OAuthTokens[]): Array<[SecretKind, string]> {
	const kinds = new Map<string, SecretKind>([
		[portal.webhookCode, 'webhook code'],
		[portal.noScopeWebhookCode, 'webhook code'],
		[portal.noCrmWebhookCode, 'webhook code'],
		[portal.managerWebhookCode, 'webhook code'],
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
export function readablePlaces(result: WorkflowRunResult, thrown: unknown, run: number): Array<[place: string, text: string]> {
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
export function receivedPlaces(portal: Portal): Array<[place: string, text: string, allowed: SecretKind[]]> {
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

export interface SweepResult {
	hits: Hit[];
	/** The kinds of place searched for every secret. */
	searched: string[];
	/** The kinds of place the portal's echoed text reached. */
	echoReached: string[];
	/** The codes shown as an error's `errorCode` in what users read. */
	reportedCodes: string[];
}

/** Searches every place for every secret; a hit names the kind and the place, never the secret. */
export function sweep(portal: Portal, results: WorkflowRunResult[], thrown: unknown[], tokens: OAuthTokens[]): SweepResult {
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
export function savedTokens(results: WorkflowRunResult[]): OAuthTokens[] {
	return results.flatMap((result) => result.credentialsHelper.saved.map((entry) => entry.data.oauthTokenData as unknown as OAuthTokens));
}

/** The echo of the request the operation's targeted calls go out in. */
export function echoOf(context: CaseContext, credential = context.credential): string {
	return credential.echo(context.batch ? 'batch' : context.operation.method, context.operation.query);
}

/** The portal answers the operation's targeted calls this way, with an echo of the request in its text. */
export function answerEveryCall(context: CaseContext, response: (echo: string) => FaultRule['response']): void {
	aimAt(context.portal, context.operation, context.batch, response(echoOf(context)));
}

export function expectEchoShown(results: WorkflowRunResult[], context: CaseContext): void {
	const shown = results.map((result) => serialize([result.output, result.errorOutput, result.nodeError]));
	expect(shown.map((text) => text.includes(ECHO_MARK))).toEqual(results.map(() => true));
	// Aimed at a later step, the echo comes back as the failure of a payment's settings, which names the payment.
	if (context.operation.target !== undefined) expect(shown.map((text) => text.includes('"paymentId":'))).toEqual(results.map(() => true));
}
