import { fromBitrixError as failureFromBitrixError } from '../../nodes/shared/bitrix24/errors/failures';
import { credentialSecrets, redactSecrets } from '../../nodes/shared/bitrix24/errors/redact';

const WEBHOOK_CODE = 's3cr3tc0de9';
const ACCESS_TOKEN = 'at-7f3e9b21c4d8';
const REFRESH_TOKEN = 'rt-0a1b2c3d4e5f';
const CLIENT_SECRET = 'cs-Zx8Qw2Lp';

describe('No output, error message, log line or error description ever contains the webhook code, a token or a client secret', () => {
	it.each([
		['a secret once', `failed with ${ACCESS_TOKEN}`, [ACCESS_TOKEN], 'failed with ***'],
		['a secret several times', `${ACCESS_TOKEN} and ${ACCESS_TOKEN}, again ${ACCESS_TOKEN}`, [ACCESS_TOKEN], '*** and ***, again ***'],
		['a secret inside a word', `x${CLIENT_SECRET}y`, [CLIENT_SECRET], 'x***y'],
		[
			'a secret inside a URL path',
			`GET https://example.bitrix24.com/hooks/${WEBHOOK_CODE}/profile.json`,
			[WEBHOOK_CODE],
			'GET https://example.bitrix24.com/hooks/***/profile.json',
		],
		[
			'a webhook code inside its URL',
			`POST https://example.bitrix24.com/rest/1/${WEBHOOK_CODE}/sale.paysystem.settings.invoice.get.json`,
			[WEBHOOK_CODE],
			'POST https://example.bitrix24.com/rest/1/***/sale.paysystem.settings.invoice.get.json',
		],
		[
			'secrets inside JSON text',
			JSON.stringify({ token: ACCESS_TOKEN, refresh: REFRESH_TOKEN, nested: { secret: CLIENT_SECRET } }),
			[ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET],
			'{"token":"***","refresh":"***","nested":{"secret":"***"}}',
		],
		[
			'every kind of secret in one text',
			`code ${WEBHOOK_CODE}, token ${ACCESS_TOKEN}, refresh ${REFRESH_TOKEN}, secret ${CLIENT_SECRET}`,
			[WEBHOOK_CODE, CLIENT_SECRET, ACCESS_TOKEN, REFRESH_TOKEN],
			'code ***, token ***, refresh ***, secret ***',
		],
		['a secret of exactly 4 characters', 'value wxyz here', ['wxyz'], 'value *** here'],
	])('%s is replaced by ***', (_case, text, secrets, expected) => {
		expect(redactSecrets(text, secrets)).toBe(expected);
	});

	it.each([
		['one character', 'a'],
		['two characters', 'ab'],
		['three characters', 'abc'],
		['an empty string', ''],
	])('a secret of %s is left alone', (_case, secret) => {
		expect(redactSecrets('a label abc in abcdef', [secret])).toBe('a label abc in abcdef');
	});

	it('a short secret does not stop a longer one from being redacted', () => {
		expect(redactSecrets(`abc ${ACCESS_TOKEN}`, ['abc', ACCESS_TOKEN])).toBe('abc ***');
	});
});

describe('Text shaped like a secret is redacted even when the secret is not known', () => {
	it.each([
		['a webhook path', '/rest/7/anycode/', '/rest/7/***/'],
		[
			'a webhook URL with a method',
			'https://example.bitrix24.com/rest/12/anycode/profile.json',
			'https://example.bitrix24.com/rest/12/***/profile.json',
		],
		['a webhook path at the end of the text', 'https://example.bitrix24.com/rest/3/anycode', 'https://example.bitrix24.com/rest/3/***'],
		['an auth parameter', 'https://example.bitrix24.com/rest/profile.json?auth=tok123', 'https://example.bitrix24.com/rest/profile.json?auth=***'],
		['an auth parameter among others', 'a?x=1&auth=tok123&y=2', 'a?x=1&auth=***&y=2'],
		['an access_token parameter', 'url?access_token=abc.def-123&next=1', 'url?access_token=***&next=1'],
		['a refresh_token parameter', 'grant_type=refresh_token&refresh_token=rtok987', 'grant_type=refresh_token&refresh_token=***'],
		['a client_secret parameter', 'client_id=app.1&client_secret=cs9876', 'client_id=app.1&client_secret=***'],
		[
			'an OAuth2 authorization code parameter',
			'https://example.bitrix24.com/oauth/authorize/?client_id=app.1&code=ac5f2e91&state=x',
			'https://example.bitrix24.com/oauth/authorize/?client_id=app.1&code=***&state=x',
		],
		['an upper-case parameter name', 'AUTH=tok123 CODE=ac5f2e91', 'AUTH=*** CODE=***'],
		['a Bearer header', 'Authorization: Bearer abc.def', 'Authorization: Bearer ***'],
		['a lower-case bearer header', 'authorization: bearer abc.def-ghi_jkl', 'authorization: bearer ***'],
		['a Bearer header with more than one space', 'Authorization: Bearer   abc.def', 'Authorization: Bearer   ***'],
	])('%s', (_case, text, expected) => {
		expect(redactSecrets(text, [])).toBe(expected);
	});
});

describe('Text without secrets is left unchanged', () => {
	it.each([
		['Bitrix24 error ERROR_CHECK_FAILURE: Pay system not found'],
		['{"error":"NO_AUTH_FOUND","error_description":"Wrong authorization data"}'],
		['https://example.bitrix24.com/rest/'],
		['Invoice ID must be a whole number from 1 to 2147483647; got "abc"'],
		[''],
	])('%p', (text) => {
		expect(redactSecrets(text, [WEBHOOK_CODE, ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET])).toBe(text);
		expect(redactSecrets(text, [])).toBe(text);
	});
});

describe('The secrets of a credential: the webhook code, client secret, access token and refresh token', () => {
	it('collects the webhook code', () => {
		expect(credentialSecrets({ webhookUrl: `https://example.bitrix24.com/rest/1/${WEBHOOK_CODE}/` }, WEBHOOK_CODE)).toEqual([
			WEBHOOK_CODE,
		]);
	});

	it('collects the client secret, access token and refresh token of an OAuth2 credential', () => {
		const credentials = {
			domain: 'example.bitrix24.com',
			clientId: 'app.123',
			clientSecret: CLIENT_SECRET,
			oauthTokenData: { access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN, client_endpoint: 'https://example.bitrix24.com/rest/' },
		};
		expect(credentialSecrets(credentials, null)).toEqual([CLIENT_SECRET, ACCESS_TOKEN, REFRESH_TOKEN]);
	});

	it('collects all four when all are present', () => {
		const credentials = {
			clientSecret: CLIENT_SECRET,
			oauthTokenData: { access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN },
		};
		expect(credentialSecrets(credentials, WEBHOOK_CODE)).toEqual([WEBHOOK_CODE, CLIENT_SECRET, ACCESS_TOKEN, REFRESH_TOKEN]);
	});

	it.each<[string, Record<string, unknown>, string | null, string[]]>([
		['nothing', {}, null, []],
		['an empty webhook code', {}, '', []],
		['an empty client secret', { clientSecret: '' }, null, []],
		['a missing token', { clientSecret: CLIENT_SECRET }, null, [CLIENT_SECRET]],
		['null token data', { clientSecret: CLIENT_SECRET, oauthTokenData: null }, null, [CLIENT_SECRET]],
		['empty tokens', { oauthTokenData: { access_token: '', refresh_token: '' } }, null, []],
		['a token without a refresh token', { oauthTokenData: { access_token: ACCESS_TOKEN } }, null, [ACCESS_TOKEN]],
		['a refresh token without an access token', { oauthTokenData: { refresh_token: REFRESH_TOKEN } }, null, [REFRESH_TOKEN]],
		['values that are not text', { clientSecret: 1234, oauthTokenData: { access_token: 5678, refresh_token: true } }, null, []],
	])('skips what is missing or empty: %s', (_case, credentials, webhookCode, expected) => {
		expect(credentialSecrets(credentials, webhookCode)).toEqual(expected);
	});

	it('the collected secrets redact every one of them', () => {
		const credentials = { clientSecret: CLIENT_SECRET, oauthTokenData: { access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN } };
		const text = `${WEBHOOK_CODE} ${CLIENT_SECRET} ${ACCESS_TOKEN} ${REFRESH_TOKEN}`;
		expect(redactSecrets(text, credentialSecrets(credentials, WEBHOOK_CODE))).toBe('*** *** *** ***');
	});
});

describe('A Bitrix24 error answer reaches users with both its fields redacted', () => {
	const secrets = [WEBHOOK_CODE, ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET];

	it('redacts an error code that echoes the request, as it does the description', () => {
		const echo = `Blocked https://example.bitrix24.com/rest/1/${WEBHOOK_CODE}/batch.json?auth=${ACCESS_TOKEN}`;
		expect(failureFromBitrixError({ error: echo, error_description: `refresh ${REFRESH_TOKEN}, secret ${CLIENT_SECRET}` }, 400, secrets)).toEqual({
			errorCode: 'Blocked https://example.bitrix24.com/rest/1/***/batch.json?auth=***',
			errorDescription: 'refresh ***, secret ***',
			httpCode: 400,
			message: 'Bitrix24 error Blocked https://example.bitrix24.com/rest/1/***/batch.json?auth=***: refresh ***, secret ***',
		});
	});

	it('redacts a secret the code holds bare, with no shape around it', () => {
		expect(failureFromBitrixError({ error: `token ${ACCESS_TOKEN} expired` }, 401, secrets)).toEqual({
			errorCode: 'token *** expired',
			errorDescription: null,
			httpCode: 401,
			message: 'Bitrix24 error token *** expired',
		});
	});

	it('leaves a real code as it is, trimmed', () => {
		expect(failureFromBitrixError({ error: ' ERROR_CHECK_FAILURE', error_description: 'Pay system not found' }, 400, secrets)).toEqual({
			errorCode: 'ERROR_CHECK_FAILURE',
			errorDescription: 'Pay system not found',
			httpCode: 400,
			message: 'Bitrix24 error ERROR_CHECK_FAILURE: Pay system not found',
		});
	});
});
