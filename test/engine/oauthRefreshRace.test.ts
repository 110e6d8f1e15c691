// Requests that meet an expired OAuth2 token at the same moment (docs/contract.md#oauth2). Bitrix24
// takes a refresh token back when it grants a refresh, so of K requests that each refresh with the
// token they read, only the first is granted. n8n 2.41's engine refreshes once per process (it reads
// the saved credential again and holds a lock); n8n 1.x's requestOAuth2 lets every request refresh on
// its own. The engine harness runs n8n 2.41's engine, and models 1.x with `oauth2Refresh:
// 'eachRequest'` (dev/harness/n8n1OAuth2.ts). On both, a request whose refresh was refused because the
// token had already been renewed (by another request, or by another process through the token
// endpoint) is sent again with the saved token, counted in n8n's log, and spends no retry (Max Retries
// is 0 here); a refresh that really fails is OAUTH_REFRESH_FAILED with its hint.
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

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
	/** Refreshes the portal granted and refused, and requests the node sent again (n8n's log lines). */
	counts: { granted: number; refused: number; sentAgain: number };
	/** The REST calls' error codes in the order they arrived (null: answered). */
	restCodes: Array<string | null>;
	logLines: string[];
}

describe.each(LINES)('OAuth2 refresh races on %s', (_line, oauth2Refresh) => {
	const portal = usePortal();
	let info: jest.SpyInstance;
	beforeEach(() => {
		info = jest.spyOn(n8nLogger(), 'info');
	});
	afterEach(() => info.mockRestore());
	const eachRequest = oauth2Refresh === 'eachRequest';

	/** Runs the node over `ids` (pay system 12) with an OAuth2 credential: `parallelRequests` in flight, no retries. */
	async function race(
		ids: number[],
		options: { batch: boolean; parallelRequests: number; tokens: object; store?: TestCredentialsHelper; onError?: OnError; credential?: ICredentialDataDecryptedObject },
	): Promise<Race> {
		const credentials = options.credential === undefined ? oauthCredentials(portal(), options.tokens) : { bitrix24OAuth2Api: options.credential };
		const result = await runWorkflow({
			parameters: { authentication: 'oAuth2', ...byPaySystemId(12, { batch: options.batch, parallelRequests: options.parallelRequests, maxRetries: 0 }) },
			items: invoices(...ids),
			credentials,
			credentialsHelper: options.store,
			onError: options.onError ?? 'continueErrorOutput',
			oauth2Refresh,
		});
		const logLines = info.mock.calls.map(([message]) => String(message)).filter((message) => message.includes('OAuth2'));
		const sentAgain = logLines.filter((message) => SENT_AGAIN.test(message));
		// The count in each line runs on, 1, 2, ...; the origin is all it says of the portal.
		expect(sentAgain.map((message) => SENT_AGAIN.exec(message)?.slice(1))).toEqual(sentAgain.map((_, index) => [portal().origin, String(index + 1)]));
		expect(portal().secrets().filter((secret) => logLines.some((message) => message.includes(secret)))).toEqual([]);
		return {
			result,
			counts: { ...portal().refreshes(), sentAgain: sentAgain.length },
			restCodes: portal().restCalls().map((call) => call.errorCode),
			logLines,
		};
	}

	function expectAllRight({ result }: Race, ids: number[]): void {
		expect(result.error).toBeUndefined();
		expect(result.errorOutput).toEqual([]);
		expect(jsonOf(result.output)).toEqual(ids.map((id) => SETTINGS.bank(id)));
		expect(pairingOf(result.output)).toEqual(ids.map((_, item) => ({ item })));
	}

	const stored = (tokens: object) => oauthCredentials(portal(), tokens).bitrix24OAuth2Api;

	describe('an expired token, K requests in flight', () => {
		it.each([1, 2, 3, 4, 5])('K = %i single calls: every item right, one refresh granted', async (k) => {
			const tokens = portal().issueTokens();
			portal().expireAccessTokens();
			const ids = range(10, k);
			const outcome = await race(ids, { batch: false, parallelRequests: k, tokens });
			expectAllRight(outcome, ids);
			// Each of the K left with the expired token; the one granted refresh's request went again, and on
			// n8n 1.x the K - 1 refused ones were sent again by the node with the token it saved.
			expect(outcome.counts).toEqual({ granted: 1, refused: eachRequest ? k - 1 : 0, sentAgain: eachRequest ? k - 1 : 0 });
			expect(outcome.restCodes).toEqual([...Array(k).fill('expired_token'), ...Array(k).fill(null)]);
			expect(outcome.result.credentialsHelper.saved).toHaveLength(1);
		});

		it.each([1, 2, 3, 4, 5])('K = %i batch calls of 50: every item right, one refresh granted', async (k) => {
			const tokens = portal().issueTokens();
			portal().expireAccessTokens();
			const ids = range(100, 50 * k);
			const outcome = await race(ids, { batch: true, parallelRequests: k, tokens });
			expectAllRight(outcome, ids);
			expect(outcome.counts).toEqual({ granted: 1, refused: eachRequest ? k - 1 : 0, sentAgain: eachRequest ? k - 1 : 0 });
			expect(portal().restCalls('batch').map((call) => call.errorCode)).toEqual([...Array(k).fill('expired_token'), ...Array(k).fill(null)]);
		});
	});

	it.each([
		['30 single calls, the token expiring as the 12th arrives', false, 30, 11],
		['300 items in 6 batch calls, the token expiring as the 3rd arrives', true, 300, 2],
	])('a token that expires mid-run (%s), 3 in flight: every item right', async (_label, batch, count, skip) => {
		const tokens = portal().issueTokens();
		portal().addFault({ restMethod: batch ? 'batch' : METHOD, skip, times: 1, response: { expireTokens: true } });
		const ids = range(1000, count);
		const outcome = await race(ids, { batch, parallelRequests: 3, tokens });
		expectAllRight(outcome, ids);
		// The request that met the expiry, and the two that left before the new token was saved.
		expect(outcome.restCodes.filter((code) => code === 'expired_token')).toHaveLength(3);
		expect(outcome.restCodes.slice(0, skip)).toEqual(Array(skip).fill(null));
		expect(outcome.counts).toEqual({ granted: 1, refused: eachRequest ? 2 : 0, sentAgain: eachRequest ? 2 : 0 });
		expect(outcome.restCodes).toHaveLength(Math.ceil(count / (batch ? 50 : 1)) + 3);
	});

	describe('a token another process renewed while 3 requests with the old one were in flight', () => {
		/** Three requests on an expired token, held at the portal until `release`. */
		const threeInFlightOnExpiredToken = async () => {
			const tokens = portal().issueTokens();
			portal().expireAccessTokens();
			const store = new TestCredentialsHelper(structuredClone(oauthCredentials(portal(), tokens)));
			const release = portal().holdAnswers();
			const running = race(range(10, 3), { batch: false, parallelRequests: 3, tokens, store });
			await until(() => portal().restCalls().length === 3);
			return { tokens, store, release, running };
		};

		it('saved before the run meets the expired token: every item right', async () => {
			const { tokens, store, release, running } = await threeInFlightOnExpiredToken();
			await saveElsewhere(store, stored(tokens), await refreshElsewhere(portal(), tokens.refresh_token));
			release();
			const outcome = await running;
			expectAllRight(outcome, range(10, 3));
			// n8n 2.41 finds the saved token newer and takes it without a refresh; on n8n 1.x each request
			// refreshes with the refresh token the other process used up, and the node sends it again.
			expect(outcome.counts).toEqual({ granted: 1, refused: eachRequest ? 3 : 0, sentAgain: eachRequest ? 3 : 0 });
			expect(outcome.restCodes).toEqual(['expired_token', 'expired_token', 'expired_token', null, null, null]);
		});

		it('saved only after the run\'s own refresh was refused: the node reads the credential again until it is', async () => {
			const { tokens, store, release, running } = await threeInFlightOnExpiredToken();
			const renewed = await refreshElsewhere(portal(), tokens.refresh_token);
			release();
			await until(() => portal().refreshes().refused > 0);
			await saveElsewhere(store, stored(tokens), renewed);
			const outcome = await running;
			expectAllRight(outcome, range(10, 3));
			// n8n 2.41 refreshes once for the three (refused), n8n 1.x three times; all three go again.
			expect(outcome.counts).toEqual({ granted: 1, refused: eachRequest ? 3 : 1, sentAgain: 3 });
			expect(outcome.restCodes).toEqual(['expired_token', 'expired_token', 'expired_token', null, null, null]);
			expect(outcome.result.credentialsHelper.saved).toHaveLength(1);
		});
	});

	describe('a refresh that really fails, the saved token unchanged: OAUTH_REFRESH_FAILED with its hint, nothing sent again', () => {
		it.each([false, true])('a revoked refresh token (invalid_grant), 3 in flight, batch %s', async (batch) => {
			const tokens = { ...portal().issueTokens(), refresh_token: 'revoked-refresh-token' };
			portal().expireAccessTokens();
			const ids = batch ? range(10, 150) : range(10, 3);
			const outcome = await race(ids, { batch, parallelRequests: 3, tokens });
			expect(outcome.result.output).toEqual([]);
			expect(outcome.result.errorOutput.map((item) => item.json.details)).toEqual(
				ids.map((invoiceId) => ({ errorCode: 'OAUTH_REFRESH_FAILED', errorDescription: null, httpCode: null, invoiceId, hint: REFRESH_HINT })),
			);
			expect(String(outcome.result.errorOutput[0].json.error)).toMatch(/^OAUTH_REFRESH_FAILED: The OAuth2 access token could not be renewed \(/);
			expect(outcome.counts).toEqual({ granted: 0, refused: eachRequest ? 3 : 1, sentAgain: 0 });
			expect(outcome.restCodes).toEqual(['expired_token', 'expired_token', 'expired_token']);
		});

		it('a revoked refresh token with On Error "Stop Workflow": the run stops with the hint', async () => {
			const tokens = { ...portal().issueTokens(), refresh_token: 'revoked-refresh-token' };
			portal().expireAccessTokens();
			const outcome = await race(range(10, 3), { batch: false, parallelRequests: 3, tokens, onError: 'stopWorkflow' });
			expect(outcome.result.error?.name).toBe('NodeApiError');
			expect(outcome.result.error?.message).toMatch(/^OAUTH_REFRESH_FAILED: The OAuth2 access token could not be renewed \(.*\) \[item 0, invoice 10\]$/);
			expect(outcome.result.error?.description).toBe(REFRESH_HINT);
			expect(outcome.counts).toMatchObject({ granted: 0, sentAgain: 0 });
		});

		it('a token address that does not answer, 3 in flight (n8n 1.x reports the refused connection itself)', async () => {
			const closed = await startPortal();
			const accessTokenUrl = `${closed.origin}/oauth/token/`;
			await closed.stop();
			const tokens = portal().issueTokens();
			portal().expireAccessTokens();
			const credential = oauthCredentials(portal(), tokens, { accessTokenUrl }).bitrix24OAuth2Api;
			const outcome = await race(range(10, 3), { batch: false, parallelRequests: 3, tokens, credential });
			expect(outcome.result.errorOutput.map((item) => (item.json.details as { errorCode: string }).errorCode)).toEqual(
				Array(3).fill(eachRequest ? 'NETWORK_ERROR' : 'OAUTH_REFRESH_FAILED'),
			);
			expect(outcome.counts).toEqual({ granted: 0, refused: 0, sentAgain: 0 });
			expect(outcome.restCodes).toEqual(['expired_token', 'expired_token', 'expired_token']);
		});
	});
});
