/**
 * The operating-time budget (docs/contract.md#operating-budget): a portal lets each REST method run
 * for a limited time within a sliding window and refuses it with OPERATION_TIME_LIMIT past that. Every
 * answer says how much the method has used (`time.operating`, seconds) and when the oldest of it drops
 * out (`time.operating_reset_at`, unix seconds on the portal's clock). This registry keeps that per
 * portal and method, learns the budget from a refusal, and tells a client when a call fits again, so
 * a long run waits for the window instead of being refused. Plain arithmetic over explicit clock
 * readings, shared by every run of the process that reaches the same portal.
 */
import type { IDataObject } from 'n8n-workflow';

/** The published budget of cloud portals: 480 s of run time per method within 10 minutes. */
export const PUBLISHED_BUDGET_SECONDS = 480;

/**
 * Past the reset moment the portal gave, how long to wait more: its seconds are whole and its clock
 * is read from its answers, so the moment is known to a fraction of a second only.
 */
export const RESET_MARGIN_MS = 250;

/** Seconds of slack in comparing run times: the portal reports them to the microsecond, sums drift. */
const SECONDS_SLACK = 1e-6;

/** A refusal that names no reset moment is tried again after this long. */
export const UNNAMED_RESET_WAIT_MS = 10_000;

/** What the process knows of one method's run time on one portal. */
interface MethodUse {
	/** Seconds the portal last reported the method used, this process's calls and everyone else's. */
	operating: number;
	/** When (this process's clock, ms) the oldest of that time drops out of the window; 0 when unknown. */
	resetAt: number;
	/** When (the portal's clock, unix seconds) the call the reading comes from finished: an older reading is stale. */
	readingAt: number;
	/** Seconds the method may use: the published budget until a refusal shows the portal grants less. */
	budget: number;
	/** True once a refusal has taught the budget. */
	learned: boolean;
	/** After a refusal: no call before this moment (this process's clock, ms). */
	blockedUntil: number;
	/** Seconds one call of the method runs, as the portal reports it; rises at once, falls slowly. */
	costPerCall: number;
}

/** The numbers of an answer's `time` object that matter here; each NaN when the answer lacks it. */
interface TimeReading {
	operating: number;
	resetAt: number;
	processing: number;
	finish: number;
}

function readTime(time: IDataObject | null | undefined): TimeReading {
	const number = (value: unknown): number => (typeof value === 'number' || typeof value === 'string' ? Number(value) : Number.NaN);
	return {
		operating: number(time?.operating),
		resetAt: number(time?.operating_reset_at),
		processing: number(time?.processing ?? time?.duration),
		finish: number(time?.finish),
	};
}

export class OperatingBudgets {
	private readonly uses = new Map<string, MethodUse>();
	/** How far each portal's clock runs ahead of this process's (ms), from its latest answer. */
	private readonly skews = new Map<string, number>();

	private use(portal: string, method: string): MethodUse {
		const key = `${portal} ${method}`;
		let use = this.uses.get(key);
		if (use === undefined) {
			use = { operating: 0, resetAt: 0, readingAt: 0, budget: PUBLISHED_BUDGET_SECONDS, learned: false, blockedUntil: 0, costPerCall: 0 };
			this.uses.set(key, use);
		}
		return use;
	}

	/** A portal moment (unix seconds) on this process's clock (ms). */
	private localMoment(portal: string, unixSeconds: number): number {
		return unixSeconds * 1000 - (this.skews.get(portal) ?? 0);
	}

	/** Learns the portal's clock from an answer's `time.finish`, read at `receivedAt`. */
	noteClock(portal: string, time: IDataObject | null | undefined, receivedAt: number): void {
		const { finish } = readTime(time);
		if (Number.isFinite(finish) && finish > 0) this.skews.set(portal, finish * 1000 - receivedAt);
	}

	/** Learns from a call the portal ran: how much the method has used, and what one call costs. */
	noteAnswered(portal: string, method: string, time: IDataObject | null | undefined): void {
		const reading = readTime(time);
		if (!Number.isFinite(reading.operating)) return;
		const use = this.use(portal, method);
		// Answers of requests in flight together come back in any order: keep the latest reading.
		if (Number.isFinite(reading.finish) && reading.finish > 0) {
			if (reading.finish < use.readingAt) return;
			use.readingAt = reading.finish;
		}
		use.operating = reading.operating;
		if (Number.isFinite(reading.resetAt) && reading.resetAt > 0) use.resetAt = this.localMoment(portal, reading.resetAt);
		if (Number.isFinite(reading.processing) && reading.processing > 0) {
			use.costPerCall = Math.max(reading.processing, use.costPerCall * 0.8 + reading.processing * 0.2);
		}
		// The portal runs a call only while the time used before it is within the budget: a call it ran
		// with more used than a learned budget (and a call's margin) shows the refusal was not the budget.
		if (use.learned && use.operating > use.budget + 2 * use.costPerCall) {
			use.learned = false;
			use.budget = PUBLISHED_BUDGET_SECONDS;
		}
		// A portal that let the method run past the published budget does not enforce it.
		if (!use.learned && use.operating > use.budget) use.budget = Number.POSITIVE_INFINITY;
	}

	/**
	 * The portal refused the method for its budget. It runs a call while the time used before it is
	 * within the budget, so the budget is the latest reading (the refusal's, or the last answered call's)
	 * less one call. The method runs again at the reset moment the refusal names, or else (a command
	 * refused inside a batch carries no time of its own) the one the last answer named, 10 s at most.
	 */
	noteRefused(portal: string, method: string, time: IDataObject | null | undefined, now: number): void {
		const reading = readTime(time);
		const use = this.use(portal, method);
		const operating = Number.isFinite(reading.operating) && reading.operating > 0 ? reading.operating : use.operating;
		if (operating > 0) {
			const budget = Math.max(use.costPerCall, operating - use.costPerCall);
			use.budget = use.learned ? Math.min(use.budget, budget) : budget;
			use.learned = true;
		}
		if (Number.isFinite(reading.resetAt) && reading.resetAt > 0) {
			use.resetAt = this.localMoment(portal, reading.resetAt);
			use.blockedUntil = use.resetAt;
		} else {
			use.blockedUntil = use.resetAt > now ? Math.min(use.resetAt, now + UNNAMED_RESET_WAIT_MS) : now + UNNAMED_RESET_WAIT_MS;
		}
		use.operating = Math.max(operating, use.budget);
	}

	/**
	 * When calls of these methods (method -> how many) fit the budget: `now` when they do, else the
	 * moment the portal said time drops out of the window. Past that moment the reading is stale, and
	 * the calls go: their answer is the new reading.
	 */
	readyAt(portal: string, calls: ReadonlyMap<string, number>, now: number): number {
		let ready = now;
		for (const [method, count] of calls) {
			const use = this.uses.get(`${portal} ${method}`);
			if (use === undefined) continue;
			if (use.blockedUntil + RESET_MARGIN_MS > now) ready = Math.max(ready, use.blockedUntil + RESET_MARGIN_MS);
			else if (use.operating + count * use.costPerCall > use.budget + SECONDS_SLACK && use.resetAt + RESET_MARGIN_MS > now) ready = Math.max(ready, use.resetAt + RESET_MARGIN_MS);
		}
		return ready;
	}

	/**
	 * True when `units` more requests of up to `callsPerUnit` calls each could take a method past its
	 * budget: the client then sends one request at a time, so each answer updates the reading first.
	 */
	near(portal: string, callsPerUnit: number, units: number): boolean {
		const prefix = `${portal} `;
		for (const [key, use] of this.uses) {
			if (key.startsWith(prefix) && use.operating + units * callsPerUnit * use.costPerCall > use.budget) return true;
		}
		return false;
	}

	/** Forgets everything: for tests that start each case against a fresh portal. */
	clear(): void {
		this.uses.clear();
		this.skews.clear();
	}
}

/** The registry every client of this process shares unless it is given another. */
export const PROCESS_OPERATING_BUDGETS = new OperatingBudgets();
