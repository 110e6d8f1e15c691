// Reading the credential and sending one request (transport/connection.ts): what a credential that cannot
// work says (docs/contract.md#configuration-errors), and what n8n's request helper is asked for.
import type { ICredentialDataDecryptedObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { accessTokenOf, credentialTypeOf, openConnection, postCall, readSavedToken } from '../../nodes/shared/bitrix24/transport/connection';
import type { AuthenticationMethod } from '../../nodes/shared/bitrix24/transport/connection';

const CODE = 'abcdefghijklmnop';
const WEBHOOK = { webhookUrl: `https://portal.example.com/rest/1/${CODE}/`, allowInsecureHttp: false };
const OAUTH = {
	domain: 'portal.example.com',
	clientSecret: 'cs-123456',
	oauthTokenData: { access_token: 'at-123456', refresh_token: 'rt-123456', client_endpoint: 'https://portal.example.com/rest/', expires: 1_800_000_000 },
};

function contextWith(credentials: ICredentialDataDecryptedObject | (() => ICredentialDataDecryptedObject), answer: unknown = { statusCode: 200, body: { result: {} } }) {
	const sent: IHttpRequestOptions[] = [];
	const context = {
		getNode: () => ({ name: 'Pay System Invoice Settings' }),
		getCredentials: async () => (typeof credentials === 'function' ? credentials() : credentials),
		helpers: {
			async httpRequestWithAuthentication(this: unknown, _type: string, options: IHttpRequestOptions) {
				sent.push(options);
				return answer;
			},
		},
	} as unknown as IExecuteFunctions;
	return { context, sent };
}

async function refusal(authentication: AuthenticationMethod, credentials: ICredentialDataDecryptedObject) {
	const error = await openConnection(contextWith(credentials).context, authentication).catch((thrown: unknown) => thrown);
	expect(error).toBeInstanceOf(NodeOperationError);
	return { message: (error as NodeOperationError).message, description: (error as NodeOperationError).description };
}

describe('The credential behind each authentication', () => {
	it('names the credential types', () => {
		expect([credentialTypeOf('webhook'), credentialTypeOf('oAuth2'), credentialTypeOf('basic' as AuthenticationMethod)]).toEqual([
			'bitrix24WebhookApi',
			'bitrix24OAuth2Api',
			undefined,
		]);
	});

	it('reads a webhook: its base, and its code as the secret', async () => {
		expect(await openConnection(contextWith(WEBHOOK).context, 'webhook')).toEqual({
			authentication: 'webhook',
			credentialType: 'bitrix24WebhookApi',
			baseUrl: `https://portal.example.com/rest/1/${CODE}/`,
			secrets: [CODE],
			accessToken: null,
			accessTokenExpiresAt: null,
		});
	});

	it('reads an OAuth2 credential: its REST base, its secrets and its access token', async () => {
		expect(await openConnection(contextWith(OAUTH).context, 'oAuth2')).toEqual({
			authentication: 'oAuth2',
			credentialType: 'bitrix24OAuth2Api',
			baseUrl: 'https://portal.example.com/rest/',
			secrets: ['cs-123456', 'at-123456', 'rt-123456'],
			accessToken: 'at-123456',
			// Bitrix24's `expires` is in seconds; the gate compares milliseconds.
			accessTokenExpiresAt: 1_800_000_000_000,
		});
	});

	it('an unknown authentication stops the run', async () => {
		expect(await refusal('basic' as AuthenticationMethod, WEBHOOK)).toEqual({ message: 'Unknown authentication "basic"', description: undefined });
	});

	it.each([
		['no token data', { domain: 'portal.example.com' }],
		['an empty access token', { domain: 'portal.example.com', oauthTokenData: { access_token: '' } }],
	])('an OAuth2 credential with %s is not connected', async (_case, credentials) => {
		expect(await refusal('oAuth2', credentials)).toEqual({
			message: 'The Bitrix24 OAuth2 credential is not connected',
			description: 'Open the credential and click "Connect my account" to sign in to the portal. No request was sent.',
		});
	});

	it('a credential that cannot work says what to fix, without the URL', async () => {
		expect(await refusal('webhook', { webhookUrl: `https://portal.example.com/crm/${CODE}/` })).toEqual({
			message:
				'The Bitrix24 credential cannot be used: The webhook URL does not point to a Bitrix24 incoming webhook. It should look like https://<portal>/rest/<user id>/<webhook code>/',
			description: 'Fix the credential, then run the workflow again. No request was sent.',
		});
		expect((await refusal('oAuth2', { domain: '', oauthTokenData: { access_token: 'at-123456' } })).message).toBe(
			'The Bitrix24 credential cannot be used: The Bitrix24 domain is empty or not valid. Enter the portal address, e.g. example.bitrix24.com.',
		);
	});

	it('reads the access token only when it is text', () => {
		expect([accessTokenOf(OAUTH), accessTokenOf({ oauthTokenData: { access_token: 5 } }), accessTokenOf({ oauthTokenData: 'x' }), accessTokenOf({})]).toEqual([
			'at-123456',
			null,
			null,
			null,
		]);
	});
});

describe('One request through n8n\'s helper', () => {
	const limits = { timeoutMs: 1234, signal: new AbortController().signal };

	it.each([
		['webhook', WEBHOOK, true],
		['oAuth2', OAUTH, false],
	] as const)('%s: POST <base><method>.json as JSON, the full response, the timeout and the cancel signal; status errors thrown: %p', async (authentication, credentials, ignoreHttpStatusErrors) => {
		const { context, sent } = contextWith(credentials, { statusCode: 201, body: { result: 1 } });
		const connection = await openConnection(context, authentication);
		expect(await postCall(context, connection, 'batch', { halt: 0 }, limits)).toEqual({
			status: 201,
			body: { result: 1 },
			transportCode: null,
			message: '',
			refreshFailed: false,
		});
		expect(sent).toEqual([
			{
				method: 'POST',
				url: `${connection.baseUrl}batch.json`,
				body: { halt: 0 },
				json: true,
				timeout: 1234,
				returnFullResponse: true,
				abortSignal: limits.signal,
				ignoreHttpStatusErrors,
			},
		]);
	});

	it('reads an answer without a status as 200', async () => {
		const { context } = contextWith(WEBHOOK, { body: { result: 1 } });
		const connection = await openConnection(context, 'webhook');
		expect((await postCall(context, connection, 'batch', {}, limits)).status).toBe(200);
	});
});

describe('The saved OAuth2 credential, read again', () => {
	it('learns a renewed token: it is redacted from then on, and the next requests go with it', async () => {
		let saved: ICredentialDataDecryptedObject = OAUTH;
		const { context } = contextWith(() => saved);
		const connection = await openConnection(context, 'oAuth2');
		saved = { ...OAUTH, oauthTokenData: { access_token: 'at-renewed', refresh_token: 'rt-renewed' } };
		expect(await readSavedToken(context, connection)).toBe('at-renewed');
		expect(connection.accessToken).toBe('at-renewed');
		expect(connection.secrets).toEqual(['cs-123456', 'at-123456', 'rt-123456', 'at-renewed', 'rt-renewed']);
	});

	it('a webhook has no saved token to read', async () => {
		const { context } = contextWith(WEBHOOK);
		expect(await readSavedToken(context, await openConnection(context, 'webhook'))).toBeNull();
	});

	it('a credential that cannot be read again keeps what the run knew', async () => {
		let readable = true;
		const { context } = contextWith(() => {
			if (!readable) throw new Error('not readable');
			return OAUTH;
		});
		const connection = await openConnection(context, 'oAuth2');
		readable = false;
		expect(await readSavedToken(context, connection)).toBeNull();
		expect([connection.accessToken, connection.secrets]).toEqual(['at-123456', ['cs-123456', 'at-123456', 'rt-123456']]);
	});
});
