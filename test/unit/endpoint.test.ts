import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { portalOrigin, resolveOAuthBase, resolveWebhookBase } from '../../nodes/shared/bitrix24/transport/endpoint';

const BASE = 'https://example.bitrix24.com/rest/1/abc123/';
const CODE = 's3cr3tc0de9';

function problemOf(resolution: ReturnType<typeof resolveWebhookBase>): string {
	if (resolution.ok) throw new Error(`Expected a refusal, got ${resolution.baseUrl}`);
	return resolution.problem;
}

describe('Webhook URL forms accepted: with or without trailing slash, with or without a trailing method name or .json', () => {
	it.each([
		['the base with its trailing slash', 'https://example.bitrix24.com/rest/1/abc123/'],
		['the base without its trailing slash', 'https://example.bitrix24.com/rest/1/abc123'],
		['a trailing method name', 'https://example.bitrix24.com/rest/1/abc123/profile'],
		['a trailing dotted method name', 'https://example.bitrix24.com/rest/1/abc123/sale.paysystem.list'],
		['a trailing method name with .json', 'https://example.bitrix24.com/rest/1/abc123/profile.json'],
		['a dotted method name with .json', 'https://example.bitrix24.com/rest/1/abc123/sale.paysystem.list.json'],
		['a method name followed by a slash', 'https://example.bitrix24.com/rest/1/abc123/profile/'],
		['surrounding whitespace', '  https://example.bitrix24.com/rest/1/abc123/ \n'],
		['surrounding whitespace and a method name', '\thttps://example.bitrix24.com/rest/1/abc123/profile.json  '],
	])('%s gives the webhook base', (_form, webhookUrl) => {
		expect(resolveWebhookBase(webhookUrl, false)).toEqual({ ok: true, baseUrl: BASE, pathSecret: 'abc123' });
	});

	it('keeps a multi-digit user id and the code as written', () => {
		expect(resolveWebhookBase('https://example.bitrix24.com/rest/27/Ab_9xYz/crm.invoice.list.json', false)).toEqual({
			ok: true,
			baseUrl: 'https://example.bitrix24.com/rest/27/Ab_9xYz/',
			pathSecret: 'Ab_9xYz',
		});
	});

	it('keeps a non-default https port in the base', () => {
		expect(resolveWebhookBase('https://example.bitrix24.com:8443/rest/1/abc123/profile', false)).toEqual({
			ok: true,
			baseUrl: 'https://example.bitrix24.com:8443/rest/1/abc123/',
			pathSecret: 'abc123',
		});
	});
});

describe('http:// is refused unless the host is loopback (localhost, 127.0.0.0/8, [::1]) or allowInsecureHttp is on', () => {
	it.each([
		['http://localhost:8080/rest/1/abc123/', 'http://localhost:8080/rest/1/abc123/'],
		['http://localhost:8080/rest/1/abc123/profile.json', 'http://localhost:8080/rest/1/abc123/'],
		['http://127.0.0.1/rest/1/abc123', 'http://127.0.0.1/rest/1/abc123/'],
		['http://127.5.6.7/rest/1/abc123/profile', 'http://127.5.6.7/rest/1/abc123/'],
		['http://[::1]:9000/rest/1/abc123/', 'http://[::1]:9000/rest/1/abc123/'],
	])('loopback %s is accepted without the flag as %s', (webhookUrl, baseUrl) => {
		expect(resolveWebhookBase(webhookUrl, false)).toEqual({ ok: true, baseUrl, pathSecret: 'abc123' });
		expect(resolveWebhookBase(webhookUrl, undefined)).toEqual({ ok: true, baseUrl, pathSecret: 'abc123' });
	});

	it.each([
		['http://example.bitrix24.com/rest/1/abc123/', 'http://example.bitrix24.com/rest/1/abc123/'],
		['http://192.168.1.20:8080/rest/1/abc123/profile', 'http://192.168.1.20:8080/rest/1/abc123/'],
		['http://localhost.example.com/rest/1/abc123/', 'http://localhost.example.com/rest/1/abc123/'],
		['http://127.0.0.1.example.com/rest/1/abc123/', 'http://127.0.0.1.example.com/rest/1/abc123/'],
	])('remote %s is refused without the flag and accepted as %s with allowInsecureHttp', (webhookUrl, baseUrl) => {
		expect(resolveWebhookBase(webhookUrl, false).ok).toBe(false);
		expect(resolveWebhookBase(webhookUrl, undefined).ok).toBe(false);
		expect(resolveWebhookBase(webhookUrl, true)).toEqual({ ok: true, baseUrl, pathSecret: 'abc123' });
	});

	it('only the boolean true turns the flag on', () => {
		expect(resolveWebhookBase('http://example.bitrix24.com/rest/1/abc123/', 'true').ok).toBe(false);
		expect(resolveWebhookBase('http://example.bitrix24.com/rest/1/abc123/', 1).ok).toBe(false);
	});

	it('the refusal of remote http names the host and not the webhook code', () => {
		const problem = problemOf(resolveWebhookBase(`http://example.bitrix24.com/rest/1/${CODE}/`, false));
		expect(problem).toContain('example.bitrix24.com');
		expect(problem).not.toContain(CODE);
	});
});

describe('A webhook URL without /rest/<user>/<code> is a clear configuration error that never shows the webhook code', () => {
	it.each<[string, unknown]>([
		['an empty string', ''],
		['only whitespace', '   '],
		['undefined', undefined],
		['a number', 42],
		['null', null],
		['text that is not a URL', `example.bitrix24.com/rest/1/${CODE}/`],
		['an ftp:// URL', `ftp://example.bitrix24.com/rest/1/${CODE}/`],
		['a URL without /rest/', `https://example.bitrix24.com/${CODE}/`],
		['/rest/ without a user id and code', 'https://example.bitrix24.com/rest/'],
		['/rest/ with a user id but no code', 'https://example.bitrix24.com/rest/1/'],
		['/rest/ with a code but no user id', `https://example.bitrix24.com/rest/${CODE}/`],
		['a non-numeric user id', `https://example.bitrix24.com/rest/admin/${CODE}/`],
		['user id zero', `https://example.bitrix24.com/rest/0/${CODE}/`],
		['a negative user id', `https://example.bitrix24.com/rest/-1/${CODE}/`],
		['extra path segments after the code', `https://example.bitrix24.com/rest/1/${CODE}/crm/deal/list`],
		['two segments after the code', `https://example.bitrix24.com/rest/1/${CODE}/profile/extra`],
		['a query string', `https://example.bitrix24.com/rest/1/${CODE}/?auth=x`],
		['a query string after a method', `https://example.bitrix24.com/rest/1/${CODE}/profile.json?a=1`],
		['an empty query string', `https://example.bitrix24.com/rest/1/${CODE}/?`],
		['a fragment', `https://example.bitrix24.com/rest/1/${CODE}/#top`],
		['an empty fragment', `https://example.bitrix24.com/rest/1/${CODE}/#`],
		['user:pass@host', `https://admin:pw@example.bitrix24.com/rest/1/${CODE}/`],
		['the code as the password before the host', `https://user:${CODE}@example.bitrix24.com/rest/1/${CODE}/`],
		['a user name before the host', `https://${CODE}@example.bitrix24.com/rest/1/${CODE}/`],
		['a path prefix before /rest/', `https://example.bitrix24.com/portal/rest/1/${CODE}/`],
	])('%s is refused and the problem does not contain the code', (_case, webhookUrl) => {
		const resolution = resolveWebhookBase(webhookUrl, false);
		expect(resolution.ok).toBe(false);
		const problem = problemOf(resolution);
		expect(problem.length).toBeGreaterThan(0);
		expect(problem).not.toContain(CODE);
	});

	it.each<[string, unknown]>([
		['an ftp:// URL', `ftp://example.bitrix24.com/rest/1/${CODE}/`],
		['extra path segments', `https://example.bitrix24.com/rest/1/${CODE}/crm/deal/list`],
		['a query string', `https://example.bitrix24.com/rest/1/${CODE}/?auth=x`],
		['user:pass@host', `https://admin:pw@example.bitrix24.com/rest/1/${CODE}/`],
	])('%s stays refused when allowInsecureHttp is on', (_case, webhookUrl) => {
		const resolution = resolveWebhookBase(webhookUrl, true);
		expect(resolution.ok).toBe(false);
		expect(problemOf(resolution)).not.toContain(CODE);
	});
});

describe('The OAuth2 domain is a portal host or a full origin', () => {
	it.each([
		['example.bitrix24.com', 'https://example.bitrix24.com'],
		['example.bitrix24.com/', 'https://example.bitrix24.com'],
		['  example.bitrix24.com  ', 'https://example.bitrix24.com'],
		['https://example.bitrix24.com/', 'https://example.bitrix24.com'],
		['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
		['example.bitrix24.com:8443', 'https://example.bitrix24.com:8443'],
	])('%s has the origin %s', (domain, origin) => {
		expect(portalOrigin(domain)?.origin).toBe(origin);
	});

	it.each<[string, unknown]>([
		['an empty string', ''],
		['only slashes', '///'],
		['undefined', undefined],
		['a number', 42],
	])('%s has no origin', (_case, domain) => {
		expect(portalOrigin(domain)).toBeNull();
	});
});

describe('OAuth2 calls go to oauthTokenData.client_endpoint when the token has it, else https://<domain>/rest/', () => {
	const credentials = (fields: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject => fields;

	it.each([
		['https://portal.example.com/rest/', 'https://portal.example.com/rest/'],
		['https://portal.example.com/rest', 'https://portal.example.com/rest/'],
		['  https://portal.example.com/rest/  ', 'https://portal.example.com/rest/'],
		['http://127.0.0.1:8080/rest', 'http://127.0.0.1:8080/rest/'],
	])('client_endpoint %s wins over the domain as %s', (clientEndpoint, baseUrl) => {
		const resolution = resolveOAuthBase(
			credentials({ domain: 'example.bitrix24.com', oauthTokenData: { access_token: 'at', client_endpoint: clientEndpoint } }),
		);
		expect(resolution).toEqual({ ok: true, baseUrl, pathSecret: null });
	});

	it.each([
		['example.bitrix24.com', 'https://example.bitrix24.com/rest/'],
		['https://example.bitrix24.com/', 'https://example.bitrix24.com/rest/'],
		['https://example.bitrix24.com', 'https://example.bitrix24.com/rest/'],
		['http://127.0.0.1:8080', 'http://127.0.0.1:8080/rest/'],
		['http://localhost:9000/', 'http://localhost:9000/rest/'],
	])('without client_endpoint, domain %s gives %s', (domain, baseUrl) => {
		expect(resolveOAuthBase(credentials({ domain }))).toEqual({ ok: true, baseUrl, pathSecret: null });
		expect(resolveOAuthBase(credentials({ domain, oauthTokenData: { access_token: 'at' } }))).toEqual({ ok: true, baseUrl, pathSecret: null });
		expect(resolveOAuthBase(credentials({ domain, oauthTokenData: { client_endpoint: '' } }))).toEqual({ ok: true, baseUrl, pathSecret: null });
	});

	it.each<[string, unknown]>([
		['an empty domain', ''],
		['a blank domain', '   '],
		['a missing domain', undefined],
		['an ftp:// domain', 'ftp://example.bitrix24.com'],
	])('%s is refused', (_case, domain) => {
		const resolution = resolveOAuthBase(credentials({ domain: domain as string }));
		expect(resolution.ok).toBe(false);
	});

	it.each([
		['ftp://portal.example.com/rest/'],
		['javascript:alert(1)'],
		['not a url'],
		['portal.example.com/rest/'],
	])('a client_endpoint that is not http(s), %s, is refused', (clientEndpoint) => {
		const resolution = resolveOAuthBase(
			credentials({ domain: 'example.bitrix24.com', oauthTokenData: { client_endpoint: clientEndpoint } }),
		);
		expect(resolution.ok).toBe(false);
	});
});

describe('OAuth2: http:// is refused unless the host is loopback or allowInsecureHttp is on', () => {
	it('an http:// domain on a remote host is refused, and accepted with allowInsecureHttp', () => {
		expect(resolveOAuthBase({ domain: 'http://example.bitrix24.com' }).ok).toBe(false);
		expect(resolveOAuthBase({ domain: 'http://example.bitrix24.com', allowInsecureHttp: false }).ok).toBe(false);
		expect(resolveOAuthBase({ domain: 'http://example.bitrix24.com', allowInsecureHttp: true })).toEqual({
			ok: true,
			baseUrl: 'http://example.bitrix24.com/rest/',
			pathSecret: null,
		});
	});

	it('an http:// client_endpoint on a remote host is refused, and accepted with allowInsecureHttp', () => {
		const oauthTokenData = { client_endpoint: 'http://portal.example.com/rest/' };
		expect(resolveOAuthBase({ domain: 'example.bitrix24.com', oauthTokenData }).ok).toBe(false);
		expect(resolveOAuthBase({ domain: 'example.bitrix24.com', oauthTokenData, allowInsecureHttp: true })).toEqual({
			ok: true,
			baseUrl: 'http://portal.example.com/rest/',
			pathSecret: null,
		});
	});

	it('the refusal does not contain the access token', () => {
		const resolution = resolveOAuthBase({
			domain: 'http://example.bitrix24.com',
			oauthTokenData: { access_token: 'tok-4f9a1c2e7b' },
		});
		expect(resolution.ok).toBe(false);
		expect(JSON.stringify(resolution)).not.toContain('tok-4f9a1c2e7b');
	});
});
