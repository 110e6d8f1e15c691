import { startPortal } from '../../dev/emulator/portal';
import { runWorkflow } from '../../dev/harness/engine';
import { HINTS } from '../contract/hints';
import { SETTINGS, byPaySystemId, invoices, jsonOf, oauthCredentials, usePortal, webhookCredentials } from '../support';

const CALL_PATH = (code: string) => `/rest/1/${code}/sale.paysystem.settings.invoice.get.json`;

describe('Webhook URL forms: with or without trailing slash, method name or .json', () => {
	const portal = usePortal();

	it.each([
		['the base with a trailing slash', (base: string) => base],
		['the base without a trailing slash', (base: string) => base.replace(/\/$/, '')],
		['a trailing method name', (base: string) => `${base}profile`],
		['a trailing method name with .json', (base: string) => `${base}profile.json`],
		['the method itself with .json', (base: string) => `${base}sale.paysystem.settings.invoice.get.json`],
		['a method name and a slash', (base: string) => `${base}profile/`],
		['surrounding spaces', (base: string) => `  ${base}  `],
	])('accepts %s and calls <base>/<method>.json', async (_label, form) => {
		const { output, error } = await runWorkflow({
			parameters: byPaySystemId(11, { batch: false }),
			items: invoices(10),
			credentials: webhookCredentials(form(portal().webhookUrl)),
		});
		expect(error).toBeUndefined();
		expect(jsonOf(output)).toEqual([SETTINGS.card]);
		expect(portal().restCalls().map((call) => call.path)).toEqual([CALL_PATH(portal().webhookCode)]);
	});
});

// A credential that cannot work is a row of the table in hostileInputs.test.ts, under every error setting.

describe('http:// is refused unless the host is loopback (localhost, 127.0.0.0/8, [::1]) or allowInsecureHttp is on', () => {
	const portal = usePortal();

	it('lets http:// reach a loopback host without the insecure flag', async () => {
		const { output } = await runWorkflow({
			parameters: byPaySystemId(11),
			items: invoices(10),
			credentials: webhookCredentials(portal().webhookUrl.replace('127.0.0.1', 'localhost')),
		});
		expect(jsonOf(output)).toEqual([SETTINGS.card]);
	});
});

describe('OAuth2: calls go to client_endpoint (else https://<domain>/rest/) with the token as a Bearer header', () => {
	const portal = usePortal();

	it('uses the client_endpoint of the token response', async () => {
		const tokens = portal().issueTokens();
		const { output } = await runWorkflow({
			parameters: { authentication: 'oAuth2', ...byPaySystemId(11, { batch: false }) },
			items: invoices(10),
			credentials: oauthCredentials(portal(), tokens, { domain: 'portal.example.com' }),
		});
		expect(jsonOf(output)).toEqual([SETTINGS.card]);
		expect(portal().restCalls().map((call) => [call.path, call.auth])).toEqual([
			['/rest/sale.paysystem.settings.invoice.get.json', 'oauth'],
		]);
	});

	it('falls back to <domain>/rest/ when the token has no client_endpoint', async () => {
		const { client_endpoint: _unused, ...tokens } = portal().issueTokens();
		const { output } = await runWorkflow({
			parameters: { authentication: 'oAuth2', ...byPaySystemId(12) },
			items: invoices(10, 11),
			credentials: oauthCredentials(portal(), tokens),
		});
		expect(jsonOf(output)).toEqual([SETTINGS.bank(10), SETTINGS.bank(11)]);
		expect(portal().restCalls().map((call) => call.path)).toEqual(['/rest/batch.json']);
	});

	it.each([true, false])('refreshes an expired access token exactly once, repeats the call and saves the new token (batch %s)', async (batch) => {
		const tokens = portal().issueTokens();
		portal().expireAccessTokens();
		const { output, credentialsHelper } = await runWorkflow({
			parameters: { authentication: 'oAuth2', ...byPaySystemId(12, { batch }) },
			items: invoices(10, 11, 12),
			credentials: oauthCredentials(portal(), tokens),
		});
		expect(jsonOf(output)).toEqual([SETTINGS.bank(10), SETTINGS.bank(11), SETTINGS.bank(12)]);
		expect(portal().tokenRequests()).toHaveLength(1);
		expect(portal().tokenRequests()[0].params).toEqual({
			grant_type: 'refresh_token',
			refresh_token: tokens.refresh_token,
			client_id: portal().clientId,
			client_secret: portal().clientSecret,
		});
		// Without batching, the three calls leave at once (Parallel Requests 3): each meets the expired token
		// and is sent again with the one new token.
		expect(portal().restCalls().map((call) => call.errorCode)).toEqual(
			batch ? ['expired_token', null] : ['expired_token', 'expired_token', 'expired_token', null, null, null],
		);
		expect(credentialsHelper.saved).toHaveLength(1);
		const saved = credentialsHelper.saved[0].data.oauthTokenData as { access_token: string; refresh_token: string };
		expect(saved.access_token).not.toBe(tokens.access_token);
		expect(saved.refresh_token).not.toBe(tokens.refresh_token);
	});

	describe('A refresh the portal refuses is OAUTH_REFRESH_FAILED with a hint to reconnect, not a network error', () => {
		const REFRESH_HINT =
			'n8n could not renew the OAuth2 access token: the refresh token expired, access was revoked, or the token address did not answer. Open the credential and click "Reconnect" to sign in to Bitrix24 again.';

		it.each([true, false])('a refresh token the portal no longer knows (invalid_grant), batch %s', async (batch) => {
			const tokens = { ...portal().issueTokens(), refresh_token: 'revoked-refresh-token' };
			portal().expireAccessTokens();
			const { errorOutput, output } = await runWorkflow({
				parameters: { authentication: 'oAuth2', ...byPaySystemId(12, { batch }) },
				items: invoices(10, 11),
				credentials: oauthCredentials(portal(), tokens),
				onError: 'continueErrorOutput',
			});
			expect(output).toEqual([]);
			expect(errorOutput.map((item) => item.json.details)).toEqual(
				[10, 11].map((invoiceId) => ({ errorCode: 'OAUTH_REFRESH_FAILED', errorDescription: null, httpCode: null, invoiceId, hint: REFRESH_HINT })),
			);
			expect(String(errorOutput[0].json.error)).toMatch(/^OAUTH_REFRESH_FAILED: The OAuth2 access token could not be renewed \(/);
			// Not retried: reconnecting is the only cure. Without batching both calls left at once, and n8n
			// asked for one refresh for both.
			expect(portal().tokenRequests().length).toBe(1);
			expect(portal().tokenRequests().every((request) => request.params.grant_type === 'refresh_token')).toBe(true);
		});

		it('a token address that does not answer', async () => {
			const closed = await startPortal();
			const tokenUrl = `${closed.origin}/oauth/token/`;
			await closed.stop();
			const tokens = portal().issueTokens();
			portal().expireAccessTokens();
			const { error } = await runWorkflow({
				parameters: { authentication: 'oAuth2', ...byPaySystemId(12) },
				items: invoices(10),
				credentials: oauthCredentials(portal(), tokens, { accessTokenUrl: tokenUrl }),
			});
			expect(error?.name).toBe('NodeApiError');
			expect(error?.message).toMatch(/^OAUTH_REFRESH_FAILED: The OAuth2 access token could not be renewed \(.*\) \[item 0, invoice 10\]$/);
			expect(error?.description).toBe(REFRESH_HINT);
			expect(portal().restCalls().map((call) => call.errorCode)).toEqual(['expired_token']);
		});
	});

	it('reports a token the portal still refuses after the refresh as that item error, with one refresh only', async () => {
		const tokens = portal().issueTokens();
		portal().addFault({ restMethod: 'batch', response: { status: 401, json: { error: 'invalid_token', error_description: 'The access token provided is invalid.' } } });
		const { errorOutput } = await runWorkflow({
			parameters: { authentication: 'oAuth2', ...byPaySystemId(11) },
			items: invoices(10, 11),
			credentials: oauthCredentials(portal(), tokens),
			onError: 'continueErrorOutput',
		});
		expect(portal().tokenRequests()).toHaveLength(1);
		expect(portal().restCalls('batch')).toHaveLength(2);
		expect(errorOutput.map((item) => item.json.details)).toEqual(
			[10, 11].map((invoiceId) =>
				({ errorCode: 'invalid_token', errorDescription: 'The access token provided is invalid.', httpCode: 401, invoiceId, hint: HINTS.invalid_token }),
			),
		);
	});

	it('says so when the credential was never connected', async () => {
		const { error } = await runWorkflow({
			parameters: { authentication: 'oAuth2', ...byPaySystemId(11) },
			items: invoices(10),
			credentials: oauthCredentials(portal(), {}),
		});
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toBe('The Bitrix24 OAuth2 credential is not connected');
		expect(portal().requests).toEqual([]);
	});
});
