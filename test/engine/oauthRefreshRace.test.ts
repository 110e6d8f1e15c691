// Requests that meet an expired OAuth2 token at the same moment (docs/contract.md#refresh-race).
// Bitrix24 takes a refresh token back when it grants a refresh, so of K requests that each refresh with
// the token they read, only the first is granted. n8n 2.41's engine refreshes once per process (it reads
// the saved credential again and holds a lock); n8n 1.x's requestOAuth2 lets every request refresh on
// its own. The engine harness runs n8n 2.41's engine, and models 1.x with `oauth2Refresh:
// 'eachRequest'` (dev/harness/n8n1OAuth2.ts).
//
// The node's token gate lets one request go while the saved token has expired (its `expires` has
// passed) and holds the others, of this run and of other runs in the process, until that one is back:
// one refresh per expiry on both lines. A token the portal takes back while the saved `expires` is
// still ahead cannot be seen coming: the requests already out with it meet it together, and on n8n 1.x
// all but one of their refreshes are refused. On both, a request whose refresh was refused because the
// token had already been renewed is sent again with the saved token, counted in n8n's log, and spends
// no retry (Max Retries is 0 here); a refresh that really fails is OAUTH_REFRESH_FAILED with its hint.
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import type { Portal, TokenResponse } from '../../dev/emulator/portal';
import { startPortal } from '../../dev/emulator/portal';
import { TestCredentialsHelper, runWorkflow } from '../../dev/harness/engine';
import type { OnError, WorkflowRunOptions, WorkflowRunResult } from '../../dev/harness/engine';
import { SETTINGS, byPaySystemId, invoices, jsonOf, n8nLogger, oauthCredentials, pairingOf, usePortal } from '../support';

const METHOD = 'sale.paysystem.settings.invoice.get';
const CREDENTIAL = { id: '1', name: 'Bitrix24' };
const REFRESH_HINT =
	'n8n could not renew the OAuth2 access token: the refresh token expired, access was revoked, or the token address did not answer. Open the credential and click "Reconnect" to sign in to Bitrix24 again.';
const SENT_AGAIN =
	/^Bitrix24 portal (\S+): a request met an OAuth2 access token that another request or process had already renewed, and was sent again with the saved token \((\d+) requests? so far in this run\)$/;

type Refresher = NonNullable<WorkflowRunOptions['oauth2Refresh']>;
const LINES: Array<[string, Refresher]> = [
	['n8n 2.41 (its engine refreshes once per process)', 'engine'],
	['n8n 1.x (each request refreshes on its own, as its requestOAuth2 does)', 'eachRequest'],
];

/** Refreshes the portal granted and refused, and requests the node sent again (n8n's log lines). */
interface Counts {
	granted: number;
	refused: number;
	sentAgain: number;
}
const counts = (granted: number, refused: number, sentAgain: number): Counts => ({ granted, refused, sentAgain });

/** What each line costs for K requests in flight: [K, n8n 2.41, n8n 1.x]. */
type ByK = Array<[k: number, engine: Counts, eachRequest: Counts]>;

/** A saved token whose `expires` has passed: the gate lets one request go, on both lines. */
const EXPIRED: ByK = [
	[1, counts(1, 0, 0), counts(1, 0, 0)],
	[2, counts(1, 0, 0), counts(1, 0, 0)],
	[3, counts(1, 0, 0), counts(1, 0, 0)],
	[4, counts(1, 0, 0), counts(1, 0, 0)],
	[5, counts(1, 0, 0), counts(1, 0, 0)],
];

/**
 * A token the portal took back while the saved `expires` is still ahead: the K requests are out before
 * anything tells the node, and no gate can hold them; n8n 1.x refreshes for each.
 */
const TAKEN_BACK: ByK = [
	[1, counts(1, 0, 0), counts(1, 0, 0)],
	[2, counts(1, 0, 0), counts(1, 1, 1)],
	[3, counts(1, 0, 0), counts(1, 2, 2)],
	[4, counts(1, 0, 0), counts(1, 3, 3)],
	[5, counts(1, 0, 0), counts(1, 4, 4)],
];

const range = (from: number, count: number) => Array.from({ length: count }, (_, index) => from + index);

/** Waits until `condition` holds (the portal's log, say), polling; fails after 20 s. */
async function until(condition: () => boolean): Promise<void> {
	const deadline = Date.now() + 20_000;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('The condition never held');
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

/** A refresh by another process: through the portal's token endpoint, as any OAuth2 client sends it. */
async function refreshElsewhere(portal: Portal, refreshToken: string): Promise<TokenResponse> {
	const response = await fetch(`${portal.origin}/oauth/token/`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: portal.clientId, client_secret: portal.clientSecret }).toString(),
	});
	expect(response.status).toBe(200);
	return (await response.json()) as TokenResponse;
}

/** What another process saves in n8n's credential store after its refresh. */
async function saveElsewhere(store: TestCredentialsHelper, credential: ICredentialDataDecryptedObject, tokens: TokenResponse): Promise<void> {
	await store.updateCredentialsOauthTokenData(CREDENTIAL, 'bitrix24OAuth2Api', { ...credential, oauthTokenData: tokens as never });
}

interface Race {
	result: WorkflowRunResult;
	counts: Counts;
	/** The REST calls' error codes in the order they arrived (null: answered). */
	restCodes: Array<string | null>;
	logLines: string[];
}

interface RaceOptions {
	batch: boolean;
	parallelRequests: number;
	tokens: object;
	store?: TestCredentialsHelper;
	onError?: OnError;
	credential?: ICredentialDataDecryptedObject;
	/** More of the node's options (its rate limit, say). */
	options?: IDataObject;
}

describe.each(LINES)('OAuth2 refresh races on %s', (_line, oauth2Refresh) => {
	const portal = usePortal();
	let info: jest.SpyInstance;
	beforeEach(() => {
		info = jest.spyOn(n8nLogger(), 'info');
	});
	afterEach(() => info.mockRestore());
	const eachRequest = oauth2Refresh === 'eachRequest';
	const onThisLine = (table: ByK): Array<[number, Counts]> => table.map(([k, engine, perRequest]) => [k, eachRequest ? perRequest : engine]);

	/** Runs the node over `ids` (pay system 12) with an OAuth2 credential: `parallelRequests` in flight, no retries. */
	async function execute(ids: number[], options: RaceOptions): Promise<WorkflowRunResult> {
		const credentials = options.credential === undefined ? oauthCredentials(portal(), options.tokens) : { bitrix24OAuth2Api: options.credential };
		return await runWorkflow({
			parameters: {
				authentication: 'oAuth2',
				...byPaySystemId(12, { batch: options.batch, parallelRequests: options.parallelRequests, maxRetries: 0, ...options.options }),
			},
			items: invoices(...ids),
			credentials,
			credentialsHelper: options.store,
			onError: options.onError ?? 'continueErrorOutput',
			oauth2Refresh,
		});
	}

	/** What the portal and n8n's log saw so far; checks the log lines on the way. */
	function observed(result: WorkflowRunResult): Race {
		const logLines = info.mock.calls.map(([message]) => String(message)).filter((message) => message.includes('OAuth2'));
		const sentAgain = logLines.filter((message) => SENT_AGAIN.test(message));
		// The count in each line runs on, 1, 2, ... in each run; the origin is all it says of the portal.
		for (const [origin] of sentAgain.map((message) => SENT_AGAIN.exec(message)?.slice(1) ?? [])) expect(origin).toBe(portal().origin);
		expect(portal().secrets().filter((secret) => logLines.some((message) => message.includes(secret)))).toEqual([]);
		return {
			result,
			counts: { ...portal().refreshes(), sentAgain: sentAgain.length },
			restCodes: portal().restCalls().map((call) => call.errorCode),
			logLines,
		};
	}

	async function race(ids: number[], options: RaceOptions): Promise<Race> {
		const outcome = observed(await execute(ids, options));
		const numbers = outcome.logLines.filter((message) => SENT_AGAIN.test(message)).map((message) => SENT_AGAIN.exec(message)?.[2]);
		expect(numbers).toEqual(numbers.map((_, index) => String(index + 1)));
		return outcome;
	}

	function expectAllRight({ result }: Pick<Race, 'result'>, ids: number[]): void {
		expect(result.error).toBeUndefined();
		expect(result.errorOutput).toEqual([]);
		expect(jsonOf(result.output)).toEqual(ids.map((id) => SETTINGS.bank(id)));
		expect(pairingOf(result.output)).toEqual(ids.map((_, item) => ({ item })));
	}

	const stored = (tokens: object) => oauthCredentials(portal(), tokens).bitrix24OAuth2Api;
	/** Tokens as a credential saved an hour ago holds them: `expires` a minute past. */
	const expiredTokens = () => portal().issueTokensExpiringIn(-60);

	describe('a saved token whose `expires` has passed, K requests in flight: one goes, the others wait for it', () => {
		it.each(onThisLine(EXPIRED))('K = %i single calls: every item right, %o', async (k, expected) => {
			const tokens = expiredTokens();
			const ids = range(10, k);
			const outcome = await race(ids, { batch: false, parallelRequests: k, tokens });
			expectAllRight(outcome, ids);
			expect(outcome.counts).toEqual(expected);
			// One request met the expired token and went again with the granted one; the others went after it.
			expect(outcome.restCodes).toEqual(['expired_token', ...Array(k).fill(null)]);
			expect(outcome.result.credentialsHelper.saved).toHaveLength(1);
		});

		it.each(onThisLine(EXPIRED))('K = %i batch calls of 50: every item right, %o', async (k, expected) => {
			const tokens = expiredTokens();
			const ids = range(100, 50 * k);
			const outcome = await race(ids, { batch: true, parallelRequests: k, tokens });
			expectAllRight(outcome, ids);
			expect(outcome.counts).toEqual(expected);
			expect(portal().restCalls('batch').map((call) => call.errorCode)).toEqual(['expired_token', ...Array(k).fill(null)]);
		});
	});

	describe('a token the portal took back while the saved `expires` is still ahead, K in flight: the K are out before anything tells, and cannot be held', () => {
		it.each(onThisLine(TAKEN_BACK))('K = %i single calls: every item right, %o', async (k, expected) => {
			const tokens = portal().issueTokens();
			portal().expireAccessTokens();
			const ids = range(10, k);
			const outcome = await race(ids, { batch: false, parallelRequests: k, tokens });
			expectAllRight(outcome, ids);
			// Each of the K left with the taken-back token; the one granted refresh's request went again, and on
			// n8n 1.x the K - 1 refused ones were sent again by the node with the token it saved.
			expect(outcome.counts).toEqual(expected);
			expect(outcome.restCodes).toEqual([...Array(k).fill('expired_token'), ...Array(k).fill(null)]);
			expect(outcome.result.credentialsHelper.saved).toHaveLength(1);
		});

		it.each(onThisLine(TAKEN_BACK))('K = %i batch calls of 50: every item right, %o', async (k, expected) => {
			const tokens = portal().issueTokens();
			portal().expireAccessTokens();
			const ids = range(100, 50 * k);
			const outcome = await race(ids, { batch: true, parallelRequests: k, tokens });
			expectAllRight(outcome, ids);
			expect(outcome.counts).toEqual(expected);
			expect(portal().restCalls('batch').map((call) => call.errorCode)).toEqual([...Array(k).fill('expired_token'), ...Array(k).fill(null)]);
		});
	});

	it('a token whose `expires` comes mid-run, 3 in flight, 200 ms a request: from a few seconds before it, one request at a time, and one meets it', async () => {
		portal().setOptions({ limits: null, latency: { perRequestMs: 200, perCallMs: 0 } });
		// `expires` 6 to 7 s ahead: 1 to 2 s of requests three at a time, then one at a time until one meets
		// the expiry and n8n renews the token, then three at a time again. Three at a time all along, the
		// run would last some 9 s and meet the expiry too.
		const tokens = portal().issueTokensExpiringIn(7);
		const ids = range(1000, 130);
		const outcome = await race(ids, { batch: false, parallelRequests: 3, tokens, options: { rateLimit: 'none' } });
		expectAllRight(outcome, ids);
		expect(outcome.counts).toEqual({ granted: 1, refused: 0, sentAgain: 0 });
		const met = outcome.restCodes.indexOf('expired_token');
		expect(outcome.restCodes.filter((code) => code === 'expired_token')).toHaveLength(1);
		expect(outcome.restCodes).toHaveLength(ids.length + 1);
		// Mid-run: requests were answered before the expiry and after the renewal.
		expect(met).toBeGreaterThan(10);
		expect(met).toBeLessThan(outcome.restCodes.length - 10);
		expect(outcome.result.credentialsHelper.saved).toHaveLength(1);
	}, 60_000);

	it.each([
		['30 single calls, the token taken back as the 12th arrives', false, 30, 11],
		['300 items in 6 batch calls, the token taken back as the 3rd arrives', true, 300, 2],
	])('a token taken back mid-run while its `expires` is ahead (%s), 3 in flight: every item right; the three out cannot be held', async (_label, batch, count, skip) => {
		const tokens = portal().issueTokens();
		portal().addFault({ restMethod: batch ? 'batch' : METHOD, skip, times: 1, response: { expireTokens: true } });
		const ids = range(1000, count);
		const outcome = await race(ids, { batch, parallelRequests: 3, tokens });
		expectAllRight(outcome, ids);
		// The request that met it, and the two that left before anything came back.
		expect(outcome.restCodes.filter((code) => code === 'expired_token')).toHaveLength(3);
		expect(outcome.restCodes.slice(0, skip)).toEqual(Array(skip).fill(null));
		expect(outcome.counts).toEqual(eachRequest ? { granted: 1, refused: 2, sentAgain: 2 } : { granted: 1, refused: 0, sentAgain: 0 });
		expect(outcome.restCodes).toHaveLength(Math.ceil(count / (batch ? 50 : 1)) + 3);
	});

	it('two executions at once in one process, 3 in flight each, on a saved token whose `expires` has passed: one refresh for both', async () => {
		const tokens = expiredTokens();
		const store = new TestCredentialsHelper(structuredClone(oauthCredentials(portal(), tokens)));
		const [first, second] = await Promise.all([
			execute(range(10, 9), { batch: false, parallelRequests: 3, tokens, store }),
			execute(range(500, 9), { batch: false, parallelRequests: 3, tokens, store }),
		]);
		expectAllRight({ result: first }, range(10, 9));
		expectAllRight({ result: second }, range(500, 9));
		const outcome = observed(first);
		expect(outcome.counts).toEqual({ granted: 1, refused: 0, sentAgain: 0 });
		// One request of the six that set out met the expired token; every other went with the renewed one.
		expect(outcome.restCodes).toEqual(['expired_token', ...Array(18).fill(null)]);
		expect(store.saved).toHaveLength(1);
	});

	describe('a token another process renewed while requests with the old one were on their way', () => {
		/** Three requests on a token the portal took back, held at the portal until `release`. */
		const threeInFlightOnTakenBackToken = async () => {
			const tokens = portal().issueTokens();
			portal().expireAccessTokens();
			const store = new TestCredentialsHelper(structuredClone(oauthCredentials(portal(), tokens)));
			const release = portal().holdAnswers();
			const running = race(range(10, 3), { batch: false, parallelRequests: 3, tokens, store });
			await until(() => portal().restCalls().length === 3);
			return { tokens, store, release, running };
		};

		it('3 out, saved before the run meets the taken-back token: every item right', async () => {
			const { tokens, store, release, running } = await threeInFlightOnTakenBackToken();
			await saveElsewhere(store, stored(tokens), await refreshElsewhere(portal(), tokens.refresh_token));
			release();
			const outcome = await running;
			expectAllRight(outcome, range(10, 3));
			// n8n 2.41 finds the saved token newer and takes it without a refresh; on n8n 1.x each request
			// refreshes with the refresh token the other process used up, and the node sends it again.
			expect(outcome.counts).toEqual(eachRequest ? counts(1, 3, 3) : counts(1, 0, 0));
			expect(outcome.restCodes).toEqual(['expired_token', 'expired_token', 'expired_token', null, null, null]);
		});

		it('3 out, saved only after the run\'s own refresh was refused: the node reads the credential again until it is', async () => {
			const { tokens, store, release, running } = await threeInFlightOnTakenBackToken();
			const renewed = await refreshElsewhere(portal(), tokens.refresh_token);
			release();
			await until(() => portal().refreshes().refused > 0);
			await saveElsewhere(store, stored(tokens), renewed);
			const outcome = await running;
			expectAllRight(outcome, range(10, 3));
			// n8n 2.41 refreshes once for the three (refused), n8n 1.x three times; all three go again.
			expect(outcome.counts).toEqual(eachRequest ? counts(1, 3, 3) : counts(1, 1, 3));
			expect(outcome.restCodes).toEqual(['expired_token', 'expired_token', 'expired_token', null, null, null]);
			expect(outcome.result.credentialsHelper.saved).toHaveLength(1);
		});

		it('a saved token whose `expires` has passed, 3 in flight, renewed elsewhere while the one request sent with it is out: that one alone is refused and sent again', async () => {
			const tokens = expiredTokens();
			const store = new TestCredentialsHelper(structuredClone(oauthCredentials(portal(), tokens)));
			const release = portal().holdAnswers();
			const running = race(range(10, 3), { batch: false, parallelRequests: 3, tokens, store });
			await until(() => portal().restCalls().length === 1);
			const renewed = await refreshElsewhere(portal(), tokens.refresh_token);
			release();
			await until(() => portal().refreshes().refused > 0);
			await saveElsewhere(store, stored(tokens), renewed);
			const outcome = await running;
			expectAllRight(outcome, range(10, 3));
			expect(outcome.counts).toEqual(counts(1, 1, 1));
			expect(outcome.restCodes).toEqual(['expired_token', null, null, null]);
		});
	});

	describe('a refresh that really fails, the saved token unchanged: OAUTH_REFRESH_FAILED with its hint, nothing sent again', () => {
		const expectRefreshFailedFor = (outcome: Race, ids: number[]) => {
			expect(outcome.result.output).toEqual([]);
			expect(outcome.result.errorOutput.map((item) => item.json.details)).toEqual(
				ids.map((invoiceId) => ({ errorCode: 'OAUTH_REFRESH_FAILED', errorDescription: null, httpCode: null, invoiceId, hint: REFRESH_HINT })),
			);
			expect(String(outcome.result.errorOutput[0].json.error)).toMatch(/^OAUTH_REFRESH_FAILED: The OAuth2 access token could not be renewed \(/);
		};

		it.each([false, true])('a revoked refresh token (invalid_grant) on a saved token whose `expires` has passed, 3 in flight, batch %s: one refresh, refused, and its failure for all', async (batch) => {
			const tokens = { ...expiredTokens(), refresh_token: 'revoked-refresh-token' };
			const ids = batch ? range(10, 150) : range(10, 3);
			const outcome = await race(ids, { batch, parallelRequests: 3, tokens });
			expectRefreshFailedFor(outcome, ids);
			expect(outcome.counts).toEqual(counts(0, 1, 0));
			expect(outcome.restCodes).toEqual(['expired_token']);
		});

		it.each([false, true])('a revoked refresh token (invalid_grant) on a token taken back, 3 out, batch %s', async (batch) => {
			const tokens = { ...portal().issueTokens(), refresh_token: 'revoked-refresh-token' };
			portal().expireAccessTokens();
			const ids = batch ? range(10, 150) : range(10, 3);
			const outcome = await race(ids, { batch, parallelRequests: 3, tokens });
			expectRefreshFailedFor(outcome, ids);
			expect(outcome.counts).toEqual(eachRequest ? counts(0, 3, 0) : counts(0, 1, 0));
			expect(outcome.restCodes).toEqual(['expired_token', 'expired_token', 'expired_token']);
		});

		it('a revoked refresh token with On Error "Stop Workflow": the run stops with the hint', async () => {
			const tokens = { ...expiredTokens(), refresh_token: 'revoked-refresh-token' };
			const outcome = await race(range(10, 3), { batch: false, parallelRequests: 3, tokens, onError: 'stopWorkflow' });
			expect(outcome.result.error?.name).toBe('NodeApiError');
			expect(outcome.result.error?.message).toMatch(/^OAUTH_REFRESH_FAILED: The OAuth2 access token could not be renewed \(.*\) \[item 0, invoice 10\]$/);
			expect(outcome.result.error?.description).toBe(REFRESH_HINT);
			expect(outcome.counts).toEqual(counts(0, 1, 0));
			expect(outcome.restCodes).toEqual(['expired_token']);
		});

		it('a token address that does not answer, on a saved token whose `expires` has passed, 3 in flight', async () => {
			const closed = await startPortal();
			const accessTokenUrl = `${closed.origin}/oauth/token/`;
			await closed.stop();
			const tokens = expiredTokens();
			const credential = oauthCredentials(portal(), tokens, { accessTokenUrl }).bitrix24OAuth2Api;
			const outcome = await race(range(10, 3), { batch: false, parallelRequests: 3, tokens, credential });
			expect(outcome.result.errorOutput.map((item) => (item.json.details as { errorCode: string }).errorCode)).toEqual(
				Array(3).fill(eachRequest ? 'NETWORK_ERROR' : 'OAUTH_REFRESH_FAILED'),
			);
			expect(outcome.counts).toEqual(counts(0, 0, 0));
			// n8n 2.41 reports a failed refresh, handed to the two waiting; n8n 1.x reports the refused
			// connection itself, which says nothing of the token, so the other two go after it, one at a time.
			expect(outcome.restCodes).toEqual(eachRequest ? ['expired_token', 'expired_token', 'expired_token'] : ['expired_token']);
		});
	});
});
