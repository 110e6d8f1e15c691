// The portal's limits: a leaky bucket of requests, and a budget of run time per method that every
// answer reports in its `time` object.
import { errors } from './errors';
import { phpIsoDate } from './php';
import type { PortalOptions, PortalSettings } from './types';

const DEFAULT_OPERATING_WINDOW_SECONDS = 10 * 60;

/** Unix time in seconds, with the fraction PHP's microtime(true) has. */
export function nowSeconds(): number {
	return (performance.timeOrigin + performance.now()) / 1000;
}

/** Leaky bucket: each request adds 1, the level drains continuously, a request past `burst` is refused. */
class LeakyBucket {
	private level = 0;
	private updatedAt = Date.now();

	constructor(private readonly limits: { drainPerSecond: number; burst: number }) {}

	tryAdd(now: number): boolean {
		this.level = Math.max(0, this.level - ((now - this.updatedAt) / 1000) * this.limits.drainPerSecond);
		this.updatedAt = now;
		if (this.level + 1 > this.limits.burst) {
			return false;
		}
		this.level += 1;
		return true;
	}
}

/** Per-method run time over a sliding window (10 minutes on Bitrix24), kept in whole microseconds to avoid float drift. */
class OperatingLedger {
	// Entries arrive in time order, so expiry only ever drops from the front; the sum is kept running
	// so a call costs the same whether the window holds ten entries or ten thousand.
	private readonly entries = new Map<string, { list: Array<{ at: number; micros: number }>; sum: number }>();

	constructor(private readonly windowMs: number) {}

	private live(method: string, now: number): { list: Array<{ at: number; micros: number }>; sum: number } {
		let ledger = this.entries.get(method);
		if (ledger === undefined) {
			ledger = { list: [], sum: 0 };
			this.entries.set(method, ledger);
		}
		let expired = 0;
		while (expired < ledger.list.length && ledger.list[expired].at <= now - this.windowMs) {
			ledger.sum -= ledger.list[expired].micros;
			expired++;
		}
		if (expired > 0) ledger.list.splice(0, expired);
		return ledger;
	}

	seconds(method: string, now: number): number {
		return this.live(method, now).sum / 1e6;
	}

	add(method: string, now: number, seconds: number): void {
		const ledger = this.live(method, now);
		const micros = Math.round(seconds * 1e6);
		ledger.list.push({ at: now, micros });
		ledger.sum += micros;
	}

	/** Unix seconds when the method's sum drops to `budgetSeconds` or below (or the window's next reset). */
	resetAt(method: string, now: number, budgetSeconds: number | null): number {
		const { list, sum } = this.live(method, now);
		if (list.length === 0) {
			return Math.ceil((now + this.windowMs) / 1000);
		}
		if (budgetSeconds === null) {
			return Math.ceil((list[0].at + this.windowMs) / 1000);
		}
		let remaining = sum;
		const budgetMicros = Math.round(budgetSeconds * 1e6);
		for (const entry of list) {
			if (remaining <= budgetMicros) {
				break;
			}
			remaining -= entry.micros;
			if (remaining <= budgetMicros) {
				return Math.ceil((entry.at + this.windowMs) / 1000);
			}
		}
		return Math.ceil((list[0].at + this.windowMs) / 1000);
	}

	clear(): void {
		this.entries.clear();
	}
}

/** The limits a portal enforces, as its options set them; Portal.setOptions changes them while it runs. */
export class Limits {
	private bucket: LeakyBucket | null;
	private operatingBudgetSeconds: number | null;
	private processingSecondsPerCall: number;
	private operating: OperatingLedger;

	constructor(options: PortalOptions) {
		this.bucket = options.limits ? new LeakyBucket(options.limits) : null;
		this.operatingBudgetSeconds = options.operatingBudgetSeconds ?? null;
		this.operating = new OperatingLedger((options.operatingWindowSeconds ?? DEFAULT_OPERATING_WINDOW_SECONDS) * 1000);
		this.processingSecondsPerCall = options.processingSecondsPerCall ?? 0.01;
	}

	set(patch: PortalSettings): void {
		if (patch.limits !== undefined) {
			this.bucket = patch.limits ? new LeakyBucket(patch.limits) : null;
		}
		if (patch.operatingBudgetSeconds !== undefined) {
			this.operatingBudgetSeconds = patch.operatingBudgetSeconds;
			this.operating.clear();
		}
		if (patch.operatingWindowSeconds !== undefined) {
			this.operating = new OperatingLedger(patch.operatingWindowSeconds * 1000);
		}
		if (patch.processingSecondsPerCall !== undefined) {
			this.processingSecondsPerCall = patch.processingSecondsPerCall;
		}
	}

	/** Adds a request to the bucket: false when the bucket is full and the request is refused. */
	admit(now: number): boolean {
		return this.bucket === null || this.bucket.tryAdd(now);
	}

	/**
	 * Books one call of a method against its run-time budget and returns the seconds it took; throws
	 * OPERATION_TIME_LIMIT, booking nothing, when the method has already used up its budget.
	 */
	charge(method: string): number {
		const now = Date.now();
		const budget = this.operatingBudgetSeconds;
		if (budget !== null && this.operating.seconds(method, now) > budget) {
			throw errors.operatingLimit(this.operating.resetAt(method, now, budget));
		}
		this.operating.add(method, now, this.processingSecondsPerCall);
		return this.processingSecondsPerCall;
	}

	/** The `time` object of an answer: when it started and finished, and the method's run time so far. */
	timeObject(startedAt: number, method: string, processing: number, resetAt?: number): Record<string, unknown> {
		const finishedAt = Math.max(nowSeconds(), startedAt);
		const now = Date.now();
		return {
			start: startedAt,
			finish: finishedAt,
			duration: finishedAt - startedAt,
			processing,
			date_start: phpIsoDate(startedAt),
			date_finish: phpIsoDate(finishedAt),
			operating_reset_at: resetAt ?? this.operating.resetAt(method, now, null),
			operating: this.operating.seconds(method, now),
		};
	}
}

/** Moves a `time` object's finish to now: the answer was held back after it was made. */
export function finishTimeNow(time: Record<string, unknown>): void {
	if (typeof time.start !== 'number') return;
	const finishedAt = Math.max(nowSeconds(), time.start);
	time.finish = finishedAt;
	time.duration = finishedAt - time.start;
	time.date_finish = phpIsoDate(finishedAt);
}
