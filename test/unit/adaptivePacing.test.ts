import type { RateLimit } from '../../nodes/shared/bitrix24/limits/pacing';
import { ADAPTIVE_PACING, PortalBuckets, PortalPace, RATE_LIMIT_PRESETS } from '../../nodes/shared/bitrix24/limits/pacing';
import { OperatingBudgets, PUBLISHED_BUDGET_SECONDS, RESET_MARGIN_MS, UNNAMED_RESET_WAIT_MS } from '../../nodes/shared/bitrix24/limits/operatingBudget';
import { clientSettingsOf } from '../../nodes/shared/bitrix24/run/options';

const STANDARD = RATE_LIMIT_PRESETS.standard as RateLimit;
const NOW = 1_800_000_000_000;

describe('Adaptive pacing: the rate falls on refusals and comes back while answers succeed', () => {
	it('starts at the preset and is not recovering', () => {
		const pace = new PortalPace(STANDARD);
		expect([pace.rate, pace.recovering]).toEqual([2, false]);
	});

	it('halves the rate on a refusal, once for every request already in flight when it came', () => {
		const pace = new PortalPace(STANDARD);
		const inFlight = [pace.reserve(NOW).ticket, pace.reserve(NOW).ticket, pace.reserve(NOW).ticket];
		for (const ticket of inFlight) pace.refused(ticket, NOW + 100);
		expect([pace.rate, pace.recovering]).toEqual([1, true]);
		// A request sent after the cut and refused again halves it again.
		pace.refused(pace.reserve(NOW + 100).ticket, NOW + 200);
		expect(pace.rate).toBe(0.5);
	});

	it('takes a request sent at the very moment of a cut for one sent after it: its refusal halves the rate again', () => {
		const pace = new PortalPace(STANDARD);
		pace.refused({ sentAt: NOW }, NOW + 100);
		pace.refused({ sentAt: NOW + 99 }, NOW + 150);
		expect(pace.rate).toBe(1);
		pace.refused({ sentAt: NOW + 100 }, NOW + 200);
		expect(pace.rate).toBe(0.5);
	});

	it('never falls below its floor, a twentieth of the preset', () => {
		const pace = new PortalPace(STANDARD);
		for (let index = 0; index < 20; index++) pace.refused({ sentAt: NOW + index }, NOW + index);
		expect(pace.rate).toBe(STANDARD.drainPerSecond * ADAPTIVE_PACING.floor);
		expect(pace.rate).toBe(0.1);
	});

	it('regains 3% of the preset per second while answers succeed, up to the preset and no further', () => {
		const pace = new PortalPace(STANDARD);
		pace.refused(pace.reserve(NOW).ticket, NOW);
		pace.answered(NOW + 10_000);
		expect(pace.rate).toBeCloseTo(1 + 0.06 * 10, 10);
		pace.answered(NOW + 20_000);
		expect(pace.rate).toBeCloseTo(2, 10);
		pace.answered(NOW + 60_000);
		expect([pace.rate, pace.recovering]).toEqual([2, false]);
	});

	it('after a refusal treats the bucket as full and spaces requests at the lowered rate', () => {
		const pace = new PortalPace(STANDARD);
		pace.refused(pace.reserve(NOW).ticket, NOW);
		// Full at 50, one unit of headroom: 2 units drain at 1/s, then one request per second.
		expect([pace.reserve(NOW).waitMs, pace.reserve(NOW).waitMs, pace.reserve(NOW).waitMs]).toEqual([2000, 3000, 4000]);
	});

	it('paces nothing for a portal without a limit, and counts no rate', () => {
		const pace = new PortalPace(null);
		pace.refused(pace.reserve(NOW).ticket, NOW);
		pace.answered(NOW + 1_000);
		expect([pace.reserve(NOW).waitMs, pace.recovering, pace.rate]).toEqual([0, false, 0]);
	});

	it('is one state per portal in a registry, kept while the portal is recovering', () => {
		const buckets = new PortalBuckets();
		const pace = buckets.of('https://a.example', STANDARD, NOW);
		pace.refused(pace.reserve(NOW).ticket, NOW);
		buckets.of('https://b.example', STANDARD, NOW + 3_600_000);
		expect(buckets.of('https://a.example', STANDARD, NOW + 3_600_000)).toBe(pace);
	});
});

describe('The operating budget: learned from answers, waited for before the portal refuses', () => {
	const PORTAL = 'https://a.example';
	const METHOD = 'sale.paysystem.settings.invoice.get';
	const calls = (count: number) => new Map([[METHOD, count]]);
	const unix = (ms: number) => ms / 1000;

	it('lets calls go at once while the published budget of 480 s has room', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { operating: 100, operating_reset_at: unix(NOW + 60_000), processing: 0.4 });
		expect(PUBLISHED_BUDGET_SECONDS).toBe(480);
		expect(budgets.readyAt(PORTAL, calls(50), NOW)).toBe(NOW);
	});

	it('holds calls that would take the method past the budget until the reset the portal named', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { operating: 470, operating_reset_at: unix(NOW + 60_000), processing: 0.4 });
		expect(budgets.readyAt(PORTAL, calls(10), NOW)).toBe(NOW);
		expect(budgets.readyAt(PORTAL, calls(50), NOW)).toBe(NOW + 60_000 + RESET_MARGIN_MS);
		// Past the reset the reading is stale: the calls go, and their answer is the next reading.
		expect(budgets.readyAt(PORTAL, calls(50), NOW + 61_000)).toBe(NOW + 61_000);
	});

	it('learns a smaller budget from a refusal: the reading less one call', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { operating: 1.0, operating_reset_at: unix(NOW + 2_000), processing: 0.01 });
		budgets.noteRefused(PORTAL, METHOD, { operating: 1.01, operating_reset_at: unix(NOW + 20_000) }, NOW);
		expect(budgets.readyAt(PORTAL, calls(1), NOW + 5_000)).toBe(NOW + 20_000 + RESET_MARGIN_MS);
		// After the reset, an answer at 0.5 s leaves room for 49 calls of 0.01 s in a budget of 1.0 s, not 51.
		budgets.noteAnswered(PORTAL, METHOD, { operating: 0.5, operating_reset_at: unix(NOW + 30_000), processing: 0.01 });
		expect(budgets.readyAt(PORTAL, calls(49), NOW + 21_000)).toBe(NOW + 21_000);
		expect(budgets.readyAt(PORTAL, calls(51), NOW + 21_000)).toBe(NOW + 30_000 + RESET_MARGIN_MS);
	});

	it.each([
		[8_000, 8_000],
		[60_000, 10_000],
	])('a command refused inside a batch, without a time of its own, goes by the last answered command (reset in %i ms: waits %i)', (resetIn, wait) => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { operating: 2.0, operating_reset_at: unix(NOW + resetIn), processing: 0.01 });
		budgets.noteRefused(PORTAL, METHOD, undefined, NOW);
		expect(budgets.readyAt(PORTAL, calls(1), NOW)).toBe(NOW + wait + RESET_MARGIN_MS);
	});

	it('forgets a learned budget when the portal then runs a call with more used: that refusal was not the budget', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { operating: 0.5, operating_reset_at: unix(NOW + 600_000), processing: 0.01 });
		budgets.noteRefused(PORTAL, METHOD, { operating: 0.5, operating_reset_at: unix(NOW + 2_000) }, NOW);
		// Up to the learned budget plus a call's margin, the reading fits the budget...
		budgets.noteAnswered(PORTAL, METHOD, { operating: 0.51, operating_reset_at: unix(NOW + 600_000), processing: 0.01 });
		expect(budgets.readyAt(PORTAL, calls(50), NOW + 3_000)).toBe(NOW + 600_000 + RESET_MARGIN_MS);
		// ...past it, the published budget applies again.
		budgets.noteAnswered(PORTAL, METHOD, { operating: 0.6, operating_reset_at: unix(NOW + 600_000), processing: 0.01 });
		expect(budgets.readyAt(PORTAL, calls(50), NOW + 3_000)).toBe(NOW + 3_000);
	});

	it('keeps the latest reading when answers of requests in flight together come back out of order', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { operating: 470, operating_reset_at: unix(NOW + 60_000), processing: 0.4, finish: unix(NOW + 2) });
		budgets.noteAnswered(PORTAL, METHOD, { operating: 450, operating_reset_at: unix(NOW + 60_000), processing: 0.4, finish: unix(NOW + 1) });
		expect(budgets.readyAt(PORTAL, calls(50), NOW)).toBe(NOW + 60_000 + RESET_MARGIN_MS);
	});

	it('a command refused without a time of its own waits out the reset the last answer named, past the 10 s', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { operating: 2.0, operating_reset_at: unix(NOW + 20_000), processing: 0.01 });
		budgets.noteRefused(PORTAL, METHOD, undefined, NOW);
		// Blocked for 10 s; then still past the learned budget until the oldest time drops out.
		expect(budgets.readyAt(PORTAL, calls(50), NOW + 10_500)).toBe(NOW + 20_000 + RESET_MARGIN_MS);
	});

	it('a refusal that names no reset is tried again after 10 s', () => {
		const budgets = new OperatingBudgets();
		budgets.noteRefused(PORTAL, METHOD, undefined, NOW);
		expect(UNNAMED_RESET_WAIT_MS).toBe(10_000);
		expect(budgets.readyAt(PORTAL, calls(1), NOW)).toBe(NOW + 10_000 + RESET_MARGIN_MS);
	});

	it("reads the reset on the portal's clock: a portal 5 s ahead resets 5 s earlier here", () => {
		const budgets = new OperatingBudgets();
		budgets.noteClock(PORTAL, { finish: unix(NOW + 5_000) }, NOW);
		budgets.noteRefused(PORTAL, METHOD, { operating: 480.5, operating_reset_at: unix(NOW + 65_000) }, NOW);
		expect(budgets.readyAt(PORTAL, calls(1), NOW)).toBe(NOW + 60_000 + RESET_MARGIN_MS);
	});

	it('a portal that lets a method run past 480 s does not enforce the published budget', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { operating: 600, operating_reset_at: unix(NOW + 60_000), processing: 0.4 });
		expect(budgets.readyAt(PORTAL, calls(50), NOW)).toBe(NOW);
		expect(budgets.near(PORTAL, 50, 3)).toBe(false);
	});

	it('is near the budget when three more requests of 50 calls could pass it: one request at a time then', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { operating: 430, operating_reset_at: unix(NOW + 60_000), processing: 0.4 });
		expect(budgets.near(PORTAL, 50, 3)).toBe(true);
		expect(budgets.near(PORTAL, 50, 1)).toBe(false);
		expect(budgets.near('https://b.example', 50, 3)).toBe(false);
	});
});

describe('The options Parallel Requests and Max Wait for Portal Limits', () => {
	it.each([
		[{}, 3, 30],
		[{ parallelRequests: 1, maxWaitMinutes: 0 }, 1, 0],
		[{ parallelRequests: 5, maxWaitMinutes: 1440 }, 5, 1440],
		[{ parallelRequests: 0, maxWaitMinutes: -5 }, 1, 0],
		[{ parallelRequests: 9, maxWaitMinutes: 5000 }, 5, 1440],
		[{ parallelRequests: 2.7, maxWaitMinutes: 12.9 }, 2, 12],
		[{ parallelRequests: 'many', maxWaitMinutes: 'long' }, 3, 30],
	])('%j: %i in flight, %i minutes', (options, parallelRequests, minutes) => {
		const settings = clientSettingsOf(options);
		expect([settings.parallelRequests, settings.maxLimitWaitMs]).toEqual([parallelRequests, minutes * 60_000]);
	});
});
