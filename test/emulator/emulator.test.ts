import { startPortal } from '../../dev/emulator/portal';
import type { Portal } from '../../dev/emulator/portal';
import { encodePhpJson, parsePhpQuery } from '../../dev/emulator/php';
import { HANDLERS, PAY_SYSTEMS, settingsFor } from '../../dev/emulator/seed';

const METHOD = 'sale.paysystem.settings.invoice.get';
const CARD_SETTINGS = { REST_SERVICE_ID_IFRAME: 'snum', REST_SERVICE_KEY_IFRAME: 'skey', PS_WORK_MODE_IFRAME: 'REGULAR' };

interface Reply {
	status: number;
	body: any;
	text: string;
}

async function call(url: string, init: RequestInit = {}): Promise<Reply> {
	const response = await fetch(url, init);
	const text = await response.text();
	let body: unknown = null;
	try {
		body = JSON.parse(text);
	} catch {
		body = null;
	}
	return { status: response.status, body, text };
}

function postJson(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<Reply> {
	return call(url, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', ...headers },
		body: JSON.stringify(payload),
	});
}

function postForm(url: string, form: string, headers: Record<string, string> = {}): Promise<Reply> {
	return call(url, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
		body: form,
	});
}

function expectError(reply: Reply, status: number, error: string, description: string): void {
	expect(reply.status).toBe(status);
	expect(reply.body.error).toBe(error);
	expect(reply.body.error_description).toBe(description);
}

describe('emulated Bitrix24 portal', () => {
	let portal: Portal;
	let settingsUrl: string;

	beforeAll(async () => {
		portal = await startPortal();
		settingsUrl = `${portal.webhookUrl}${METHOD}.json`;
	});

	afterAll(async () => {
		await portal.stop();
	});

	afterEach(() => {
		portal.clearFaults();
		portal.setOptions({ batchAllowed: true, limits: null, operatingBudgetSeconds: null, processingSecondsPerCall: 0.01 });
	});

	describe('sale.paysystem.settings.invoice.get', () => {
		it('answers the reference page example with the three keys in order and a time object', async () => {
			const reply = await postJson(`${portal.webhookUrl}${METHOD}`, { INVOICE_ID: 10, PAY_SYSTEM_ID: 11 });
			expect(reply.status).toBe(200);
			expect(reply.body.result).toEqual(CARD_SETTINGS);
			expect(Object.keys(reply.body.result)).toEqual(['REST_SERVICE_ID_IFRAME', 'REST_SERVICE_KEY_IFRAME', 'PS_WORK_MODE_IFRAME']);
			expect(Object.keys(reply.body.time)).toEqual([
				'start',
				'finish',
				'duration',
				'processing',
				'date_start',
				'date_finish',
				'operating_reset_at',
				'operating',
			]);
			expect(reply.body.time.date_start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
			expect(Number.isInteger(reply.body.time.operating_reset_at)).toBe(true);
		});

		it('lets PAY_SYSTEM_ID win over BX_REST_HANDLER', async () => {
			const reply = await postJson(settingsUrl, { INVOICE_ID: 7, PAY_SYSTEM_ID: 12, BX_REST_HANDLER: 'resthandlercard' });
			expect(reply.body.result).toEqual({ BANK_NAME: 'Example Bank', PAYMENT_ID: 'INV-7', PS_WORK_MODE: 'TEST' });
		});

		it('picks the first pay system by ID for a shared handler', async () => {
			const reply = await postJson(settingsUrl, { INVOICE_ID: '10', BX_REST_HANDLER: 'resthandlercard' });
			expect(reply.body.result).toEqual(CARD_SETTINGS);
			const second = await postJson(settingsUrl, { INVOICE_ID: 10, PAY_SYSTEM_ID: '14' });
			expect(second.body.result).toEqual({ REST_SERVICE_ID_IFRAME: 'snum2', REST_SERVICE_KEY_IFRAME: 'skey2', PS_WORK_MODE_IFRAME: 'TEST' });
		});

		it('sends empty settings as the PHP empty array', async () => {
			const reply = await postJson(settingsUrl, { INVOICE_ID: 10, PAY_SYSTEM_ID: 15 });
			expect(reply.status).toBe(200);
			expect(reply.text.startsWith('{"result":[],"time":{')).toBe(true);
		});

		it('answers each validation failure with its code, in the documented order', async () => {
			expectError(await postJson(settingsUrl, { INVOICE_ID: 10 }), 400, 'ERROR_CHECK_FAILURE', 'PAY_SYSTEM_ID or BX_REST_HANDLER is required');
			expectError(
				await postJson(settingsUrl, { INVOICE_ID: 10, PAY_SYSTEM_ID: 0, BX_REST_HANDLER: '' }),
				400,
				'ERROR_CHECK_FAILURE',
				'PAY_SYSTEM_ID or BX_REST_HANDLER is required',
			);
			expectError(await postJson(settingsUrl, { PAY_SYSTEM_ID: 99 }), 400, 'ERROR_CHECK_FAILURE', 'Pay system not found');
			expectError(await postJson(settingsUrl, { INVOICE_ID: 10, BX_REST_HANDLER: 'nosuch' }), 400, 'ERROR_CHECK_FAILURE', 'Handler not found');
			expectError(await postJson(settingsUrl, { INVOICE_ID: 10, BX_REST_HANDLER: 'cash' }), 400, 'ERROR_CHECK_FAILURE', 'Handler not found');
			expectError(
				await postJson(settingsUrl, { INVOICE_ID: 10, BX_REST_HANDLER: 'resthandlerunused' }),
				400,
				'ERROR_PAY_SYSTEM_NOT_FOUND',
				'Pay system not found',
			);
			for (const invoiceId of [404, 100001, 0, -1, 1.5, '10abc', '', undefined]) {
				expectError(
					await postJson(settingsUrl, { INVOICE_ID: invoiceId, PAY_SYSTEM_ID: 11 }),
					400,
					'ERROR_INTERNAL_INVOICE_NOT_FOUND',
					'Invoice not found',
				);
			}
			expect((await postJson(settingsUrl, { INVOICE_ID: 100000, PAY_SYSTEM_ID: 12 })).body.result).toEqual(settingsFor(12, 100000));
			// A pay system on a built-in handler (13, cash) has no settings for REST: refused before the invoice is looked up.
			for (const invoiceId of [10, 404, undefined]) {
				expectError(await postJson(settingsUrl, { INVOICE_ID: invoiceId, PAY_SYSTEM_ID: 13 }), 403, 'ACCESS_DENIED', 'Access denied');
			}
			expectError(await postJson(settingsUrl, { INVOICE_ID: 10, PAY_SYSTEM_ID: '13', BX_REST_HANDLER: 'resthandlercard' }), 403, 'ACCESS_DENIED', 'Access denied');
		});

		it('reads PHP-style form bodies and query strings', async () => {
			const form = await postForm(settingsUrl, 'INVOICE_ID=21&BX_REST_HANDLER=resthandlerbank');
			expect(form.body.result).toEqual({ BANK_NAME: 'Example Bank', PAYMENT_ID: 'INV-21', PS_WORK_MODE: 'TEST' });
			const query = await call(`${portal.webhookUrl}${METHOD}?INVOICE_ID=22&PAY_SYSTEM_ID=12`);
			expect(query.body.result.PAYMENT_ID).toBe('INV-22');
		});
	});

	describe('other methods', () => {
		it('lists pay systems with SELECT, FILTER and ORDER from a form body', async () => {
			const reply = await postForm(
				`${portal.webhookUrl}sale.paysystem.list`,
				'SELECT[]=ID&SELECT[]=NAME&FILTER[%25NAME]=CARD&FILTER[ACTIVE]=Y&ORDER[ID]=DESC',
			);
			expect(reply.body.result).toEqual([
				{ ID: 14, NAME: 'Card payment, second shop' },
				{ ID: 11, NAME: 'Card payment (REST)' },
			]);
			const all = await postJson(`${portal.webhookUrl}sale.paysystem.list`, {});
			expect(all.body.result).toEqual(PAY_SYSTEMS);
			expect(all.body.result[2]).toEqual({
				ID: 13,
				NAME: 'Cash',
				PSA_NAME: 'Cash',
				ACTION_FILE: 'cash',
				ACTIVE: 'Y',
				SORT: 100,
				DESCRIPTION: '',
				PERSON_TYPE_ID: 1,
				ENTITY_REGISTRY_TYPE: 'ORDER',
				IS_CASH: 'Y',
				XML_ID: null,
			});
			const byId = await postJson(`${portal.webhookUrl}sale.paysystem.list`, { SELECT: ['ID'], FILTER: { '@ID': [12, '15'] } });
			expect(byId.body.result).toEqual([{ ID: 12 }, { ID: 15 }]);
		});

		it('lists handlers with string IDs', async () => {
			const reply = await postJson(`${portal.webhookUrl}sale.paysystem.handler.list`, {});
			expect(reply.body.result.map((handler: { ID: string; CODE: string; SORT: string }) => [handler.ID, handler.CODE, handler.SORT])).toEqual([
				['1', 'resthandlercard', '100'],
				['2', 'resthandlerbank', '100'],
				['3', 'resthandlerempty', '100'],
				['4', 'resthandlerunused', '100'],
			]);
			expect(reply.body.result[0].NAME).toBe(HANDLERS[0].NAME);
			expect(reply.body.result[2].SETTINGS.CODES).toEqual([]);
		});

		it('answers scope and profile', async () => {
			expect((await postJson(`${portal.webhookUrl}scope`, {})).body.result).toEqual(['pay_system', 'crm', 'user']);
			expect((await postJson(`${portal.noScopeWebhookUrl}scope`, {})).body.result).toEqual(['crm', 'user']);
			expect((await postJson(`${portal.webhookUrl}profile.json`, {})).body.result).toEqual({
				ID: '1',
				ADMIN: true,
				NAME: 'Anna',
				LAST_NAME: 'Admin',
				PERSONAL_GENDER: '',
				TIME_ZONE: '',
			});
		});
	});

	describe('authentication', () => {
		it('refuses a wrong webhook, an unknown method and a missing scope', async () => {
			expectError(
				await postJson(`${portal.origin}/rest/1/wrongcode/${METHOD}`, { INVOICE_ID: 10, PAY_SYSTEM_ID: 11 }),
				401,
				'NO_AUTH_FOUND',
				'Wrong authorization data',
			);
			expectError(
				await postJson(`${portal.origin}/rest/2/${portal.webhookCode}/${METHOD}`, {}),
				401,
				'NO_AUTH_FOUND',
				'Wrong authorization data',
			);
			expectError(await postJson(`${portal.webhookUrl}no.such.method`, {}), 404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
			expectError(
				await postJson(`${portal.noScopeWebhookUrl}${METHOD}`, { INVOICE_ID: 10, PAY_SYSTEM_ID: 11 }),
				403,
				'insufficient_scope',
				'The request requires higher privileges than provided by the webhook token',
			);
		});

		it('refuses OAuth calls without a token or with an unknown one', async () => {
			expectError(await postJson(`${portal.origin}/rest/${METHOD}`, {}), 401, 'NO_AUTH_FOUND', 'Wrong authorization data');
			expectError(
				await postJson(`${portal.origin}/rest/${METHOD}.json`, {}, { Authorization: 'Bearer 0123abcd' }),
				401,
				'invalid_token',
				'The access token provided is invalid.',
			);
		});

		it('runs the OAuth2 code flow, refresh and expiry', async () => {
			const redirectUri = 'http://127.0.0.1:5678/rest/oauth2-credential/callback';
			const authorize = await fetch(
				`${portal.origin}/oauth/authorize/?client_id=${encodeURIComponent(portal.clientId)}&response_type=code` +
					`&redirect_uri=${encodeURIComponent(redirectUri)}&state=xyz`,
				{ redirect: 'manual' },
			);
			expect(authorize.status).toBe(302);
			const location = new URL(authorize.headers.get('location') ?? '');
			expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
			expect(location.searchParams.get('state')).toBe('xyz');
			expect(location.searchParams.get('domain')).toBe(portal.origin.slice('http://'.length));
			expect(location.searchParams.get('scope')).toBe('pay_system,crm,user');
			const code = location.searchParams.get('code') ?? '';

			const basic = `Basic ${Buffer.from(`${portal.clientId}:${portal.clientSecret}`).toString('base64')}`;
			const token = await postForm(`${portal.origin}/oauth/token/`, `grant_type=authorization_code&code=${code}`, {
				Authorization: basic,
			});
			expect(token.status).toBe(200);
			expect(Object.keys(token.body)).toEqual([
				'access_token',
				'expires',
				'expires_in',
				'scope',
				'domain',
				'server_endpoint',
				'status',
				'client_endpoint',
				'member_id',
				'user_id',
				'refresh_token',
			]);
			expect(token.body.client_endpoint).toBe(`${portal.origin}/rest/`);
			expect(token.body.scope).toBe('pay_system,crm,user');
			expect(token.body.token_type).toBeUndefined();

			const reused = await postForm(`${portal.origin}/oauth/token/`, `grant_type=authorization_code&code=${code}`, { Authorization: basic });
			expect(reused.status).toBe(400);
			expect(reused.body).toEqual({ error: 'invalid_grant' });

			const settings = await postJson(
				`${token.body.client_endpoint}${METHOD}.json`,
				{ INVOICE_ID: 10, PAY_SYSTEM_ID: 11 },
				{ Authorization: `Bearer ${token.body.access_token}` },
			);
			expect(settings.body.result).toEqual(CARD_SETTINGS);
			const authParam = await postJson(`${portal.origin}/rest/${METHOD}`, { INVOICE_ID: 10, PAY_SYSTEM_ID: 11, auth: token.body.access_token });
			expect(authParam.body.result).toEqual(CARD_SETTINGS);
			expect(portal.restCalls(METHOD).at(-1)?.params).toEqual({ INVOICE_ID: 10, PAY_SYSTEM_ID: 11 });
			expect(portal.restCalls(METHOD).at(-1)?.auth).toBe('oauth');

			const wrongSecret = await call(
				`${portal.origin}/oauth/token/?grant_type=refresh_token&client_id=${portal.clientId}&client_secret=wrong&refresh_token=${token.body.refresh_token}`,
			);
			expect(wrongSecret.status).toBe(401);
			expect(wrongSecret.body.error).toBe('invalid_client');

			portal.expireAccessTokens();
			expectError(
				await postJson(`${portal.origin}/rest/${METHOD}`, { INVOICE_ID: 10, PAY_SYSTEM_ID: 11 }, { Authorization: `Bearer ${token.body.access_token}` }),
				401,
				'expired_token',
				'The access token provided has expired.',
			);

			const refreshed = await call(
				`${portal.origin}/oauth/token/?grant_type=refresh_token&client_id=${portal.clientId}` +
					`&client_secret=${portal.clientSecret}&refresh_token=${token.body.refresh_token}`,
			);
			expect(refreshed.status).toBe(200);
			expect(refreshed.body.access_token).not.toBe(token.body.access_token);
			expect(refreshed.body.refresh_token).not.toBe(token.body.refresh_token);
			const again = await postJson(`${portal.origin}/oauth/token/`, {
				grant_type: 'refresh_token',
				client_id: portal.clientId,
				client_secret: portal.clientSecret,
				refresh_token: token.body.refresh_token,
			});
			expect(again.status).toBe(400);
			expect(again.body).toEqual({ error: 'invalid_grant' });

			const afterRefresh = await postJson(
				`${portal.origin}/rest/${METHOD}`,
				{ INVOICE_ID: 10, PAY_SYSTEM_ID: 11 },
				{ Authorization: `Bearer ${refreshed.body.access_token}` },
			);
			expect(afterRefresh.body.result).toEqual(CARD_SETTINGS);
			expect(portal.tokenRequests().map((entry) => entry.status)).toEqual([200, 400, 401, 200, 400]);
			expect(portal.secrets()).toEqual(
				expect.arrayContaining([portal.webhookCode, portal.clientSecret, token.body.access_token, refreshed.body.refresh_token]),
			);
		});

		it('refuses an unknown client at authorize and a token with too few scopes', async () => {
			const authorize = await call(`${portal.origin}/oauth/authorize/?client_id=nope&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%2F`, {
				redirect: 'manual',
			});
			expect(authorize.status).toBe(400);
			expect(authorize.body).toEqual({ error: 'invalid_client' });
			const tokens = portal.issueTokens(['crm']);
			expectError(
				await postJson(`${tokens.client_endpoint}${METHOD}`, { INVOICE_ID: 10, PAY_SYSTEM_ID: 11 }, { Authorization: `Bearer ${tokens.access_token}` }),
				403,
				'insufficient_scope',
				'The request requires higher privileges than provided by the webhook token',
			);
		});

		it('grants one refresh per refresh token, as Bitrix24 does, and counts the refreshes granted and refused', async () => {
			const fresh = await startPortal();
			try {
				const tokens = fresh.issueTokens();
				const refresh = (refreshToken: string) =>
					postForm(
						`${fresh.origin}/oauth/token/`,
						new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: fresh.clientId, client_secret: fresh.clientSecret }).toString(),
					);
				// Three clients refresh with the one refresh token at once: the first is granted, the others refused.
				const answers = await Promise.all([1, 2, 3].map(() => refresh(tokens.refresh_token)));
				expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400, 400]);
				expect(answers.filter((answer) => answer.status === 400).map((answer) => answer.body)).toEqual([{ error: 'invalid_grant' }, { error: 'invalid_grant' }]);
				const granted = answers.find((answer) => answer.status === 200)?.body as { refresh_token: string };
				expect((await refresh(granted.refresh_token)).status).toBe(200);
				expect((await refresh(granted.refresh_token)).status).toBe(400);
				// A code grant is no refresh.
				await postForm(`${fresh.origin}/oauth/token/`, `grant_type=authorization_code&code=nope&client_id=${fresh.clientId}&client_secret=${fresh.clientSecret}`);
				expect(fresh.refreshes()).toEqual({ granted: 2, refused: 3 });
				fresh.clearLog();
				expect(fresh.refreshes()).toEqual({ granted: 0, refused: 0 });
			} finally {
				await fresh.stop();
			}
		});

		it('expires every access token as the request a fault rule names arrives: that request meets it', async () => {
			const tokens = portal.issueTokens();
			portal.addFault({ restMethod: METHOD, skip: 1, times: 1, response: { expireTokens: true } });
			const send = () => postJson(`${tokens.client_endpoint}${METHOD}`, { INVOICE_ID: 10, PAY_SYSTEM_ID: 11 }, { Authorization: `Bearer ${tokens.access_token}` });
			expect((await send()).status).toBe(200);
			expectError(await send(), 401, 'expired_token', 'The access token provided has expired.');
			expectError(await send(), 401, 'expired_token', 'The access token provided has expired.');
		});

		it('issues tokens that expire at the second their `expires` names, also one already past', async () => {
			const send = (token: string) => postJson(`${portal.origin}/rest/${METHOD}`, { INVOICE_ID: 10, PAY_SYSTEM_ID: 11 }, { Authorization: `Bearer ${token}` });
			const past = portal.issueTokensExpiringIn(-60);
			expect(past.expires).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) - 60);
			expect(past.expires_in).toBe(3600);
			expectError(await send(past.access_token), 401, 'expired_token', 'The access token provided has expired.');
			const refreshed = await postForm(
				`${portal.origin}/oauth/token/`,
				`grant_type=refresh_token&client_id=${portal.clientId}&client_secret=${portal.clientSecret}&refresh_token=${past.refresh_token}`,
			);
			expect(refreshed.status).toBe(200);
			expect((await send(String(refreshed.body.access_token))).status).toBe(200);

			const issuedAt = Math.floor(Date.now() / 1000);
			const soon = portal.issueTokensExpiringIn(2);
			expect([2, 3]).toContain(soon.expires - issuedAt);
			expect((await send(soon.access_token)).status).toBe(200);
			while (Date.now() < soon.expires * 1000) await new Promise((resolve) => setTimeout(resolve, 20));
			expectError(await send(soon.access_token), 401, 'expired_token', 'The access token provided has expired.');
		});

		it('holds every REST answer, made as its request arrived, until the test lets them go', async () => {
			const tokens = portal.issueTokens();
			const release = portal.holdAnswers();
			const before = portal.restCalls().length;
			let answered = false;
			const sent = postJson(`${tokens.client_endpoint}${METHOD}`, { INVOICE_ID: 10, PAY_SYSTEM_ID: 11 }, { Authorization: `Bearer ${tokens.access_token}` }).then((reply) => {
				answered = true;
				return reply;
			});
			while (portal.restCalls().length === before) await new Promise((resolve) => setTimeout(resolve, 5));
			// The token expires after the request arrived: the answer was made with it still good.
			portal.expireAccessTokens();
			await new Promise((resolve) => setTimeout(resolve, 50));
			expect(answered).toBe(false);
			release();
			expect((await sent).body.result).toEqual(CARD_SETTINGS);
		});
	});

	describe('batch', () => {
		const command = (query: string) => `${METHOD}?${query}`;

		it('answers mixed results per command, keys in command order', async () => {
			const reply = await postJson(`${portal.webhookUrl}batch`, {
				halt: 0,
				cmd: {
					first: command('INVOICE_ID=10&PAY_SYSTEM_ID=11'),
					missing: command('INVOICE_ID=404&PAY_SYSTEM_ID=11'),
					bank: command('INVOICE_ID=33&BX_REST_HANDLER=resthandler%62ank'),
					empty: command('INVOICE_ID=1&PAY_SYSTEM_ID=15'),
					injected: command(`INVOICE_ID=${encodeURIComponent('10&PAY_SYSTEM_ID=12')}&PAY_SYSTEM_ID=11`),
				},
			});
			expect(reply.status).toBe(200);
			const batch = reply.body.result;
			expect(Object.keys(batch.result)).toEqual(['first', 'bank', 'empty']);
			expect(batch.result.first).toEqual(CARD_SETTINGS);
			expect(batch.result.bank.PAYMENT_ID).toBe('INV-33');
			expect(batch.result.empty).toEqual([]);
			expect(batch.result_error).toEqual({
				missing: { error: 'ERROR_INTERNAL_INVOICE_NOT_FOUND', error_description: 'Invoice not found' },
				injected: { error: 'ERROR_INTERNAL_INVOICE_NOT_FOUND', error_description: 'Invoice not found' },
			});
			expect(Object.keys(batch.result_time)).toEqual(['first', 'bank', 'empty']);
			expect(batch.result_total).toEqual([]);
			expect(batch.result_next).toEqual([]);
			const logged = portal.restCalls('batch').at(-1);
			expect(logged?.batchCommands).toBe(5);
		});

		it('sends result_error as [] when every command succeeds, and stops at the first failure with halt', async () => {
			const ok = await postForm(
				`${portal.webhookUrl}batch.json`,
				`halt=0&cmd[a]=${encodeURIComponent(command('INVOICE_ID=5&PAY_SYSTEM_ID=12'))}&cmd[b]=${encodeURIComponent('scope')}`,
			);
			expect(ok.text).toContain('"result_error":[]');
			expect(ok.body.result.result).toEqual({ a: { BANK_NAME: 'Example Bank', PAYMENT_ID: 'INV-5', PS_WORK_MODE: 'TEST' }, b: ['pay_system', 'crm', 'user'] });

			const halted = await postJson(`${portal.webhookUrl}batch`, {
				halt: 1,
				cmd: { a: command('INVOICE_ID=0&PAY_SYSTEM_ID=11'), b: command('INVOICE_ID=1&PAY_SYSTEM_ID=11'), c: 'batch' },
			});
			expect(halted.text).toContain('"result":{"result":[],');
			expect(Object.keys(halted.body.result.result_error)).toEqual(['a']);

			const nested = await postJson(`${portal.webhookUrl}batch`, { halt: 0, cmd: { inner: 'batch?cmd[x]=scope' } });
			expect(nested.body.result.result_error.inner.error).toBe('ERROR_BATCH_METHOD_NOT_ALLOWED');
		});

		it('runs commands with the batch caller\'s scopes', async () => {
			const reply = await postJson(`${portal.noScopeWebhookUrl}batch`, { halt: 0, cmd: { a: command('INVOICE_ID=1&PAY_SYSTEM_ID=11') } });
			expect(reply.body.result.result_error.a.error).toBe('insufficient_scope');
		});

		it('refuses more than 50 commands and a portal that disallows batch', async () => {
			const cmd: Record<string, string> = {};
			for (let index = 0; index < 51; index += 1) {
				cmd[`c${index}`] = command(`INVOICE_ID=${index + 1}&PAY_SYSTEM_ID=11`);
			}
			expectError(await postJson(`${portal.webhookUrl}batch`, { halt: 0, cmd }), 400, 'ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded');
			delete cmd.c50;
			expect(Object.keys((await postJson(`${portal.webhookUrl}batch`, { halt: 0, cmd })).body.result.result)).toHaveLength(50);

			portal.setOptions({ batchAllowed: false });
			expectError(
				await postJson(`${portal.webhookUrl}batch`, { halt: 0, cmd: { a: 'scope' } }),
				405,
				'ERROR_BATCH_METHOD_NOT_ALLOWED',
				'Method is not allowed for batch usage',
			);
		});
	});

	describe('limits and faults', () => {
		it('refuses the request past the leaky bucket burst, counting a batch once', async () => {
			portal.setOptions({ limits: { drainPerSecond: 1, burst: 3 } });
			const batch = await postJson(`${portal.webhookUrl}batch`, { halt: 0, cmd: { a: 'scope', b: 'scope', c: 'scope', d: 'scope' } });
			expect(batch.status).toBe(200);
			expect((await postJson(`${portal.webhookUrl}scope`, {})).status).toBe(200);
			expect((await postJson(`${portal.webhookUrl}scope`, {})).status).toBe(200);
			expectError(await postJson(`${portal.webhookUrl}scope`, {}), 503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests');
		});

		it('blocks a method past its operating budget', async () => {
			portal.setOptions({ operatingBudgetSeconds: 0.02, processingSecondsPerCall: 0.01 });
			const body = { INVOICE_ID: 10, PAY_SYSTEM_ID: 11 };
			expect((await postJson(settingsUrl, body)).body.time.operating).toBe(0.01);
			expect((await postJson(settingsUrl, body)).body.time.operating).toBe(0.02);
			expect((await postJson(settingsUrl, body)).body.time.operating).toBe(0.03);
			const blocked = await postJson(settingsUrl, body);
			expectError(blocked, 429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.');
			expect(blocked.body.time.operating_reset_at).toBeGreaterThan(Date.now() / 1000 + 590);
			expect((await postJson(`${portal.webhookUrl}scope`, {})).status).toBe(200);
		});

		it('applies a fault rule the given number of times', async () => {
			portal.addFault({
				restMethod: METHOD,
				times: 1,
				response: { status: 500, json: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' } },
			});
			expect((await postJson(`${portal.webhookUrl}scope`, {})).status).toBe(200);
			expectError(await postJson(settingsUrl, { INVOICE_ID: 10, PAY_SYSTEM_ID: 11 }), 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
			expect((await postJson(settingsUrl, { INVOICE_ID: 10, PAY_SYSTEM_ID: 11 })).status).toBe(200);
			const logged = portal.restCalls(METHOD).slice(-2);
			expect(logged.map((entry) => [entry.status, entry.errorCode])).toEqual([
				[500, 'INTERNAL_SERVER_ERROR'],
				[200, null],
			]);
		});

		it('applies a fault rule only to requests with the parameters it names', async () => {
			portal.addFault({
				restMethod: METHOD,
				params: { INVOICE_ID: 11 },
				times: 1,
				response: { status: 500, json: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' } },
			});
			expect((await postJson(settingsUrl, { INVOICE_ID: 10, PAY_SYSTEM_ID: 11 })).status).toBe(200);
			expectError(await postJson(settingsUrl, { INVOICE_ID: '11', PAY_SYSTEM_ID: 11 }), 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
			expect((await postJson(settingsUrl, { INVOICE_ID: 11, PAY_SYSTEM_ID: 11 })).status).toBe(200);
		});

		it('serves an HTML error page, a reset socket and a delay', async () => {
			portal.addFault({ times: 1, response: { status: 502, body: '<html>Bad gateway</html>' } });
			portal.addFault({ times: 1, response: { reset: true } });
			portal.addFault({ times: 1, response: { delayMs: 150 } });
			const html = await call(settingsUrl, { method: 'POST' });
			expect(html.status).toBe(502);
			expect(html.text).toBe('<html>Bad gateway</html>');
			await expect(fetch(`${portal.webhookUrl}scope`)).rejects.toThrow();
			expect(portal.requests.at(-1)?.status).toBe(0);
			const startedAt = Date.now();
			expect((await postJson(`${portal.webhookUrl}scope`, {})).status).toBe(200);
			expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
		});
	});

	it('stops promptly with a keep-alive connection open', async () => {
		const other = await startPortal({ webhookCode: 'abc123' });
		expect(other.webhookUrl).toBe(`${other.origin}/rest/1/abc123/`);
		expect((await call(`${other.webhookUrl}scope`)).status).toBe(200);
		const startedAt = Date.now();
		await other.stop();
		expect(Date.now() - startedAt).toBeLessThan(1000);
	});
});

describe('PHP wire helpers', () => {
	it('parses PHP-style query strings', () => {
		expect(parsePhpQuery('cmd[a]=x%3Fy&SELECT[]=ID&SELECT[]=NAME&FILTER[%25NAME]=a+b&n.m=1&list[]=z')).toEqual({
			cmd: { a: 'x?y' },
			SELECT: ['ID', 'NAME'],
			FILTER: { '%NAME': 'a b' },
			n_m: '1',
			list: ['z'],
		});
	});

	it('encodes empty and sequential maps as PHP does', () => {
		expect(encodePhpJson({ a: {}, b: { 0: 'x', 1: 'y' }, c: { 1: 'x' } })).toBe('{"a":[],"b":["x","y"],"c":{"1":"x"}}');
		expect(settingsFor(12, 9)).toEqual({ BANK_NAME: 'Example Bank', PAYMENT_ID: 'INV-9', PS_WORK_MODE: 'TEST' });
	});
});
