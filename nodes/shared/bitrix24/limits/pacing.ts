/**
 * Client-side pacing against a Bitrix24 portal's leaky bucket: every request adds one unit, the
 * bucket drains continuously, and the portal refuses a request that would overflow it. Plain
 * functions over an explicit clock reading, so the arithmetic is tested without waiting.
 */
export interface RateLimit {
	/** Units drained per second. */
	drainPerSecond: number;
	/** Units the bucket holds. */
	burst: number;
}

export type RateLimitPreset = 'standard' | 'enterprise' | 'none';

/** The portal's published limits; `none` is for self-hosted portals that enforce none. */
export const RATE_LIMIT_PRESETS: Readonly<Record<RateLimitPreset, RateLimit | null>> = {
	standard: { drainPerSecond: 2, burst: 50 },
	enterprise: { drainPerSecond: 5, burst: 250 },
	none: null,
};

export function rateLimitOf(preset: unknown): RateLimit | null {
	return typeof preset === 'string' && Object.prototype.hasOwnProperty.call(RATE_LIMIT_PRESETS, preset)
		? RATE_LIMIT_PRESETS[preset as RateLimitPreset]
		: RATE_LIMIT_PRESETS.standard;
}

/**
 * One unit of headroom: requests reach the portal a little later and less evenly than they leave,
 * so a client that filled the bucket to the brim would now and then overflow it.
 */
export const SAFETY_UNITS = 1;

/** The bucket's level at the moment `at` (ms); `at` may lie ahead when a send time is reserved. */
export interface BucketState {
	level: number;
	at: number;
}

export const EMPTY_BUCKET: BucketState = { level: 0, at: Number.NEGATIVE_INFINITY };

export function levelAt(state: BucketState, limit: RateLimit, time: number): number {
	if (time <= state.at) return state.level;
	return Math.max(0, state.level - ((time - state.at) / 1000) * limit.drainPerSecond);
}

/**
 * Reserves the earliest send time at or after `now` that keeps the bucket within its limit, never
 * before an earlier reservation. Returns how long to wait and the bucket with this request in it.
 */
export function reserveSlot(state: BucketState, limit: RateLimit, now: number): { waitMs: number; state: BucketState } {
	const capacity = Math.max(1, limit.burst - SAFETY_UNITS);
	const earliest = Math.max(now, state.at);
	const overflow = levelAt(state, limit, earliest) + 1 - capacity;
	const sendAt = overflow > 0 ? earliest + Math.ceil((overflow / limit.drainPerSecond) * 1000) : earliest;
	return {
		waitMs: sendAt - now,
		state: { level: levelAt(state, limit, sendAt) + 1, at: sendAt },
	};
}

/** The portal said QUERY_LIMIT_EXCEEDED: its bucket is full whatever this client counted. */
export function markFull(state: BucketState, limit: RateLimit, now: number): BucketState {
	const at = Math.max(now, state.at);
	return { level: Math.max(levelAt(state, limit, at), limit.burst), at };
}

/**
 * How this process adapts to a portal that grants less than its preset, because other senders (other
 * applications, other n8n workers or executions) draw from the same bucket: additive increase,
 * multiplicative decrease. A refusal halves the rate this process allows itself; each answered request
 * gives back a small share of the preset; the rate never exceeds the preset nor falls below a floor.
 */
export const ADAPTIVE_PACING = {
	/** The rate after a refusal, as a share of the rate before it. */
	decrease: 0.5,
	/** What the rate regains per second while answers succeed, as a share of the preset's rate. */
	increasePerSecond: 0.03,
	/** The lowest rate, as a share of the preset's: a run keeps moving however crowded the portal. */
	floor: 0.05,
} as const;

/** A request's place in the pacing: when it was cleared to go, so a late refusal cuts the rate once only. */
export interface PaceTicket {
	sentAt: number;
}

/**
 * What this process knows of one portal's bucket: its level as counted here, the rate the portal
 * really grants this process (learned from refusals), and the requests in flight to it.
 */
export class PortalPace {
	private bucket: BucketState = EMPTY_BUCKET;
	private lastCutAt = Number.NEGATIVE_INFINITY;
	private lastRaisedAt = Number.NEGATIVE_INFINITY;
	private placeWaiters: Array<() => void> = [];
	/** Requests sent to the portal and not answered yet, by every run of this process. */
	inFlight = 0;
	/** Requests per second this process allows itself; the preset's until the portal refuses one. */
	rate: number;

	/** `limit` null: a portal without pacing, where only the requests in flight are counted. */
	constructor(readonly limit: RateLimit | null) {
		this.rate = limit?.drainPerSecond ?? 0;
	}

	/** The bucket as this process paces it: the portal's size, drained at the learned rate. */
	private learned(limit: RateLimit): RateLimit {
		return { drainPerSecond: this.rate, burst: limit.burst };
	}

	/** True while the rate is below the preset: the portal refused lately and the process is still backing off. */
	get recovering(): boolean {
		return this.limit !== null && this.rate < this.limit.drainPerSecond;
	}

	/** Reserves the next send time: how long to wait before sending, and the ticket to report the answer with. */
	reserve(now: number): { waitMs: number; ticket: PaceTicket } {
		if (this.limit === null) return { waitMs: 0, ticket: { sentAt: now } };
		const { waitMs, state } = reserveSlot(this.bucket, this.learned(this.limit), now);
		this.bucket = state;
		return { waitMs, ticket: { sentAt: now + waitMs } };
	}

	/**
	 * The portal refused a request for its rate limit: its bucket is full whatever was counted here, and
	 * the rate halves, once for all the requests already in flight when the first refusal came back.
	 */
	refused(ticket: PaceTicket, now: number): void {
		if (this.limit === null) return;
		this.bucket = markFull(this.bucket, this.learned(this.limit), now);
		if (ticket.sentAt < this.lastCutAt) return;
		this.lastCutAt = now;
		this.lastRaisedAt = now;
		this.rate = Math.max(this.limit.drainPerSecond * ADAPTIVE_PACING.floor, this.rate * ADAPTIVE_PACING.decrease);
	}

	/**
	 * The portal answered a request without refusing it: the rate creeps back towards the preset, by a
	 * share per second since it last rose, so a process cut low regains its share as fast as one cut less.
	 */
	answered(now: number): void {
		if (this.limit === null || !this.recovering) return;
		const seconds = Math.max(0, now - this.lastRaisedAt) / 1000;
		this.lastRaisedAt = now;
		const step = this.limit.drainPerSecond * ADAPTIVE_PACING.increasePerSecond * seconds;
		this.rate = Math.min(this.limit.drainPerSecond, this.rate + step);
	}

	/** Resolves when a request in flight is answered (or given up). */
	placeFreed(): Promise<void> {
		return new Promise((resolve) => this.placeWaiters.push(resolve));
	}

	notifyPlaceFreed(): void {
		const waiters = this.placeWaiters;
		this.placeWaiters = [];
		for (const wake of waiters) wake();
	}

	/** True when nothing is in flight and the bucket has drained empty at the preset: nothing worth keeping. */
	idle(now: number): boolean {
		if (this.inFlight > 0 || this.recovering || this.placeWaiters.length > 0) return false;
		return this.limit === null || levelAt(this.bucket, this.limit, now) === 0;
	}
}

/**
 * The pacing state of each portal this n8n process sends to. A portal counts every request against
 * one bucket, so runs, nodes and loops that reach the same portal share one registry; a test gives its
 * client a registry of its own.
 */
export class PortalBuckets {
	private readonly portals = new Map<string, PortalPace>();

	/** The pacing state of `portal`, made on first use (and anew when a run brings another preset). */
	of(portal: string, limit: RateLimit | null, now: number): PortalPace {
		// A portal idle long enough that its bucket drained holds nothing worth keeping in a long-running n8n.
		for (const [key, pace] of this.portals) {
			if (key !== portal && pace.idle(now)) this.portals.delete(key);
		}
		let pace = this.portals.get(portal);
		const samePreset = (a: RateLimit | null, b: RateLimit | null) => a?.drainPerSecond === b?.drainPerSecond && a?.burst === b?.burst;
		if (pace === undefined || (!samePreset(pace.limit, limit) && pace.inFlight === 0)) {
			pace = new PortalPace(limit);
			this.portals.set(portal, pace);
		}
		return pace;
	}

	/** Forgets every count: for tests that start each case against an empty bucket. */
	clear(): void {
		this.portals.clear();
	}
}

/** The registry every client of this process shares unless it is given another. */
export const PROCESS_PORTAL_BUCKETS = new PortalBuckets();
