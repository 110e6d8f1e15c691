import { SOAK_MIXES } from '../../dev/soak/mixes';
import { runSoak, soakProblems } from '../../dev/soak/soak';

// The soak's getForCrmItem mixes, in a file of their own: a minute of real time each (backoffs and
// storms), which runs beside the other engine files instead of after underLoad.test.ts's.

describe('Soak at CI size, getForCrmItem: 1,000 objects through every fault mix, each payment exactly once and exact', () => {
	const mixes = SOAK_MIXES.filter((mix) => mix.operation === 'getForCrmItem').map((mix) => [mix.name, mix] as const);

	it.each(mixes)('%s: checked per input item and payment', async (_name, mix) => {
		const report = await runSoak(mix, 1000);
		expect(soakProblems(report)).toEqual([]);
		expect([report.lost, report.duplicated, report.wrong, report.outOfOrder, report.secretHits]).toEqual([0, 0, 0, 0, 0]);
		// 980 generated smart invoices with 2 payments, smart invoice 9 with 55 and deal 20 with 2: 2,017 settings.
		// 18 error items: 4 values that are not IDs or types, 10 objects the portal lacks, 7 and 21 with no
		// payment, 8 (a cash payment) and 10 (a lost order). Requests: 20 list batches of 996 items, 40
		// batches of the 1,964 payments and the second page of 9, then 2 of 9's 55 payments.
		expect([report.expectedOutputs, report.successItems, report.errorItems, report.minimumRequests]).toEqual([2035, 2017, 18, 62]);
		if (mix.faults !== null) expect(report.faultedRequests).toBeGreaterThan(0);
	}, 240_000);
});
