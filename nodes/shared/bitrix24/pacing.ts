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
 * The leaky bucket of each portal as this n8n process has filled it. A portal counts every request
 * against one bucket, so runs, nodes and loops that reach the same portal share one registry; a test
 * gives its client a registry of its own.
 */
export class PortalBuckets {
	private readonly buckets = new Map<string, BucketState>();

	/** Reserves the next send time for a request to `portal`: how long to wait before sending it. */
	reserve(portal: string, limit: RateLimit, now: number): number {
		const { waitMs, state } = reserveSlot(this.buckets.get(portal) ?? EMPTY_BUCKET, limit, now);
		// A bucket that has drained empty holds nothing worth keeping in a long-running n8n.
		for (const [key, bucket] of this.buckets) {
			if (levelAt(bucket, limit, now) === 0) this.buckets.delete(key);
		}
		this.buckets.set(portal, state);
		return waitMs;
	}

	/** The portal refused a request for its rate limit: its bucket is full, whatever was counted here. */
	markFull(portal: string, limit: RateLimit, now: number): void {
		this.buckets.set(portal, markFull(this.buckets.get(portal) ?? EMPTY_BUCKET, limit, now));
	}

	/** Forgets every count: for tests that start each case against an empty bucket. */
	clear(): void {
		this.buckets.clear();
	}
}

/** The registry every client of this process shares unless it is given another. */
export const PROCESS_PORTAL_BUCKETS = new PortalBuckets();
