import type { BucketState, RateLimit } from '../../nodes/shared/bitrix24/limits/pacing';
import {
	EMPTY_BUCKET,
	PortalBuckets,
	PortalPace,
	RATE_LIMIT_PRESETS,
	SAFETY_UNITS,
	levelAt,
	markFull,
	rateLimitOf,
	reserveSlot,
} from '../../nodes/shared/bitrix24/limits/pacing';

const STANDARD = RATE_LIMIT_PRESETS.standard as RateLimit;

/** Reserves `count` slots all asked for at `now`, as a run that sends back to back does. */
function sendTimes(limit: RateLimit, count: number, now = 0, start: BucketState = EMPTY_BUCKET): number[] {
	let state = start;
	const times: number[] = [];
	for (let index = 0; index < count; index++) {
		const slot = reserveSlot(state, limit, now);
		state = slot.state;
		times.push(now + slot.waitMs);
	}
	return times;
}

/** The portal's own bucket, fed the send times: true when it would refuse one of them. */
function portalWouldRefuse(limit: RateLimit, times: number[]): boolean {
	let level = 0;
	let at = times[0] ?? 0;
	for (const time of times) {
		level = Math.max(0, level - ((time - at) / 1000) * limit.drainPerSecond);
		at = time;
		if (level + 1 > limit.burst) return true;
		level += 1;
	}
	return false;
}

describe('The presets are the portal limits of docs/contract.md#pacing', () => {
	it('standard is 2 requests/s with a burst of 50, Enterprise 5/s with 250, none paces nothing', () => {
		expect(RATE_LIMIT_PRESETS).toEqual({
			standard: { drainPerSecond: 2, burst: 50 },
			enterprise: { drainPerSecond: 5, burst: 250 },
			none: null,
		});
	});

	it.each([
		['standard', { drainPerSecond: 2, burst: 50 }],
		['enterprise', { drainPerSecond: 5, burst: 250 }],
		['none', null],
		['unknown', { drainPerSecond: 2, burst: 50 }],
		[undefined, { drainPerSecond: 2, burst: 50 }],
		// Only text names a preset: a list that an expression gave, whose text would be "none", is not one.
		[['none'], { drainPerSecond: 2, burst: 50 }],
		[['enterprise'], { drainPerSecond: 2, burst: 50 }],
	])('rateLimitOf(%p)', (preset, limit) => {
		expect(rateLimitOf(preset)).toEqual(limit);
	});
});

describe('Client-side leaky bucket', () => {
	it('sends the burst at once, less one unit of headroom', () => {
		const times = sendTimes(STANDARD, STANDARD.burst - SAFETY_UNITS);
		expect(times.every((time) => time === 0)).toBe(true);
	});

	it('then sends one request per 500 ms on the standard limits', () => {
		const times = sendTimes(STANDARD, 53);
		expect(times.slice(48)).toEqual([0, 500, 1000, 1500, 2000]);
	});

	it('spaces requests 200 ms apart once the Enterprise burst of 250 is used', () => {
		const enterprise = RATE_LIMIT_PRESETS.enterprise as RateLimit;
		const times = sendTimes(enterprise, 251);
		expect(times.slice(248)).toEqual([0, 200, 400]);
	});

	it.each([100, 1000, 10000])('never lets the portal refuse one of %i requests sent back to back', (count) => {
		expect(portalWouldRefuse(STANDARD, sendTimes(STANDARD, count))).toBe(false);
	});

	it('counts the drain since the last request', () => {
		const full = { level: 49, at: 0 };
		expect(levelAt(full, STANDARD, 1000)).toBe(47);
		expect(levelAt(full, STANDARD, 60_000)).toBe(0);
		expect(reserveSlot(full, STANDARD, 1000)).toEqual({ waitMs: 0, state: { level: 48, at: 1000 } });
	});

	it('never reserves a slot before one reserved earlier', () => {
		const ahead = { level: 49, at: 5000 };
		expect(reserveSlot(ahead, STANDARD, 0)).toEqual({ waitMs: 5500, state: { level: 49, at: 5500 } });
	});

	it('after QUERY_LIMIT_EXCEEDED, treats the bucket as full and waits for it to drain', () => {
		const full = markFull(EMPTY_BUCKET, STANDARD, 10_000);
		expect(full).toEqual({ level: 50, at: 10_000 });
		expect(reserveSlot(full, STANDARD, 10_000)).toEqual({ waitMs: 1000, state: { level: 49, at: 11_000 } });
	});
});

describe('PortalBuckets: one count per portal, shared by every client that is given the same registry', () => {
	const limit: RateLimit = { drainPerSecond: 2, burst: 5 };
	const NOW = 1_000_000;
	/** How long a request to `portal` waits, as a client of this registry reserves it. */
	const reserve = (buckets: PortalBuckets, portal: string) => buckets.of(portal, limit, NOW).reserve(NOW).waitMs;

	it('lets a portal take its burst less one unit of headroom at once, then spaces requests at the drain rate', () => {
		const buckets = new PortalBuckets();
		const waits = Array.from({ length: 6 }, () => reserve(buckets, 'https://a.example'));
		expect(waits).toEqual([0, 0, 0, 0, 500, 1000]);
	});

	it('counts each portal on its own', () => {
		const buckets = new PortalBuckets();
		for (let i = 0; i < 4; i++) reserve(buckets, 'https://a.example');
		expect(reserve(buckets, 'https://b.example')).toBe(0);
		expect(reserve(buckets, 'https://a.example')).toBe(500);
	});

	it('keeps two registries apart: a fresh registry starts with empty buckets', () => {
		const shared = new PortalBuckets();
		for (let i = 0; i < 4; i++) reserve(shared, 'https://a.example');
		expect(reserve(new PortalBuckets(), 'https://a.example')).toBe(0);
		expect(reserve(shared, 'https://a.example')).toBe(500);
	});

	it('forgets every count when cleared', () => {
		const buckets = new PortalBuckets();
		for (let i = 0; i < 4; i++) reserve(buckets, 'https://a.example');
		buckets.clear();
		expect(reserve(buckets, 'https://a.example')).toBe(0);
	});

	it('after a refusal for the rate limit, waits until the full bucket has drained a unit below its headroom', () => {
		const buckets = new PortalBuckets();
		const pace = buckets.of('https://a.example', limit, NOW);
		pace.refused(pace.reserve(NOW).ticket, NOW);
		// Full at 5, one unit of headroom: 2 units must drain at the halved rate of 1/s.
		expect(reserve(buckets, 'https://a.example')).toBe(2000);
	});
});

describe('Edges of the bucket and of the registry of portals', () => {
	const STANDARD_LIMIT = { drainPerSecond: 2, burst: 50 };
	const AT = 1_800_000_000_000;

	it('a bucket reserved ahead holds its level until that moment', () => {
		expect(levelAt({ level: 3, at: AT + 1_000 }, STANDARD_LIMIT, AT)).toBe(3);
	});

	it('a portal without pacing takes answers without counting a rate', () => {
		const pace = new PortalPace(null);
		expect(() => pace.answered(AT)).not.toThrow();
		expect(pace.rate).toBe(0);
	});

	it('wakes every request waiting for a place when one is freed', async () => {
		const pace = new PortalPace(STANDARD_LIMIT);
		const woken: number[] = [];
		const waiting = [pace.placeFreed().then(() => woken.push(1)), pace.placeFreed().then(() => woken.push(2))];
		pace.notifyPlaceFreed();
		await Promise.all(waiting);
		expect(woken).toEqual([1, 2]);
	});

	it('keeps a portal with requests in flight, waiting or not drained yet, and forgets an idle one', () => {
		const buckets = new PortalBuckets();
		const inFlight = buckets.of('https://in-flight.example', STANDARD_LIMIT, AT);
		inFlight.inFlight = 1;
		const waiting = buckets.of('https://waiting.example', STANDARD_LIMIT, AT);
		void waiting.placeFreed();
		const busy = buckets.of('https://busy.example', STANDARD_LIMIT, AT);
		busy.reserve(AT);
		busy.reserve(AT);
		const idle = buckets.of('https://idle.example', STANDARD_LIMIT, AT);
		idle.reserve(AT);
		const unpaced = buckets.of('https://unpaced.example', null, AT);
		// Half a second on, one unit has drained: the bucket that held one and the unpaced portal are idle.
		buckets.of('https://other.example', STANDARD_LIMIT, AT + 500);
		expect(buckets.of('https://in-flight.example', STANDARD_LIMIT, AT + 500)).toBe(inFlight);
		expect(buckets.of('https://waiting.example', STANDARD_LIMIT, AT + 500)).toBe(waiting);
		expect(buckets.of('https://busy.example', STANDARD_LIMIT, AT + 500)).toBe(busy);
		expect(buckets.of('https://idle.example', STANDARD_LIMIT, AT + 500)).not.toBe(idle);
		expect(buckets.of('https://unpaced.example', null, AT + 500)).not.toBe(unpaced);
	});

	it('makes the state anew for a run with another preset, unless requests are in flight', () => {
		const buckets = new PortalBuckets();
		const standard = buckets.of('https://a.example', STANDARD_LIMIT, AT);
		expect(buckets.of('https://a.example', { drainPerSecond: 2, burst: 50 }, AT)).toBe(standard);
		const otherBurst = buckets.of('https://a.example', { drainPerSecond: 2, burst: 250 }, AT);
		expect(otherBurst).not.toBe(standard);
		const otherRate = buckets.of('https://a.example', { drainPerSecond: 5, burst: 250 }, AT);
		expect(otherRate).not.toBe(otherBurst);
		otherRate.inFlight = 1;
		expect(buckets.of('https://a.example', STANDARD_LIMIT, AT)).toBe(otherRate);
	});
});
