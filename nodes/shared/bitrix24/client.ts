import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Bitrix24Outcome, HttpAnswer } from './answers';
import { UNANSWERED_COMMAND, commandMethod, hasCommandErrors, isRecord, readAnswer, readBatchEnvelope, readThrownAnswer } from './answers';
import type { Call } from './calls';
import { toBatchCommand } from './calls';
import type { AuthenticationMethod, Connection, RequestContext } from './connection';
import { openConnection } from './connection';
import type { Bitrix24Failure, FailureFacts } from './failures';
import { invalidResponse, isRetried } from './failures';
import type { PortalBuckets, RateLimit } from './pacing';
import { PROCESS_PORTAL_BUCKETS, RATE_LIMIT_PRESETS } from './pacing';
import { credentialSecrets, redactSecrets } from './redact';
import type { RetryPolicy } from './retryPolicy';
import { DEFAULT_RETRY_POLICY, QUERY_LIMIT_EXCEEDED, retryDelay } from './retryPolicy';
import { sleepUnlessCancelled } from './sleep';

/** How the client treats the portal: its rate limit (null: no pacing), the retry bounds, the request timeout. */
export interface ClientSettings {
	rateLimit: RateLimit | null;
	retryPolicy: RetryPolicy;
	/** How long one request may wait for its answer before it counts as timed out. */
	timeoutMs: number;
	/** Whose count of the portals' buckets to pace by: the process's, unless a test brings its own. */
	buckets?: PortalBuckets;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 10 * 60_000;

export const DEFAULT_CLIENT_SETTINGS: Readonly<ClientSettings> = {
	rateLimit: RATE_LIMIT_PRESETS.standard,
	retryPolicy: DEFAULT_RETRY_POLICY,
	timeoutMs: DEFAULT_TIMEOUT_MS,
};

export type BatchOutcome = { ok: true; outcomes: Bitrix24Outcome[] } | { ok: false; failure: Bitrix24Failure };

/**
 * The one door to a Bitrix24 portal: sends calls through n8n's authenticated request helper (so
 * n8n's proxy settings and OAuth2 refresh apply), paces them, repeats transient failures within
 * the retry policy's bounds, and hands back each call's result or redacted failure.
 */
export class Bitrix24Client {
	/** Retry waits of this client so far: the policy bounds their sum. */
	private waitedMs = 0;
	/** The latest `time.operating_reset_at` the portal gave for each method. */
	private readonly operatingResetAt = new Map<string, number>();
	private readonly portalKey: string;
	private readonly buckets: PortalBuckets;
	private readonly cancelSignal: AbortSignal | undefined;

	private constructor(
		private readonly context: RequestContext,
		private readonly connection: Connection,
		private readonly settings: ClientSettings,
	) {
		this.portalKey = new URL(connection.baseUrl).origin;
		this.buckets = settings.buckets ?? PROCESS_PORTAL_BUCKETS;
		this.cancelSignal = 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
	}

	/** Reads the credential once; a credential that cannot work stops the run before any request. */
	static async open(
		context: RequestContext,
		authentication: AuthenticationMethod,
		settings: ClientSettings = DEFAULT_CLIENT_SETTINGS,
	): Promise<Bitrix24Client> {
		return new Bitrix24Client(context, await openConnection(context, authentication), settings);
	}

	get baseUrl(): string {
		return this.connection.baseUrl;
	}

	redact(text: string): string {
		return redactSecrets(text, this.connection.secrets);
	}

	/** One REST call: POST `<base>/<method>.json` with a JSON body, repeated while the failure is transient. */
	async call(call: Call): Promise<Bitrix24Outcome> {
		for (let retry = 1; ; retry++) {
			const outcome = await this.exchange(call.method, call.params);
			if (outcome.ok) return outcome;
			const delay = this.delayBeforeRetry([{ failure: outcome.failure, method: call.method }], retry);
			if (delay === null) return outcome;
			await this.waitBeforeRetry(delay);
		}
	}

	/**
	 * Up to 50 calls in one `batch` request, an outcome for each in order. Commands that failed
	 * transiently, or that the answer left out, are sent again in a smaller batch; answered ones never
	 * are. A batch refused as a whole, before any command was answered, is that failure.
	 */
	async batch(calls: readonly Call[]): Promise<BatchOutcome> {
		const commands = calls.map((call, position) => [`i${position}`, toBatchCommand(call)] as [key: string, command: string]);
		const answered = new Map<string, Bitrix24Outcome>();
		let pending = commands;
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
					if (outcome === undefined || (!outcome.ok && isRetried(outcome.failure))) {
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
					const last = round.ok ? round.commands.get(key) : { ok: false as const, failure: round.failure };
					answered.set(key, last ?? UNANSWERED_COMMAND);
				}
				break;
			}
			await this.waitBeforeRetry(delay);
			pending = retryable;
		}
		return { ok: true, outcomes: commands.map(([key]) => answered.get(key) ?? UNANSWERED_COMMAND) };
	}

	/** Sends one batch request and reads each command's outcome from the answer. */
	private async batchRound(
		commands: ReadonlyArray<[key: string, command: string]>,
	): Promise<{ ok: true; commands: Map<string, Bitrix24Outcome | undefined> } | { ok: false; failure: Bitrix24Failure }> {
		const outcome = await this.exchange('batch', { halt: 0, cmd: Object.fromEntries(commands) as IDataObject });
		if (!outcome.ok) return outcome;
		if (hasCommandErrors(outcome.result)) await this.learnRefreshedSecrets();
		const byKey = readBatchEnvelope(
			outcome.result,
			commands.map(([key]) => key),
			this.connection.secrets,
		);
		if (byKey === null) {
			return { ok: false, failure: invalidResponse(200, 'The Bitrix24 portal answered the batch call without its result maps') };
		}
		for (const [key, command] of commands) {
			const answer = byKey.get(key);
			if (answer?.ok === true) this.noteTime(commandMethod(command), answer.time);
			else if (answer !== undefined) this.noteFailure(answer.failure);
		}
		return { ok: true, commands: byKey };
	}

	/** Sends one request and reads its answer, learning any refreshed token first when it failed. */
	private async exchange(method: string, body: IDataObject): Promise<Bitrix24Outcome> {
		await this.pace();
		const answer = await this.post(method, body);
		this.throwIfCancelled();
		if (answer.status === null || answer.status >= 400) await this.learnRefreshedSecrets();
		const outcome = readAnswer(answer, this.connection.secrets);
		this.noteTime(method, outcome.time);
		if (!outcome.ok) this.noteFailure(outcome.failure);
		return outcome;
	}

	private async post(method: string, body: IDataObject): Promise<HttpAnswer> {
		const url = `${this.connection.baseUrl}${method}.json`;
		const options: IHttpRequestOptions = {
			method: 'POST',
			url,
			body,
			json: true,
			timeout: this.settings.timeoutMs,
			returnFullResponse: true,
			abortSignal: this.cancelSignal,
			// A webhook's answers are read as bodies whatever the status: its 401 is final, so it is not
			// sent twice. OAuth2 lets every error status throw: n8n refreshes the token and repeats the call
			// only when a 401 throws, and n8n 1.x reads any ignoreHttpStatusErrors setting (2.x's
			// { ignore: true, except: [401] } too) as "throw for nothing". The thrown error still carries
			// the status and body (readThrownAnswer).
			ignoreHttpStatusErrors: this.connection.authentication !== 'oAuth2',
		};
		try {
			const response = (await this.context.helpers.httpRequestWithAuthentication.call(
				this.context,
				this.connection.credentialType,
				options,
			)) as { statusCode?: number; body?: unknown };
			return { status: response.statusCode ?? 200, body: response.body, transportCode: null, message: '', refreshFailed: false };
		} catch (error) {
			return readThrownAnswer(error, url);
		}
	}

	/** n8n may have refreshed the OAuth2 token during the call: redact the new one too. */
	private async learnRefreshedSecrets(): Promise<void> {
		if (this.connection.authentication !== 'oAuth2') return;
		try {
			const credentials = await this.context.getCredentials(this.connection.credentialType);
			this.connection.secrets = [...new Set([...this.connection.secrets, ...credentialSecrets(credentials, null)])];
		} catch {
			// The secrets known from the start still apply; the generic shapes catch the rest.
		}
	}

	/** Holds each request until the portal's bucket, as far as this process knows it, has room. */
	private async pace(): Promise<void> {
		const limit = this.settings.rateLimit;
		if (limit === null) return;
		await this.pause(this.buckets.reserve(this.portalKey, limit, Date.now()));
	}

	/** Learns from a failure what it says about the portal's limits. */
	private noteFailure(failure: Bitrix24Failure): void {
		const limit = this.settings.rateLimit;
		if (failure.errorCode === QUERY_LIMIT_EXCEEDED && limit !== null) this.buckets.markFull(this.portalKey, limit, Date.now());
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
			await sleepUnlessCancelled(ms, this.cancelSignal);
		} catch {
			// The sleep rejects only when the signal fires.
			throw this.cancelled();
		}
		this.throwIfCancelled();
	}
}

/** A command the portal's batch answer did not mention: it has no answer yet, so it is sent again. */
const UNANSWERED: FailureFacts = { errorCode: 'ERROR_UNEXPECTED_ANSWER', httpCode: null };
