// What a request waits for before it goes, and what the run's bound on waiting for the portal's limits
// counts (docs/contract.md#bounds): the operating budget's waits, and the pacing of requests sent again
// after a refusal, not the pacing of a run's first requests.
import type { Bitrix24Failure } from '../../nodes/shared/bitrix24/errors/failures';
import { OperatingBudgets } from '../../nodes/shared/bitrix24/limits/operatingBudget';
import { PortalBuckets } from '../../nodes/shared/bitrix24/limits/pacing';
import type { LimitSettings } from '../../nodes/shared/bitrix24/limits/portalLimits';
import { PortalLimits } from '../../nodes/shared/bitrix24/limits/portalLimits';

const PORTAL = 'https://portal.example.com';
const METHOD = 'sale.paysystem.settings.invoice.get';
const CALLS = new Map([[METHOD, 1]]);
const START = 1_800_000_000_000;

/** A clock that moves only when the limits pause, and the pauses and log lines they made. */
function harness(settings: Partial<LimitSettings> = {}) {
	let clock = START;
	jest.spyOn(Date, 'now').mockImplementation(() => clock);
	const pauses: number[] = [];
	const logged: string[] = [];
	const budgets = settings.budgets ?? new OperatingBudgets();
	const limits = new PortalLimits(
		PORTAL,
		{ rateLimit: { drainPerSecond: 1, burst: 2 }, parallelRequests: 1, maxLimitWaitMs: 1500, buckets: new PortalBuckets(), budgets, ...settings },
		{
			pause: async (ms) => {
				pauses.push(ms);
				clock += ms;
			},
			stopped: new Promise<void>(() => undefined),
			log: (message) => logged.push(message),
		},
	);
	const send = async (afterRefusal: boolean) => limits.leave(await limits.enter(CALLS, afterRefusal, () => '3 of 10 items done'), null);
	return { limits, pauses, logged, send, budgets, advance: (ms: number) => (clock += ms) };
}

afterEach(() => jest.restoreAllMocks());

describe('The pacing of a request sent again after a refusal counts against Max Wait for Portal Limits', () => {
	// A bucket of 2 at 1 a second holds one request (one unit of headroom): each further request waits 1 s.
	it('two paced waits after refusals (1 s each) pass a bound of 1.5 s: the next refusal is final', async () => {
		const { limits, pauses, send } = harness();
		await send(false);
		await send(true);
		expect(pauses).toEqual([1000]);
		expect(limits.mayWaitMore(CALLS)).toBe(true);
		await send(true);
		expect(pauses).toEqual([1000, 1000]);
		expect(limits.mayWaitMore(CALLS)).toBe(false);
	});

	it('the pacing of requests that follow no refusal is not counted', async () => {
		const { limits, pauses, send } = harness();
		for (let request = 0; request < 4; request++) await send(false);
		expect(pauses).toEqual([1000, 1000, 1000]);
		expect(limits.mayWaitMore(CALLS)).toBe(true);
	});

	it('a bound of 0 allows no wait at all', () => {
		const { limits } = harness({ maxLimitWaitMs: 0 });
		expect(limits.mayWaitMore(CALLS)).toBe(false);
	});

	it('a portal without pacing makes no request wait', async () => {
		const { limits, pauses, send } = harness({ rateLimit: null });
		for (let request = 0; request < 4; request++) await send(true);
		expect(pauses).toEqual([]);
		expect(limits.mayWaitMore(CALLS)).toBe(true);
	});
});

describe('The wait for the operating budget counts against the bound, and a long one is logged', () => {
	const refusal: Bitrix24Failure = { errorCode: 'OPERATION_TIME_LIMIT', errorDescription: null, httpCode: 429, message: 'Bitrix24 error OPERATION_TIME_LIMIT' };

	/** The portal refuses the method for its budget; its window frees up `resetInMs` from now. */
	function refuseFor(h: ReturnType<typeof harness>, resetInMs: number) {
		const time = { operating: 480, operating_reset_at: (START + resetInMs) / 1000, finish: START / 1000 };
		h.limits.leave({ ticket: null }, { failure: refusal, time, calls: [{ method: METHOD, failure: refusal, time }] });
	}

	it('waits until the reset the refusal names (and 250 ms more), logs it, and counts it', async () => {
		const h = harness({ maxLimitWaitMs: 60_000, rateLimit: null });
		refuseFor(h, 10_000);
		await h.send(true);
		expect(h.pauses).toEqual([10_250]);
		expect(h.logged).toEqual([
			`Bitrix24 portal ${PORTAL}: waiting 10 s for the operating-time budget of ${METHOD} (3 of 10 items done)`,
		]);
		refuseFor(h, 60_000);
		// 10.25 s waited of 60 s: the window 50 s on is past what is left.
		expect(h.limits.mayWaitMore(CALLS)).toBe(false);
	});

	it('a wait under 5 s is not logged', async () => {
		const h = harness({ maxLimitWaitMs: 60_000, rateLimit: null });
		refuseFor(h, 4_000);
		await h.send(true);
		expect(h.pauses).toEqual([4_250]);
		expect(h.logged).toEqual([]);
	});

	it('a wait longer than the bound is not made: the request goes at once, and its refusal is final', async () => {
		const h = harness({ maxLimitWaitMs: 5_000, rateLimit: null });
		refuseFor(h, 10_000);
		expect(h.limits.mayWaitMore(CALLS)).toBe(false);
		await h.send(true);
		expect(h.pauses).toEqual([]);
		expect(h.limits.mayWaitMore(new Map([['another.method', 1]]))).toBe(false);
	});
});

describe('Requests in flight: up to Parallel Requests while the portal refuses nothing, else one at a time for the process', () => {
	const STANDARD = { drainPerSecond: 2, burst: 50 };
	const settle = async () => {
		for (let turn = 0; turn < 5; turn++) await Promise.resolve();
	};

	it('lets Parallel Requests requests go at once, and the next when one is answered', async () => {
		const { limits } = harness({ rateLimit: STANDARD, parallelRequests: 2 });
		const first = await limits.enter(CALLS, false, () => '');
		await limits.enter(CALLS, false, () => '');
		let third = false;
		const entering = limits.enter(CALLS, false, () => '').then(() => (third = true));
		await settle();
		expect(third).toBe(false);
		limits.leave(first, { failure: null, time: null, calls: [] });
		await entering;
		expect(third).toBe(true);
	});

	it('after a refusal for the rate limit, halves the rate and lets one request of the process go at a time', async () => {
		const buckets = new PortalBuckets();
		const { limits } = harness({ rateLimit: STANDARD, parallelRequests: 3, buckets });
		const refused = await limits.enter(CALLS, false, () => '');
		const failure: Bitrix24Failure = { errorCode: 'QUERY_LIMIT_EXCEEDED', errorDescription: null, httpCode: 503, message: 'Bitrix24 error QUERY_LIMIT_EXCEEDED' };
		limits.leave(refused, { failure, time: null, calls: [{ method: METHOD, failure, time: null }] });
		expect(buckets.of(PORTAL, STANDARD, START).rate).toBe(1);
		const next = await limits.enter(CALLS, true, () => '');
		let second = false;
		const entering = limits.enter(CALLS, true, () => '').then(() => (second = true));
		await settle();
		expect(second).toBe(false);
		limits.leave(next, null);
		await entering;
		expect(second).toBe(true);
	});

	it('a command refused inside a batch the portal admitted leaves the rate as it is', async () => {
		const buckets = new PortalBuckets();
		const { limits } = harness({ rateLimit: STANDARD, buckets });
		const failure: Bitrix24Failure = { errorCode: 'QUERY_LIMIT_EXCEEDED', errorDescription: null, httpCode: null, message: 'Bitrix24 error QUERY_LIMIT_EXCEEDED' };
		limits.leave(await limits.enter(CALLS, false, () => ''), { failure: null, time: null, calls: [{ method: METHOD, failure, time: null }] });
		expect(buckets.of(PORTAL, STANDARD, START).rate).toBe(2);
	});

	it('an answered request raises a cut rate again; a request without an answer does not', async () => {
		const buckets = new PortalBuckets();
		const h = harness({ rateLimit: STANDARD, buckets });
		const pace = buckets.of(PORTAL, STANDARD, START);
		pace.refused({ sentAt: START }, START);
		h.advance(10_000);
		const network: Bitrix24Failure = { errorCode: 'NETWORK_ERROR', errorDescription: null, httpCode: null, message: 'NETWORK_ERROR: x' };
		h.limits.leave(await h.limits.enter(CALLS, false, () => ''), { failure: network, time: null, calls: [{ method: METHOD, failure: network, time: null }] });
		expect(pace.rate).toBe(1);
		h.limits.leave(await h.limits.enter(CALLS, false, () => ''), { failure: null, time: null, calls: [] });
		// 3% of the preset (2/s) a second, for the 10 s since the cut.
		expect(pace.rate).toBeCloseTo(1.6, 10);
	});
});

describe('What an answer teaches the operating budget', () => {
	const refusal: Bitrix24Failure = { errorCode: 'OPERATION_TIME_LIMIT', errorDescription: null, httpCode: null, message: 'Bitrix24 error OPERATION_TIME_LIMIT' };
	const later = { operating: 1, operating_reset_at: (START + 30_000) / 1000, finish: START / 1000 };

	it('a command refused for the budget inside a batch makes the method wait for the reset the last answer named', async () => {
		const h = harness({ maxLimitWaitMs: 60_000, rateLimit: null });
		h.limits.leave(await h.limits.enter(CALLS, false, () => ''), { failure: null, time: later, calls: [{ method: METHOD, failure: null, time: later }] });
		h.limits.leave(await h.limits.enter(CALLS, false, () => ''), { failure: null, time: null, calls: [{ method: METHOD, failure: refusal, time: null }] });
		await h.send(true);
		// A refusal without a time of its own waits 10 s at most.
		expect(h.pauses).toEqual([10_250]);
	});

	it('a refusal followed by a call of the same method that ran in the same answer is not the budget', async () => {
		const h = harness({ maxLimitWaitMs: 60_000, rateLimit: null });
		const calls = [
			{ method: METHOD, failure: refusal, time: null },
			{ method: METHOD, failure: null, time: later },
		];
		h.limits.leave(await h.limits.enter(CALLS, false, () => ''), { failure: null, time: null, calls });
		await h.send(true);
		expect(h.pauses).toEqual([]);
	});
});

describe('Edges of the waits and of what an answer teaches', () => {
	const STANDARD = { drainPerSecond: 2, burst: 50 };
	const settle = async () => {
		for (let turn = 0; turn < 5; turn++) await Promise.resolve();
	};
	const refusal: Bitrix24Failure = { errorCode: 'OPERATION_TIME_LIMIT', errorDescription: null, httpCode: 429, message: 'Bitrix24 error OPERATION_TIME_LIMIT' };
	const refuseFor = (h: ReturnType<typeof harness>, resetInMs: number, calls = [METHOD]) => {
		const time = { operating: 480, operating_reset_at: (START + resetInMs) / 1000, finish: START / 1000 };
		h.limits.leave({ ticket: null }, { failure: refusal, time, calls: calls.map((method) => ({ method, failure: refusal, time })) });
	};

	it('logs a pacing wait of 5 s or more, and names every method a budget wait is for', async () => {
		const h = harness({ rateLimit: { drainPerSecond: 0.2, burst: 2 }, maxLimitWaitMs: 600_000 });
		await h.send(false);
		await h.send(false);
		expect(h.logged).toEqual([`Bitrix24 portal ${PORTAL}: waiting 5 s for the portal's request limit (3 of 10 items done)`]);
		const both = harness({ rateLimit: null, maxLimitWaitMs: 60_000 });
		refuseFor(both, 10_000, [METHOD, 'crm.item.payment.list']);
		both.limits.leave(await both.limits.enter(new Map([[METHOD, 1], ['crm.item.payment.list', 1]]), true, () => '1 of 2 items done'), null);
		expect(both.logged).toEqual([`Bitrix24 portal ${PORTAL}: waiting 10 s for the operating-time budget of ${METHOD}, crm.item.payment.list (1 of 2 items done)`]);
	});

	it('makes a budget wait exactly as long as what is left of the bound', async () => {
		const h = harness({ maxLimitWaitMs: 10_250, rateLimit: null });
		refuseFor(h, 10_000);
		await h.send(true);
		expect(h.pauses).toEqual([10_250]);
	});

	it('learns the portal\'s clock and its readings from every answer', async () => {
		const h = harness({ maxLimitWaitMs: 600_000, rateLimit: null });
		// The portal's clock runs 5 s ahead; its answer says the method has used 470 s, until 65 s on its clock.
		const time = { operating: 470, operating_reset_at: (START + 65_000) / 1000, processing: 0.4, finish: (START + 5_000) / 1000 };
		h.limits.leave(await h.limits.enter(CALLS, false, () => ''), { failure: null, time, calls: [{ method: METHOD, failure: null, time }] });
		h.limits.leave(await h.limits.enter(new Map([[METHOD, 50]]), false, () => ''), null);
		expect(h.pauses).toEqual([60_250]);
	});

	it('a refusal is the budget\'s even when an earlier call of the method in the answer ran, or a later call of another', async () => {
		const h = harness({ maxLimitWaitMs: 60_000, rateLimit: null });
		const ran = { operating: 1, operating_reset_at: (START + 30_000) / 1000, finish: START / 1000 };
		const calls = [
			{ method: METHOD, failure: null, time: ran },
			{ method: METHOD, failure: refusal, time: null },
			{ method: 'crm.item.payment.list', failure: null, time: ran },
		];
		h.limits.leave(await h.limits.enter(CALLS, false, () => ''), { failure: null, time: null, calls });
		await h.send(true);
		expect(h.pauses).toEqual([10_250]);
	});

	it('a failure the portal answered with a status raises a cut rate, like any answer', async () => {
		const buckets = new PortalBuckets();
		const h = harness({ rateLimit: STANDARD, buckets });
		const pace = buckets.of(PORTAL, STANDARD, START);
		pace.refused({ sentAt: START }, START);
		h.advance(10_000);
		const serverError: Bitrix24Failure = { errorCode: 'INTERNAL_SERVER_ERROR', errorDescription: null, httpCode: 500, message: 'x' };
		h.limits.leave(await h.limits.enter(CALLS, false, () => ''), { failure: serverError, time: null, calls: [] });
		expect(pace.rate).toBeCloseTo(1.6, 10);
	});

	it('without pacing, still one request in flight at a time with Parallel Requests 1', async () => {
		const { limits } = harness({ rateLimit: null, parallelRequests: 1 });
		const first = await limits.enter(CALLS, false, () => '');
		let second = false;
		const entering = limits.enter(CALLS, false, () => '').then(() => (second = true));
		await settle();
		expect(second).toBe(false);
		limits.leave(first, null);
		await entering;
	});

	it('near a budget, requests of 50 calls go one at a time', async () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { operating: 430, operating_reset_at: (START + 60_000) / 1000, processing: 0.4 });
		const { limits } = harness({ rateLimit: null, parallelRequests: 3, budgets, maxLimitWaitMs: 600_000 });
		const fifty = new Map([[METHOD, 50]]);
		const first = await limits.enter(fifty, false, () => '');
		let second = false;
		const entering = limits.enter(fifty, false, () => '').then(() => (second = true));
		await settle();
		expect(second).toBe(false);
		limits.leave(first, null);
		await entering;
	});

	it('a request whose wait ends with the run gives its place back', async () => {
		let clock = START;
		jest.spyOn(Date, 'now').mockImplementation(() => clock);
		let stopped = false;
		const limits = new PortalLimits(
			PORTAL,
			{ rateLimit: { drainPerSecond: 1, burst: 2 }, parallelRequests: 1, maxLimitWaitMs: 600_000, buckets: new PortalBuckets(), budgets: new OperatingBudgets() },
			{
				pause: async (ms) => {
					if (stopped) throw new Error('The run stopped while the node waited for the Bitrix24 portal');
					clock += ms;
				},
				stopped: new Promise<void>(() => undefined),
				log: () => undefined,
			},
		);
		limits.leave(await limits.enter(CALLS, false, () => ''), null);
		stopped = true;
		await expect(limits.enter(CALLS, false, () => '')).rejects.toThrow('The run stopped while the node waited for the Bitrix24 portal');
		stopped = false;
		let entered = false;
		const entering = limits.enter(CALLS, false, () => '').then(() => (entered = true));
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(entered).toBe(true);
		await entering;
	});
});

describe('A run without pacing (Portal Rate Limit: None)', () => {
	it('is not paced by the bucket of a run with another preset that still has a request in flight to the same portal', async () => {
		const buckets = new PortalBuckets();
		const paced = harness({ buckets });
		const pass = await paced.limits.enter(CALLS, false, () => '1 of 2 items done');
		expect(pass.ticket).not.toBeNull();
		const unpaced = harness({ buckets, rateLimit: null });
		const own = await unpaced.limits.enter(CALLS, false, () => '1 of 2 items done');
		expect(own.ticket).toBeNull();
		expect(unpaced.pauses).toEqual([]);
		// Its refusal for the rate limit tells nothing of the other run's bucket, which it was not paced by.
		const refusal: Bitrix24Failure = { errorCode: 'QUERY_LIMIT_EXCEEDED', errorDescription: null, httpCode: 503, message: 'Bitrix24 error QUERY_LIMIT_EXCEEDED' };
		unpaced.limits.leave(own, { failure: refusal, time: null, calls: [{ method: METHOD, failure: refusal, time: null }] });
		// The paced run's next request waits its second in the bucket, no more.
		paced.limits.leave(pass, null);
		await paced.send(false);
		expect(paced.pauses).toEqual([1000]);
	});
});
