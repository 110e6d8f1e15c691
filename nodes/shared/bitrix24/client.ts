import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { resolveOAuthBase, resolveWebhookBase } from './endpoint';
import { LOCAL_ERROR_CODES } from './errorTable';
import type { BucketState, RateLimit } from './pacing';
import { EMPTY_BUCKET, RATE_LIMIT_PRESETS, levelAt, markFull, reserveSlot } from './pacing';
import { credentialSecrets, redactSecrets } from './redact';
import type { FailureFacts, RetryPolicy } from './retryPolicy';
import { DEFAULT_RETRY_POLICY, QUERY_LIMIT_EXCEEDED, isTransientFailure, retryDelay } from './retryPolicy';

export type AuthenticationMethod = 'webhook' | 'oAuth2';

/** The credential type behind each authentication choice of the node. */
export function credentialTypeOf(authentication: AuthenticationMethod): string | undefined {
	if (authentication === 'webhook') return 'bitrix24WebhookApi';
	if (authentication === 'oAuth2') return 'bitrix24OAuth2Api';
	return undefined;
}

/**
 * A failed call as users see it: the Bitrix24 (or local) code, the portal's own text (null when the
 * portal sent none), the HTTP status (null when there was no answer), and a readable message.
 */
export interface Bitrix24Failure {
	errorCode: string;
	errorDescription: string | null;
	httpCode: number | null;
	message: string;
	/** The transport's own code (ECONNRESET, ...) when no answer came; decides whether to retry. */
	transportCode?: string | null;
	/** The answer began as JSON but broke off: damaged on the way, so worth asking again. */
	truncated?: boolean;
}

/** How the client treats the portal: its rate limit (null: no pacing), the retry bounds, the request timeout. */
export interface ClientSettings {
	rateLimit: RateLimit | null;
	retryPolicy: RetryPolicy;
	/** How long one request may wait for its answer before it counts as timed out. */
	timeoutMs: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 10 * 60_000;

export const DEFAULT_CLIENT_SETTINGS: Readonly<ClientSettings> = {
	rateLimit: RATE_LIMIT_PRESETS.standard,
	retryPolicy: DEFAULT_RETRY_POLICY,
	timeoutMs: DEFAULT_TIMEOUT_MS,
};

/**
 * The leaky bucket of each portal as this n8n process has filled it. A portal counts every request
 * against one bucket, so runs, nodes and loops that reach the same portal share it here too.
 */
const portalBuckets = new Map<string, BucketState>();

/** A command the portal's batch answer did not mention: it has no answer yet, so it is sent again. */
const UNANSWERED: FailureFacts = { errorCode: 'ERROR_UNEXPECTED_ANSWER', httpCode: null };

export type Bitrix24Outcome =
	| { ok: true; result: unknown; time: IDataObject | null }
	| { ok: false; failure: Bitrix24Failure };

export type BatchOutcome =
	| { ok: true; commands: Map<string, Bitrix24Outcome | undefined> }
	| { ok: false; failure: Bitrix24Failure };

type RequestContext = IExecuteFunctions | ILoadOptionsFunctions;

interface HttpAnswer {
	status: number | null;
	body: unknown;
	transportCode: string | null;
	message: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** n8n wraps request errors (NodeApiError around an axios error): find the HTTP answer inside. */
function readThrownAnswer(error: unknown): HttpAnswer {
	let status: number | null = null;
	let body: unknown = undefined;
	let transportCode: string | null = null;
	const message = error instanceof Error ? error.message : String(error);
	const seen = new Set<unknown>();
	let current: unknown = error;
	while (isRecord(current) && !seen.has(current)) {
		seen.add(current);
		const response = current.response;
		if (status === null && isRecord(response) && typeof response.status === 'number') {
			status = response.status;
			body = response.data;
		}
		if (transportCode === null && typeof current.code === 'string' && /^E[A-Z_]+$/.test(current.code)) {
			transportCode = current.code;
		}
		current = current.cause;
	}
	return { status, body, transportCode, message };
}

function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body) as unknown;
	} catch {
		return undefined;
	}
}

/** A text body that opens like JSON yet does not parse: the answer was cut off on its way. */
function isTruncatedJson(body: unknown): boolean {
	return typeof body === 'string' && /^\s*[[{]/.test(body);
}

function hasAccessToken(credentials: ICredentialDataDecryptedObject): boolean {
	const tokenData = credentials.oauthTokenData;
	return isRecord(tokenData) && typeof tokenData.access_token === 'string' && tokenData.access_token !== '';
}

/** PHP sends an associative array keyed 0..n-1 (and an empty one) as a JSON list: read it as a map. */
export function asMap(value: unknown): Record<string, unknown> | null {
	if (isRecord(value)) return value;
	if (Array.isArray(value)) return Object.fromEntries(value.map((entry, index) => [String(index), entry as unknown]));
	return null;
}

export function invalidResponse(httpCode: number | null, message: string): Bitrix24Failure {
	return { errorCode: LOCAL_ERROR_CODES.invalidResponse, errorDescription: null, httpCode, message };
}

/** A Bitrix24 error answer as a failure; a portal or proxy may echo the request in either field. */
export function failureFromBitrixError(
	body: Record<string, unknown>,
	status: number | null,
	secrets: readonly string[],
): Bitrix24Failure {
	const errorCode = redactSecrets(String(body.error).trim(), secrets);
	const description = body.error_description;
	const errorDescription =
		typeof description === 'string' && description.trim() !== '' ? redactSecrets(description, secrets) : null;
	return {
		errorCode,
		errorDescription,
		httpCode: status,
		message: `Bitrix24 error ${errorCode}${errorDescription === null ? '' : `: ${errorDescription}`}`,
	};
}

/**
 * The one door to a Bitrix24 portal: resolves where calls go from the credential, sends them through
 * n8n's authenticated request helper, and turns every answer into a result or a redacted failure.
 */
export class Bitrix24Client {
	/** Retry waits of this client so far: the policy bounds their sum. */
	private waitedMs = 0;
	/** The latest `time.operating_reset_at` the portal gave for each method. */
	private readonly operatingResetAt = new Map<string, number>();
	private readonly portalKey: string;
	private readonly cancelSignal: AbortSignal | undefined;

	private constructor(
		private readonly context: RequestContext,
		private readonly credentialType: string,
		readonly baseUrl: string,
		private readonly authentication: AuthenticationMethod,
		private secrets: readonly string[],
		private readonly settings: ClientSettings,
	) {
		this.portalKey = new URL(baseUrl).origin;
		this.cancelSignal = 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
	}

	/** Reads the credential once; a credential that cannot work stops the run before any request. */
	static async open(
		context: RequestContext,
		authentication: AuthenticationMethod,
		settings: ClientSettings = DEFAULT_CLIENT_SETTINGS,
	): Promise<Bitrix24Client> {
		const credentialType = credentialTypeOf(authentication);
		if (credentialType === undefined) {
			throw new NodeOperationError(context.getNode(), `Unknown authentication "${String(authentication)}"`);
		}
		const credentials: ICredentialDataDecryptedObject = await context.getCredentials(credentialType);
		if (authentication === 'oAuth2' && !hasAccessToken(credentials)) {
			throw new NodeOperationError(context.getNode(), 'The Bitrix24 OAuth2 credential is not connected', {
				description: 'Open the credential and click "Connect my account" to sign in to the portal. No request was sent.',
			});
		}
		const resolution =
			authentication === 'webhook'
				? resolveWebhookBase(credentials.webhookUrl, credentials.allowInsecureHttp)
				: resolveOAuthBase(credentials);
		if (!resolution.ok) {
			throw new NodeOperationError(context.getNode(), `The Bitrix24 credential cannot be used: ${resolution.problem}`, {
				description: 'Fix the credential, then run the workflow again. No request was sent.',
			});
		}
		return new Bitrix24Client(
			context,
			credentialType,
			resolution.baseUrl,
			authentication,
			credentialSecrets(credentials, resolution.pathSecret),
			settings,
		);
	}

	private cancelled(): NodeOperationError {
		return new NodeOperationError(this.context.getNode(), 'The execution was cancelled while the node waited for the Bitrix24 portal');
	}

	private throwIfCancelled(): void {
		if (this.cancelSignal?.aborted === true) throw this.cancelled();
	}

	/** Waits, or stops at once with a cancellation error when the execution is cancelled meanwhile. */
	private async pause(ms: number): Promise<void> {
		this.throwIfCancelled();
		if (ms <= 0) return;
		try {
			await sleep(ms, this.cancelSignal);
		} catch {
			// The sleep rejects only when the signal fires.
			throw this.cancelled();
		}
		this.throwIfCancelled();
	}

	/** Holds each request until the portal's bucket, as far as this process knows it, has room. */
	private async pace(): Promise<void> {
		const limit = this.settings.rateLimit;
		if (limit === null) return;
		const now = Date.now();
		const { waitMs, state } = reserveSlot(portalBuckets.get(this.portalKey) ?? EMPTY_BUCKET, limit, now);
		// A bucket that has drained empty holds nothing worth keeping in a long-running n8n.
		for (const [portal, bucket] of portalBuckets) {
			if (levelAt(bucket, limit, now) === 0) portalBuckets.delete(portal);
		}
		portalBuckets.set(this.portalKey, state);
		await this.pause(waitMs);
	}

	/** Learns from a failure what it says about the portal's limits. */
	private noteFailure(failure: Bitrix24Failure): void {
		const limit = this.settings.rateLimit;
		if (failure.errorCode === QUERY_LIMIT_EXCEEDED && limit !== null) {
			portalBuckets.set(this.portalKey, markFull(portalBuckets.get(this.portalKey) ?? EMPTY_BUCKET, limit, Date.now()));
		}
	}

	private noteTime(method: string, time: unknown): void {
		const resetAt = isRecord(time) ? Number(time.operating_reset_at) : Number.NaN;
		if (Number.isFinite(resetAt) && resetAt > 0) this.operatingResetAt.set(method, resetAt);
	}

	/**
	 * The wait before sending again after these failures (the longest any of them needs), or null
	 * when one of them must not be repeated or the bounds are spent. Each failure is weighed against
	 * the operating reset time of the method it came from, the latest the portal gave.
	 */
	private delayBeforeRetry(failures: ReadonlyArray<{ failure: FailureFacts; method: string }>, retry: number): number | null {
		const now = Date.now();
		let longest = 0;
		for (const { failure, method } of failures) {
			const resetAt = this.operatingResetAt.get(method) ?? 0;
			const delay = retryDelay({
				failure,
				retry,
				waitedMs: this.waitedMs,
				now,
				operatingResetAt: resetAt * 1000 > now ? resetAt : null,
				policy: this.settings.retryPolicy,
				random: Math.random,
			});
			if (delay === null) return null;
			longest = Math.max(longest, delay);
		}
		return longest;
	}

	private async waitBeforeRetry(delay: number): Promise<void> {
		this.waitedMs += delay;
		await this.pause(delay);
	}

	redact(text: string): string {
		return redactSecrets(text, this.secrets);
	}

	/** n8n may have refreshed the OAuth2 token during the call: redact the new one too. */
	private async learnRefreshedSecrets(): Promise<void> {
		if (this.authentication !== 'oAuth2') return;
		try {
			const credentials = await this.context.getCredentials(this.credentialType);
			this.secrets = [...new Set([...this.secrets, ...credentialSecrets(credentials, null)])];
		} catch {
			// The secrets known from the start still apply; the generic shapes catch the rest.
		}
	}

	/** Sends one request and reads its answer, learning any refreshed token first when it failed. */
	private async exchange(method: string, body: IDataObject): Promise<Bitrix24Outcome> {
		await this.pace();
		const answer = await this.post(method, body);
		this.throwIfCancelled();
		if (answer.status === null || answer.status >= 400) await this.learnRefreshedSecrets();
		const outcome = this.toOutcome(method, answer);
		if (outcome.ok) this.noteTime(method, outcome.time);
		else this.noteFailure(outcome.failure);
		return outcome;
	}

	private async post(method: string, body: IDataObject): Promise<HttpAnswer> {
		const options: IHttpRequestOptions = {
			method: 'POST',
			url: `${this.baseUrl}${method}.json`,
			body,
			json: true,
			timeout: this.settings.timeoutMs,
			returnFullResponse: true,
			abortSignal: this.cancelSignal,
			// Every answer is read as a body. Only OAuth2 lets a 401 throw: that is how n8n knows to
			// refresh the token and repeat the call. A webhook's 401 is final, so it is not sent twice.
			ignoreHttpStatusErrors: this.authentication === 'oAuth2' ? { ignore: true, except: [401] } : true,
		};
		try {
			const response = (await this.context.helpers.httpRequestWithAuthentication.call(
				this.context,
				this.credentialType,
				options,
			)) as { statusCode?: number; body?: unknown };
			return { status: response.statusCode ?? 200, body: response.body, transportCode: null, message: '' };
		} catch (error) {
			return readThrownAnswer(error);
		}
	}

	private toOutcome(method: string, answer: HttpAnswer): Bitrix24Outcome {
		if (answer.status === null) {
			const reason = answer.transportCode ?? this.redact(answer.message);
			return {
				ok: false,
				failure: {
					errorCode: LOCAL_ERROR_CODES.networkError,
					errorDescription: null,
					httpCode: null,
					message: `The Bitrix24 portal could not be reached (${reason})`,
					transportCode: answer.transportCode,
				},
			};
		}
		const body = parseBody(answer.body);
		if (isRecord(body) && typeof body.error === 'string' && body.error.trim() !== '') {
			this.noteTime(method, body.time);
			return { ok: false, failure: failureFromBitrixError(body, answer.status, this.secrets) };
		}
		if (answer.status >= 200 && answer.status < 300 && isRecord(body) && 'result' in body) {
			return { ok: true, result: body.result, time: isRecord(body.time) ? (body.time as IDataObject) : null };
		}
		if (body === undefined && isTruncatedJson(answer.body)) {
			const failure = invalidResponse(answer.status, `The Bitrix24 portal answered HTTP ${answer.status} with JSON that breaks off`);
			return { ok: false, failure: { ...failure, truncated: true } };
		}
		return {
			ok: false,
			failure: invalidResponse(answer.status, `The Bitrix24 portal answered HTTP ${answer.status} with a body that is not REST JSON`),
		};
	}

	/** One REST call: POST `<base>/<method>.json` with a JSON body, repeated while the failure is transient. */
	async call(method: string, params: IDataObject): Promise<Bitrix24Outcome> {
		for (let retry = 1; ; retry++) {
			const outcome = await this.exchange(method, params);
			if (outcome.ok) return outcome;
			const delay = this.delayBeforeRetry([{ failure: outcome.failure, method }], retry);
			if (delay === null) return outcome;
			await this.waitBeforeRetry(delay);
		}
	}

	/**
	 * One `batch` call carrying up to 50 commands. Each command gets its own outcome, or undefined
	 * when the portal's answer does not mention it. Commands that failed transiently, or that the
	 * answer left out, are sent again in a smaller batch; answered ones never are.
	 */
	async batch(commands: ReadonlyArray<[key: string, command: string]>): Promise<BatchOutcome> {
		const answered = new Map<string, Bitrix24Outcome | undefined>();
		let pending = [...commands];
		for (let retry = 1; pending.length > 0; retry++) {
			const round = await this.batchRound(pending);
			const retryable: Array<[key: string, command: string]> = [];
			const facts: Array<{ failure: FailureFacts; method: string }> = [];
			if (!round.ok) {
				retryable.push(...pending);
				facts.push({ failure: round.failure, method: 'batch' });
			} else {
				for (const entry of pending) {
					const outcome = round.commands.get(entry[0]);
					if (outcome === undefined || (!outcome.ok && isTransientFailure(outcome.failure))) {
						retryable.push(entry);
						facts.push({ failure: outcome === undefined ? UNANSWERED : outcome.failure, method: commandMethod(entry[1]) });
					} else {
						answered.set(entry[0], outcome);
					}
				}
			}
			if (retryable.length === 0) break;
			const delay = this.delayBeforeRetry(facts, retry);
			if (delay === null) {
				// Nothing answered at all: the batch as a whole failed (the caller may fall back to single calls).
				if (!round.ok && answered.size === 0) return round;
				for (const [key] of retryable) {
					answered.set(key, round.ok ? round.commands.get(key) : { ok: false, failure: round.failure });
				}
				break;
			}
			await this.waitBeforeRetry(delay);
			pending = retryable;
		}
		return { ok: true, commands: new Map(commands.map(([key]) => [key, answered.get(key)])) };
	}

	/** Sends one batch request and reads each command's outcome from the answer. */
	private async batchRound(commands: ReadonlyArray<[key: string, command: string]>): Promise<BatchOutcome> {
		const outcome = await this.exchange('batch', { halt: 0, cmd: Object.fromEntries(commands) as IDataObject });
		if (!outcome.ok) return outcome;
		const envelope = isRecord(outcome.result) ? outcome.result : null;
		const results = asMap(envelope?.result);
		const errors = asMap(envelope?.result_error);
		const times = asMap(envelope?.result_time) ?? {};
		if (results === null || errors === null) {
			return {
				ok: false,
				failure: invalidResponse(200, 'The Bitrix24 portal answered the batch call without its result maps'),
			};
		}
		if (Object.keys(errors).length > 0) await this.learnRefreshedSecrets();
		const byKey = new Map<string, Bitrix24Outcome | undefined>();
		for (const [key, command] of commands) {
			const time = isRecord(times[key]) ? (times[key] as IDataObject) : null;
			const error = errors[key];
			if (isRecord(error) && typeof error.error === 'string') {
				const failure = failureFromBitrixError(error, null, this.secrets);
				// The batch's own status says nothing about one command; keep only a status the command carries.
				const status = Number(error.status);
				failure.httpCode = Number.isInteger(status) && status > 0 ? status : null;
				this.noteFailure(failure);
				byKey.set(key, { ok: false, failure });
			} else if (Object.prototype.hasOwnProperty.call(results, key)) {
				this.noteTime(commandMethod(command), time);
				byKey.set(key, { ok: true, result: results[key], time });
			} else {
				byKey.set(key, undefined);
			}
		}
		return { ok: true, commands: byKey };
	}
}

/** The REST method a batch command calls: the part before its query string. */
function commandMethod(command: string): string {
	const query = command.indexOf('?');
	return query < 0 ? command : command.slice(0, query);
}
