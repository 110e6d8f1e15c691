// The operating budget's arithmetic at its edges (limits/operatingBudget.ts, docs/contract.md#operating-budget):
// which readings count, how one call's cost is learned, and when calls are held.
import { OperatingBudgets, RESET_MARGIN_MS } from '../../nodes/shared/bitrix24/limits/operatingBudget';

const PORTAL = 'https://a.example';
const METHOD = 'sale.paysystem.settings.invoice.get';
const NOW = 1_800_000_000_000;
const unix = (ms: number) => ms / 1000;
const calls = (count: number) => new Map([[METHOD, count]]);
const RESET = NOW + 60_000;
/** A reading at 470 s used of 480, with 0.4 s a call: 25 calls fit, 26 do not. */
const NEAR = { operating: 470, operating_reset_at: unix(RESET), processing: 0.4 };

describe('Which readings count', () => {
	it('reads numbers given as text', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { operating: '470', operating_reset_at: String(unix(RESET)), processing: '0.4' });
		expect([budgets.readyAt(PORTAL, calls(25), NOW), budgets.readyAt(PORTAL, calls(26), NOW)]).toEqual([NOW, RESET + RESET_MARGIN_MS]);
	});

	it('an answer without operating time leaves the reading as it was', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, NEAR);
		budgets.noteAnswered(PORTAL, METHOD, { operating: null, operating_reset_at: unix(NOW + 1_000), processing: 5 });
		expect([budgets.readyAt(PORTAL, calls(25), NOW), budgets.readyAt(PORTAL, calls(26), NOW)]).toEqual([NOW, RESET + RESET_MARGIN_MS]);
	});

	it('an answer without a reset moment or a call time keeps the ones known', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, NEAR);
		budgets.noteAnswered(PORTAL, METHOD, { operating: 470, operating_reset_at: 0, processing: 0 });
		expect([budgets.readyAt(PORTAL, calls(25), NOW), budgets.readyAt(PORTAL, calls(26), NOW)]).toEqual([NOW, RESET + RESET_MARGIN_MS]);
	});

	it('keeps a reading whose call finished at the same moment as the last, and ignores an older one or one without a finish', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { ...NEAR, finish: unix(NOW) });
		budgets.noteAnswered(PORTAL, METHOD, { ...NEAR, operating: 100, finish: unix(NOW) });
		expect(budgets.readyAt(PORTAL, calls(50), NOW)).toBe(NOW);
		budgets.noteAnswered(PORTAL, METHOD, { ...NEAR, operating: 470 });
		budgets.noteAnswered(PORTAL, METHOD, { ...NEAR, operating: 100, finish: unix(NOW - 1_000) });
		expect(budgets.readyAt(PORTAL, calls(50), NOW)).toBe(RESET + RESET_MARGIN_MS);
	});

	it('takes a reading whose finish is 0 as one without a finish: it is not older than the last', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { ...NEAR, finish: unix(NOW) });
		budgets.noteAnswered(PORTAL, METHOD, { ...NEAR, operating: 100, finish: 0 });
		expect(budgets.readyAt(PORTAL, calls(50), NOW)).toBe(NOW);
	});

	it('learns no clock from an answer without a finish, or with 0', () => {
		const budgets = new OperatingBudgets();
		budgets.noteClock(PORTAL, { finish: unix(NOW + 5_000) }, NOW);
		budgets.noteClock(PORTAL, {}, NOW);
		budgets.noteClock(PORTAL, { finish: 0 }, NOW);
		budgets.noteRefused(PORTAL, METHOD, { operating: 480.5, operating_reset_at: unix(NOW + 65_000) }, NOW);
		expect(budgets.readyAt(PORTAL, calls(1), NOW)).toBe(NOW + 60_000 + RESET_MARGIN_MS);
	});
});

describe('What one call costs: it rises at once and falls by a fifth of the difference', () => {
	it('after calls of 0.4 s, one of 0.1 s counts as 0.34 s', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, NEAR);
		budgets.noteAnswered(PORTAL, METHOD, { ...NEAR, processing: 0.1 });
		// 470 + 29 x 0.34 = 479.86 fits; 470 + 30 x 0.34 = 480.2 does not.
		expect([budgets.readyAt(PORTAL, calls(29), NOW), budgets.readyAt(PORTAL, calls(30), NOW)]).toEqual([NOW, RESET + RESET_MARGIN_MS]);
	});
});

describe('The published budget and a portal that does not enforce it', () => {
	it('a reading of exactly 480 s is within the budget: the next call waits for the reset', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { ...NEAR, operating: 480 });
		expect(budgets.readyAt(PORTAL, calls(1), NOW)).toBe(RESET + RESET_MARGIN_MS);
	});

	it('a reading past 480 s by less than two calls already shows the budget is not enforced', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { ...NEAR, operating: 480.5 });
		expect(budgets.readyAt(PORTAL, calls(50), NOW)).toBe(NOW);
	});

	it('after a learned budget is forgotten, a reading past 480 s shows it is not enforced', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { operating: 0.5, operating_reset_at: unix(RESET), processing: 0.01 });
		budgets.noteRefused(PORTAL, METHOD, { operating: 0.5, operating_reset_at: unix(NOW + 2_000) }, NOW);
		budgets.noteAnswered(PORTAL, METHOD, { operating: 600, operating_reset_at: unix(RESET), processing: 0.01 });
		expect(budgets.readyAt(PORTAL, calls(50), NOW + 3_000)).toBe(NOW + 3_000);
	});
});

describe('A refusal: the budget it teaches, and how long the method waits', () => {
	it('teaches the refusal\'s reading less one call, and a later refusal only lowers it', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { operating: 1, operating_reset_at: unix(NOW + 1_000), processing: 0.01 });
		budgets.noteRefused(PORTAL, METHOD, { operating: 2.01, operating_reset_at: unix(NOW + 1_000) }, NOW);
		budgets.noteRefused(PORTAL, METHOD, { operating: 3.01, operating_reset_at: unix(NOW + 1_000) }, NOW);
		// A budget of 2.0 s: at 1.5 s used, 50 calls of 0.01 s fit and 51 do not.
		budgets.noteAnswered(PORTAL, METHOD, { operating: 1.5, operating_reset_at: unix(RESET), processing: 0.01 });
		expect([budgets.readyAt(PORTAL, calls(50), NOW + 2_000), budgets.readyAt(PORTAL, calls(51), NOW + 2_000)]).toEqual([NOW + 2_000, RESET + RESET_MARGIN_MS]);
	});

	it('a refusal without operating time of its own teaches from the last reading', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { operating: 2.01, operating_reset_at: unix(NOW + 1_000), processing: 0.01 });
		budgets.noteRefused(PORTAL, METHOD, { operating: 0, operating_reset_at: unix(NOW + 1_000) }, NOW);
		budgets.noteAnswered(PORTAL, METHOD, { operating: 1.5, operating_reset_at: unix(RESET), processing: 0.01 });
		expect([budgets.readyAt(PORTAL, calls(50), NOW + 2_000), budgets.readyAt(PORTAL, calls(51), NOW + 2_000)]).toEqual([NOW + 2_000, RESET + RESET_MARGIN_MS]);
	});

	it('a refusal with nothing known teaches no budget: after the wait, the calls go', () => {
		const budgets = new OperatingBudgets();
		budgets.noteRefused(PORTAL, METHOD, undefined, NOW);
		expect(budgets.readyAt(PORTAL, calls(50), NOW + 20_000)).toBe(NOW + 20_000);
	});

	it('holds the method until 250 ms past the reset, also a moment before it', () => {
		const budgets = new OperatingBudgets();
		budgets.noteRefused(PORTAL, METHOD, { operating: 480.5, operating_reset_at: unix(NOW + 10_000) }, NOW);
		expect(budgets.readyAt(PORTAL, calls(1), NOW + 10_100)).toBe(NOW + 10_000 + RESET_MARGIN_MS);
	});

	it('a reading past the budget holds calls until 250 ms past its reset, also a moment after the reset', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, NEAR);
		expect(budgets.readyAt(PORTAL, calls(50), RESET + 100)).toBe(RESET + RESET_MARGIN_MS);
	});

	it('a refusal naming a reset moment of 0 names none: the method waits 10 s', () => {
		const budgets = new OperatingBudgets();
		budgets.noteRefused(PORTAL, METHOD, { operating: 480.5, operating_reset_at: 0 }, NOW);
		expect(budgets.readyAt(PORTAL, calls(1), NOW)).toBe(NOW + 10_000 + RESET_MARGIN_MS);
	});

	it('a refusal after a reading of 0 s used teaches no budget, and holds the method until the reset that reading named', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { operating: 0, operating_reset_at: unix(RESET), processing: 0.4 });
		budgets.noteRefused(PORTAL, METHOD, undefined, NOW);
		// 10 s, then (the reading being full) until the reset; from there on the published budget holds.
		expect(budgets.readyAt(PORTAL, calls(1), NOW)).toBe(NOW + 10_000 + RESET_MARGIN_MS);
		expect(budgets.readyAt(PORTAL, calls(1), NOW + 10_000 + RESET_MARGIN_MS)).toBe(RESET + RESET_MARGIN_MS);
		budgets.noteAnswered(PORTAL, METHOD, { operating: 0.5, operating_reset_at: unix(RESET + 600_000), processing: 0.4 });
		expect(budgets.readyAt(PORTAL, calls(1), RESET + RESET_MARGIN_MS)).toBe(RESET + RESET_MARGIN_MS);
	});

	it('calls that reach a learned budget exactly fit it', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { operating: 1, operating_reset_at: unix(NOW + 1_000), processing: 0.5 });
		// A budget of 470 s, and a call of 0.5 s.
		budgets.noteRefused(PORTAL, METHOD, { operating: 470.5, operating_reset_at: unix(NOW + 1_000) }, NOW);
		budgets.noteAnswered(PORTAL, METHOD, { operating: 470 + 1e-6 - 0.5, operating_reset_at: unix(RESET), processing: 0.5 });
		expect([budgets.readyAt(PORTAL, calls(1), NOW + 2_000), budgets.readyAt(PORTAL, calls(2), NOW + 2_000)]).toEqual([NOW + 2_000, RESET + RESET_MARGIN_MS]);
	});

	it('a refusal whose last reading resets right now waits the full 10 s', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, { operating: 2, operating_reset_at: unix(NOW), processing: 0.01 });
		budgets.noteRefused(PORTAL, METHOD, undefined, NOW);
		expect(budgets.readyAt(PORTAL, calls(1), NOW)).toBe(NOW + 10_000 + RESET_MARGIN_MS);
	});
});

describe('clear', () => {
	it('forgets every reading and every clock', () => {
		const budgets = new OperatingBudgets();
		budgets.noteAnswered(PORTAL, METHOD, NEAR);
		budgets.clear();
		expect(budgets.readyAt(PORTAL, calls(50), NOW)).toBe(NOW);
		expect(budgets.near(PORTAL, 50, 3)).toBe(false);
	});

	it('forgets the portal\'s clock: a later reset moment is read on this process\'s clock', () => {
		const budgets = new OperatingBudgets();
		budgets.noteClock(PORTAL, { finish: unix(NOW + 5_000) }, NOW);
		budgets.clear();
		budgets.noteRefused(PORTAL, METHOD, { operating: 480.5, operating_reset_at: unix(NOW + 60_000) }, NOW);
		expect(budgets.readyAt(PORTAL, calls(1), NOW)).toBe(NOW + 60_000 + RESET_MARGIN_MS);
	});
});
