/**
 * Everything a request waits for before it goes, in one place: a free place among the requests in
 * flight to the portal, room in the method's operating-time budget, and its turn in the portal's
 * bucket (docs/contract.md#pacing). After the answer, it reports what the answer taught: a refusal
 * cuts the rate, an answer raises it, the `time` objects update the budgets. The client calls
 * `enter` before each request and `leave` after it.
 */
import type { IDataObject } from 'n8n-workflow';

import { BITRIX24_CODES } from '../errors/codes';
import type { Bitrix24Failure } from '../errors/failures';
import type { OperatingBudgets } from './operatingBudget';
import type { PaceTicket, PortalBuckets, PortalPace, RateLimit } from './pacing';

/** A wait at least this long is written to n8n's log. */
export const LOGGED_WAIT_MS = 5_000;

export interface LimitSettings {
	/** The preset the bucket is paced by; null sends without pacing. */
	rateLimit: RateLimit | null;
	/** Requests in flight to the portal at once while it refuses nothing (1 to 5). */
	parallelRequests: number;
	/** How long the run may wait in all after the portal's refusals and for the operating budget. */
	maxLimitWaitMs: number;
	buckets: PortalBuckets;
	budgets: OperatingBudgets;
}

/** What the limits need from their client: a cancellable pause and n8n's log. */
export interface Waiter {
	pause(ms: number): Promise<void>;
	/** Resolves when the execution is cancelled or the run stops. */
	readonly stopped: Promise<void>;
	log(message: string): void;
}

/** One request between `enter` and `leave`. */
export interface Pass {
	ticket: PaceTicket | null;
}

/** What one answer said, for `leave`: the failure of the request or of each command, and each call's time. */
export interface AnswerFacts {
	/** The failure of the whole request, or null when it was answered. */
	failure: Bitrix24Failure | null;
	/** The request's own `time` (the portal's clock). */
	time: IDataObject | null | undefined;
	/** Each call the portal ran or refused, with its method. */
	calls: Array<{ method: string; failure: Bitrix24Failure | null; time: IDataObject | null | undefined }>;
}

export class PortalLimits {
	private readonly pace: PortalPace;
	/** What this run has waited so far after refusals and for the budget. */
	private limitWaitedMs = 0;
	/** This run's requests in flight. */
	private inFlight = 0;

	constructor(
		private readonly portal: string,
		private readonly settings: LimitSettings,
		private readonly waiter: Waiter,
	) {
		this.pace = settings.buckets.of(portal, settings.rateLimit, Date.now());
	}

	/**
	 * True while the run may still wait for the portal's limits, and the budgets of `calls` free up
	 * within what is left of that bound: a refused request is then sent again.
	 */
	mayWaitMore(calls: ReadonlyMap<string, number>): boolean {
		return this.limitWaitedMs < this.settings.maxLimitWaitMs && this.budgetWait(calls) !== null;
	}

	/**
	 * Waits until the request may go: a place in flight, room in the budgets of `calls` (method -> how
	 * many), its turn in the bucket. `afterRefusal` marks a request sent again after the portal refused it
	 * for a limit: its pacing wait counts against the run's bound as the budget's wait always does.
	 */
	async enter(calls: ReadonlyMap<string, number>, afterRefusal: boolean, progress: () => string): Promise<Pass> {
		await this.takePlace(calls);
		let cleared = false;
		try {
			// After a wait the reading may name a later moment (a refusal's block ends before the window resets).
			for (let budgetWait = this.budgetWait(calls); budgetWait !== 0; budgetWait = this.budgetWait(calls)) {
				if (budgetWait === null) {
					// Longer than the run may still wait: the request goes now, and a refusal is final.
					this.limitWaitedMs = this.settings.maxLimitWaitMs;
					break;
				}
				this.logWait(budgetWait, `the operating-time budget of ${[...calls.keys()].join(', ')}`, progress);
				this.limitWaitedMs += budgetWait;
				await this.waiter.pause(budgetWait);
			}
			if (this.settings.rateLimit === null) {
				cleared = true;
				return { ticket: null };
			}
			const { waitMs, ticket } = this.pace.reserve(Date.now());
			if (waitMs > 0) {
				if (afterRefusal) this.limitWaitedMs += waitMs;
				this.logWait(waitMs, "the portal's request limit", progress);
				await this.waiter.pause(waitMs);
			}
			cleared = true;
			return { ticket };
		} finally {
			if (!cleared) this.release();
		}
	}

	/** Frees the request's place and learns from its answer (or from nothing, when it was never answered). */
	leave(pass: Pass, facts: AnswerFacts | null): void {
		this.release();
		if (facts === null) return;
		const now = Date.now();
		const { budgets } = this.settings;
		budgets.noteClock(this.portal, facts.time, now);
		facts.calls.forEach((call, position) => {
			if (call.failure === null) budgets.noteAnswered(this.portal, call.method, call.time);
			else if (call.failure.errorCode === BITRIX24_CODES.operationTimeLimit && !ranLater(facts.calls, position)) budgets.noteRefused(this.portal, call.method, call.time, now);
		});
		if (pass.ticket === null) return;
		// The bucket refuses whole requests: a command refused inside an admitted batch says nothing of it.
		if (facts.failure?.errorCode === BITRIX24_CODES.queryLimitExceeded) this.pace.refused(pass.ticket, now);
		else if (facts.failure === null || facts.failure.httpCode !== null) this.pace.answered(now);
	}

	/**
	 * A place among the requests in flight: up to K of this run's while the portal refuses nothing and no
	 * budget is near; otherwise one at a time for the whole process, so that runs and workers sharing
	 * the portal do not keep several series of requests going while it refuses.
	 */
	private async takePlace(calls: ReadonlyMap<string, number>): Promise<void> {
		const unitCalls = Math.max(1, ...calls.values());
		for (;;) {
			const calm = !this.pace.recovering && !this.settings.budgets.near(this.portal, unitCalls, this.settings.parallelRequests);
			if (calm ? this.inFlight < this.settings.parallelRequests : this.pace.inFlight === 0) break;
			await Promise.race([this.pace.placeFreed(), this.waiter.stopped]);
			await this.waiter.pause(0);
		}
		this.inFlight += 1;
		this.pace.inFlight += 1;
	}

	private release(): void {
		this.inFlight -= 1;
		this.pace.inFlight -= 1;
		this.pace.notifyPlaceFreed();
	}

	/** How long `calls` must wait for the budget, or null when that is longer than what is left of the run's bound. */
	private budgetWait(calls: ReadonlyMap<string, number>): number | null {
		const now = Date.now();
		const ms = this.settings.budgets.readyAt(this.portal, calls, now) - now;
		if (ms <= 0) return 0;
		return ms <= this.settings.maxLimitWaitMs - this.limitWaitedMs ? ms : null;
	}

	private logWait(ms: number, what: string, progress: () => string): void {
		if (ms < LOGGED_WAIT_MS) return;
		this.waiter.log(`Bitrix24 portal ${this.portal}: waiting ${Math.round(ms / 1000)} s for ${what} (${progress()})`);
	}
}

/**
 * True when a later call of the same method in the answer ran: a portal past the method's budget
 * refuses every call of it until the reset, so a refusal followed by a run call is some other trouble.
 */
function ranLater(calls: AnswerFacts['calls'], position: number): boolean {
	const method = calls[position].method;
	return calls.slice(position + 1).some((call) => call.method === method && call.failure === null);
}
