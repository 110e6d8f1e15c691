import type { IDataObject } from 'n8n-workflow';

import type { Bitrix24Outcome } from './answers';
import { UNANSWERED_COMMAND, commandMethod, hasCommandErrors, readAnswer, readBatchEnvelope } from './answers';
import type { Command } from './commands';
import { methodCounts, sortOutcome } from './commands';
import type { Call } from './calls';
import { toBatchCommand } from './calls';
import type { AuthenticationMethod, Connection, RequestContext } from './connection';
import { openConnection, postCall } from './connection';
import { REST_METHODS } from './methods';
import type { FailureFacts } from '../errors/codes';
import { isLimitRefusal, isRetried } from '../errors/codes';
import type { Bitrix24Failure } from '../errors/failures';
import { invalidResponse } from '../errors/failures';
import type { OperatingBudgets } from '../limits/operatingBudget';
import { PROCESS_OPERATING_BUDGETS } from '../limits/operatingBudget';
import type { PortalBuckets, RateLimit } from '../limits/pacing';
import { PROCESS_PORTAL_BUCKETS } from '../limits/pacing';
import type { AnswerFacts, Pass } from '../limits/portalLimits';
import { PortalLimits } from '../limits/portalLimits';
import { redactSecrets } from '../errors/redact';
import type { RetryPolicy } from '../limits/retryPolicy';
import { backoffDelay, retryDelay } from '../limits/retryPolicy';
import { RunStop } from '../limits/waits';
import type { GateTurn } from './tokenGate';
import { TokenGate } from './tokenGate';
import { TokenRotation } from './tokenRotation';

/**
 * How the client treats the portal: its rate limit (null: no pacing), the requests in flight, the
 * bound on waiting for the portal's limits, the retry bounds, the request timeout.
 */
export interface ClientSettings {
	rateLimit: RateLimit | null;
	/** Requests in flight to the portal at once while it refuses nothing (1 to 5). */
	parallelRequests: number;
	/** How long a run may wait in all after the portal's refusals and for the operating budget. */
	maxLimitWaitMs: number;
	retryPolicy: RetryPolicy;
	/** How long one request may wait for its answer before it counts as timed out. */
	timeoutMs: number;
	/** Whose count of the portals' buckets to pace by: the process's, unless a test brings its own. */
	buckets?: PortalBuckets;
	/** Whose record of the methods' operating time to go by: the process's, unless a test brings its own. */
	budgets?: OperatingBudgets;
	/** How far the run has come, for the log line of a long wait, e.g. "120 of 1000 items done". */
	progress?: () => string;
}

export type BatchOutcome = { ok: true; outcomes: Bitrix24Outcome[] } | { ok: false; failure: Bitrix24Failure };

/** One round's answer: each command's outcome by key (undefined: left unanswered), or the request's failure. */
type Round = { ok: true; commands: Map<string, Bitrix24Outcome | undefined> } | { ok: false; failure: Bitrix24Failure };

/** One request: its method and body, its calls by method (what the portal's limits count), whether it
 * follows a refusal for those limits, and for a batch how to read each command's facts from the result. */
interface PortalRequest {
	method: string;
	body: IDataObject;
	calls: ReadonlyMap<string, number>;
	afterRefusal: boolean;
	readCommands?: (result: unknown) => Promise<AnswerFacts['calls']>;
}

/**
 * The one door to a Bitrix24 portal: sends calls through n8n's authenticated request helper (so
 * n8n's proxy settings and OAuth2 refresh apply), holds each request for an OAuth2 token that may
 * have expired (tokenGate.ts) and for the portal's limits (portalLimits.ts), repeats transient
 * failures within the retry policy's bounds, and hands back each call's result or redacted failure.
 */
export class Bitrix24Client {
	/** Retry waits of this client so far: the policy bounds their sum. */
	private waitedMs = 0;
	private readonly limits: PortalLimits;
	/** Sends again a request whose OAuth2 refresh was refused for a token already renewed. */
	private readonly rotation: TokenRotation;
	/** Holds requests while one goes with an OAuth2 token that may have expired (tokenGate.ts). */
	private readonly gate: TokenGate;
	/** Ends every wait and request in flight when the execution is cancelled or the run stops. */
	private readonly stop: RunStop;

	private constructor(
		private readonly context: RequestContext,
		private readonly connection: Connection,
		private readonly settings: ClientSettings,
	) {
		this.stop = new RunStop(context.getNode(), 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined);
		const origin = new URL(connection.baseUrl).origin;
		const waiter = { pause: async (ms: number) => await this.stop.pause(ms), log: (message: string) => context.logger?.info(message) };
		this.gate = new TokenGate(context, connection, origin, this.stop);
		this.rotation = new TokenRotation(connection, origin, waiter, async () => await this.gate.readSaved());
		const registries = { buckets: settings.buckets ?? PROCESS_PORTAL_BUCKETS, budgets: settings.budgets ?? PROCESS_OPERATING_BUDGETS };
		this.limits = new PortalLimits(origin, { ...settings, ...registries }, { ...waiter, stopped: this.stop.stopped });
	}

	/** Reads the credential once; a credential that cannot work stops the run before any request. */
	static async open(context: RequestContext, authentication: AuthenticationMethod, settings: ClientSettings): Promise<Bitrix24Client> {
		return new Bitrix24Client(context, await openConnection(context, authentication), settings);
	}

	get baseUrl(): string {
		return this.connection.baseUrl;
	}

	redact(text: string): string {
		return redactSecrets(text, this.connection.secrets);
	}

	/** Ends every wait and request of this client: the run has stopped and needs no more answers. */
	halt(): void {
		this.stop.halt();
	}

	/** The run's end: resolves when the execution is cancelled or the run stops, for waits outside the client. */
	get stopped(): Promise<void> {
		return this.stop.stopped;
	}

	/** Throws the run's stop error once the execution was cancelled or the run stopped. */
	throwIfStopped(): void {
		this.stop.throwIfStopped();
	}

	/** One REST call: POST `<base>/<method>.json` with a JSON body, repeated while the failure is transient. */
	async call(call: Call): Promise<Bitrix24Outcome> {
		const only: Command = ['call', call.method];
		const calls = methodCounts([only]);
		const send = async (_pending: readonly Command[], afterRefusal: boolean): Promise<Round> => {
			const outcome = await this.exchange({ method: call.method, body: call.params, calls, afterRefusal });
			return { ok: true, commands: new Map([[only[0], outcome]]) };
		};
		const settled = await this.untilSettled([only], send, new Set(call.writes === true ? [only[0]] : []));
		return settled.ok ? settled.outcomes[0] : { ok: false, failure: settled.failure };
	}

	/**
	 * Up to 50 calls in one `batch` request, an outcome for each in order. Commands that failed
	 * transiently, or that the answer left out, are sent again in a smaller batch; answered ones never
	 * are. A batch refused as a whole, before any command was answered, is that failure.
	 */
	async batch(calls: readonly Call[]): Promise<BatchOutcome> {
		const commands = calls.map((call, position): Command => [`i${position}`, toBatchCommand(call)]);
		const writes = new Set(commands.filter((_, position) => calls[position].writes === true).map(([key]) => key));
		return await this.untilSettled(commands, async (pending, afterRefusal) => await this.batchRound(pending, afterRefusal), writes);
	}

	/**
	 * The refusal-or-retry loop of every request, written once: sends the commands, keeps each answered
	 * outcome, and sends again those that failed transiently, were refused for the portal's limits or
	 * were left unanswered, while the bounds allow. Refusals wait for the portal's limits; any other
	 * failure spends a retry. A round that failed as a whole, with nothing answered, ends as that failure.
	 * The commands in `writes` are sent again only after refusals (commands.ts: sortOutcome).
	 */
	private async untilSettled(
		commands: readonly Command[],
		sendRound: (pending: readonly Command[], afterRefusal: boolean) => Promise<Round>,
		writes: ReadonlySet<string> = new Set(),
	): Promise<BatchOutcome> {
		const answered = new Map<string, Bitrix24Outcome>();
		let pending = commands;
		let afterRefusal = false;
		for (let retry = 1, refusals = 0; pending.length > 0; ) {
			const round = await sendRound(pending, afterRefusal);
			// Refused as a whole before any command was answered, for good (a portal that refuses `batch` itself,
			// HTTP 405): the caller gets that failure, not one per command, and may send the calls on their own.
			if (!round.ok && answered.size === 0 && !isRetried(round.failure) && !isLimitRefusal(round.failure)) return round;
			const retryable: Command[] = [];
			const failures: FailureFacts[] = [];
			for (const entry of pending) {
				const outcome = round.ok ? round.commands.get(entry[0]) : { ok: false as const, failure: round.failure };
				const sorted = sortOutcome(outcome, writes.has(entry[0]));
				if ('keep' in sorted) answered.set(entry[0], sorted.keep);
				else failures.push(sorted.again);
				if ('again' in sorted) retryable.push(entry);
			}
			if (retryable.length === 0) break;
			afterRefusal = failures.every(isLimitRefusal);
			const delay = afterRefusal
				? this.refusalDelay(methodCounts(retryable), ++refusals)
				: this.delayBeforeRetry(failures.filter((failure) => !isLimitRefusal(failure)), retry++);
			if (delay === null) {
				// Nothing answered at all: the request as a whole failed (a batch's caller may fall back to single calls).
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
	private async batchRound(commands: readonly Command[], afterRefusal: boolean): Promise<Round> {
		const calls = methodCounts(commands);
		let byKey: Map<string, Bitrix24Outcome | undefined> | null = null;
		const readCommands = async (result: unknown): Promise<AnswerFacts['calls']> => {
			if (hasCommandErrors(result)) await this.gate.readSaved();
			byKey = readBatchEnvelope(
				result,
				commands.map(([key]) => key),
				this.connection.secrets,
			);
			if (byKey === null) return [];
			const answers = byKey;
			return commands.flatMap(([key, command]) => {
				const answer = answers.get(key);
				return answer === undefined ? [] : [{ method: commandMethod(command), failure: answer.ok ? null : answer.failure, time: answer.time }];
			});
		};
		const body: IDataObject = { halt: 0, cmd: Object.fromEntries(commands) as IDataObject };
		const outcome = await this.exchange({ method: REST_METHODS.batch, body, calls, afterRefusal, readCommands });
		if (!outcome.ok) return outcome;
		if (byKey === null) {
			return { ok: false, failure: invalidResponse(outcome.httpCode, 'The Bitrix24 portal answered the batch call without its result maps') };
		}
		return { ok: true, commands: byKey };
	}

	/** Sends one request through the token gate, again while its OAuth2 refresh met a token renewed elsewhere (tokenRotation.ts). */
	private async exchange(request: PortalRequest): Promise<Bitrix24Outcome> {
		const turn = this.gate.turn();
		try {
			for (let sends = 0; ; sends++) {
				const sentWith = this.rotation.tokenNow();
				const outcome = await this.sendOnce(request, turn);
				if (!(await this.rotation.sendAgain(outcome, sentWith, sends))) return outcome;
			}
		} finally {
			await turn.done();
		}
	}

	/**
	 * Sends one request once the token gate and the portal's limits let it go (back to the gate if the
	 * token expired meanwhile), reads its answer (learning any refreshed token first when it failed) and
	 * tells the limits what it said: for a single call, the call; for a batch, what `readCommands` finds.
	 */
	private async sendOnce({ method, body, calls, afterRefusal, readCommands }: PortalRequest, turn: GateTurn): Promise<Bitrix24Outcome> {
		let pass: Pass | null = null;
		let facts: AnswerFacts | null = null;
		try {
			let answer = await turn.wait();
			while (answer === null) {
				pass = await this.limits.enter(calls, afterRefusal, () => this.settings.progress?.() ?? 'the run goes on');
				if (turn.mayGo()) {
					answer = turn.answered(await postCall(this.context, this.connection, method, body, { timeoutMs: this.settings.timeoutMs, signal: this.stop.signal }));
				} else {
					this.limits.leave(pass, null);
					pass = null;
					answer = await turn.wait();
				}
			}
			this.stop.throwIfStopped();
			if (answer.status === null || answer.status >= 400) await this.gate.readSaved();
			const outcome = readAnswer(answer, this.connection.secrets);
			const failure = outcome.ok ? null : outcome.failure;
			facts = { failure, time: outcome.time, calls: [] };
			if (readCommands === undefined) facts.calls.push({ method, failure, time: outcome.time });
			else if (outcome.ok) facts.calls.push(...(await readCommands(outcome.result)));
			return outcome;
		} finally {
			if (pass !== null) this.limits.leave(pass, facts);
		}
	}

	/**
	 * The wait before sending again after the portal refused for its limits, or null once the run's
	 * bound on such waits is spent. With pacing, the bucket and the budgets hold the request (`enter`);
	 * a portal paced by nothing gets the backoff.
	 */
	private refusalDelay(calls: ReadonlyMap<string, number>, refusals: number): number | null {
		if (!this.limits.mayWaitMore(calls)) return null;
		return this.settings.rateLimit === null ? backoffDelay(refusals, this.settings.retryPolicy, Math.random) : 0;
	}

	/**
	 * The wait before sending again after these failures (the longest any of them needs), or null
	 * when one of them must not be repeated or the bounds are spent.
	 */
	private delayBeforeRetry(failures: readonly FailureFacts[], retry: number): number | null {
		let longest = 0;
		for (const failure of failures) {
			const delay = retryDelay({ failure, retry, waitedMs: this.waitedMs, policy: this.settings.retryPolicy, random: Math.random });
			if (delay === null) return null;
			longest = Math.max(longest, delay);
		}
		return longest;
	}

	private async waitBeforeRetry(delay: number): Promise<void> {
		this.waitedMs += delay;
		await this.stop.pause(delay);
	}
}
