import { TestCredentialsHelper, runWorkflow } from '../../dev/harness/engine';
import { FAILED_REQUESTS_BEFORE_CANCEL, measureCancelDuringBackoff } from '../../dev/soak/cancel';
import { SOAK_MIXES } from '../../dev/soak/mixes';
import { runSoak, soakProblems } from '../../dev/soak/soak';
import { SETTINGS, byPaySystemId, invoices, jsonOf, oauthCredentials, usePortal } from '../support';

const range = (from: number, count: number) => Array.from({ length: count }, (_, index) => from + index);

describe('OAuth2 under load: one refresh however many requests meet the expired token', () => {
	const portal = usePortal({ limits: { drainPerSecond: 5, burst: 250 } });

	it('50 batch requests in flight when the token expires cause exactly one refresh, and every item is right', async () => {
		const runs = 50;
		const tokens = portal().issueTokens();
		// The portal holds each first batch until all 50 have arrived (on a busy machine that can take
		// seconds); then the token expires and the 50 go on, each to meet it.
		portal().addFault({ restMethod: 'batch', times: runs, response: { delayMs: 25_000 } });
		const store = new TestCredentialsHelper(oauthCredentials(portal(), tokens));
		const inFlight = new Promise<void>((resolve) => {
			const poll = setInterval(() => {
				if (portal().restCalls('batch').length >= runs) {
					clearInterval(poll);
					portal().expireAccessTokens();
					portal().endDelays();
					resolve();
				}
			}, 5);
		});
		const results = Promise.all(
			range(0, runs).map((run) =>
				runWorkflow({
					parameters: { authentication: 'oAuth2', ...byPaySystemId(12, { rateLimit: 'enterprise' }) },
					items: invoices(...range(1000 + run * 50, 50)),
					credentials: {},
					credentialsHelper: store,
					onError: 'continueErrorOutput',
				}),
			),
		);
		await inFlight;
		const finished = await results;

		const refreshes = portal().tokenRequests().filter((request) => request.params.grant_type === 'refresh_token');
		expect(refreshes).toHaveLength(1);
		expect(refreshes[0].status).toBe(200);
		finished.forEach((result, run) => {
			expect(result.errorOutput).toEqual([]);
			expect(jsonOf(result.output)).toEqual(range(1000 + run * 50, 50).map((id) => SETTINGS.bank(id)));
		});
		// Each run: its first batch refused with 401, then the same batch once more with the new token.
		const batches = portal().restCalls('batch');
		expect(batches.filter((call) => call.status === 401 && call.errorCode === 'expired_token')).toHaveLength(runs);
		expect(batches.filter((call) => call.status === 200)).toHaveLength(runs);
		expect(batches).toHaveLength(2 * runs);
		expect(store.saved).toHaveLength(1);
	}, 30_000);
});

describe('Cancelling an execution while it waits on a backoff stops it at once', () => {
	it('a cancel during the fifth backoff (4 to 8 s) ends the node with the cancel error and sends nothing more', async () => {
		// Without the cancel the node would go on for minutes (ten retries): it settles here because the wait was cut short.
		const measure = await measureCancelDuringBackoff();
		expect(measure.message).toBe('The execution was cancelled while the node waited for the Bitrix24 portal');
		expect(measure.requestsAtCancel).toBe(FAILED_REQUESTS_BEFORE_CANCEL);
		expect(measure.requestsAfterCancel).toBe(0);
	}, 15_000);
});

describe('Soak at CI size: 1,000 items through every fault mix, each item exactly once and exact', () => {
	const mixesOf = (operation: 'get' | 'getForCrmItem') =>
		SOAK_MIXES.filter((mix) => (mix.operation ?? 'get') === operation).map((mix) => [mix.name, mix] as const);

	it.each(mixesOf('get'))('%s', async (_name, mix) => {
		const report = await runSoak(mix, 1000);
		expect(soakProblems(report)).toEqual([]);
		expect([report.lost, report.duplicated, report.wrong, report.secretHits]).toEqual([0, 0, 0, 0]);
		// 1,000 items: 998 valid ones (two are not IDs), 20 batches; 10 invoices are missing.
		expect([report.successItems, report.errorItems, report.minimumRequests]).toEqual([988, 12, 20]);
		if (mix.faults !== null) expect(report.faultedRequests).toBeGreaterThan(0);
	}, 120_000);
});
