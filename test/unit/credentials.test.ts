// The two credential types as docs/contract.md#credentials gives them: names, fields, the Test request,
// and how a webhook's requests are addressed.
import type { IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { loadedCredentialType } from '../../dev/harness/engine';

const ICON = { light: 'file:../icons/bitrix24.svg', dark: 'file:../icons/bitrix24.dark.svg' };
const TEST_REQUEST = { method: 'POST', url: 'sale.paysystem.settings.invoice.get.json', body: {}, json: true, ignoreHttpStatusErrors: true };

/** A field as the contract's tables give it. */
const shapeOf = (property: INodeProperties) => ({
	name: property.name,
	type: property.type,
	default: property.default,
	...(property.required === true ? { required: true } : {}),
	...(property.typeOptions === undefined ? {} : { typeOptions: property.typeOptions }),
});

describe('bitrix24WebhookApi', () => {
	const credential = () => loadedCredentialType('bitrix24WebhookApi');

	it('is named, shown and tested as the contract says', () => {
		expect([credential().name, credential().icon, credential().extends]).toEqual(['bitrix24WebhookApi', ICON, undefined]);
		expect(credential().properties.map(shapeOf)).toEqual([
			{ name: 'setupNotice', type: 'notice', default: '' },
			{ name: 'webhookUrl', type: 'string', default: '', required: true, typeOptions: { password: true } },
			{ name: 'allowInsecureHttp', type: 'boolean', default: false },
		]);
		expect(credential().test?.request).toEqual(TEST_REQUEST);
	});

	it('sends a relative request to the webhook base, and an absolute one as it is', async () => {
		const authenticate = credential().authenticate as (credentials: object, options: IHttpRequestOptions) => Promise<IHttpRequestOptions>;
		const credentials = { webhookUrl: 'https://portal.example.com/rest/1/abcdefgh/profile.json', allowInsecureHttp: false };
		expect(await authenticate(credentials, { url: 'batch.json' })).toEqual({ url: 'batch.json', baseURL: 'https://portal.example.com/rest/1/abcdefgh/' });
		for (const url of ['https://other.example/batch.json', 'http://127.0.0.1:8080/batch.json', 'HTTPS://other.example/x']) {
			expect(await authenticate(credentials, { url })).toEqual({ url });
		}
		// Only a URL that starts with a scheme is absolute: one that merely holds an address further on is relative.
		expect(await authenticate(credentials, { url: 'crm.item.get.json?next=https://other.example/' })).toEqual({
			url: 'crm.item.get.json?next=https://other.example/',
			baseURL: 'https://portal.example.com/rest/1/abcdefgh/',
		});
		await expect(authenticate({ webhookUrl: 'http://portal.example.com/rest/1/abcdefgh/', allowInsecureHttp: false }, { url: 'batch.json' })).rejects.toThrow(
			'The webhook URL uses http:// to portal.example.com, which would send the secret unencrypted. Use https://, or turn on "Allow Insecure HTTP" in the credential if the portal is on a network you trust.',
		);
		expect(await authenticate({ webhookUrl: 'http://portal.example.com/rest/1/abcdefgh/', allowInsecureHttp: true }, { url: 'batch.json' })).toEqual({
			url: 'batch.json',
			baseURL: 'http://portal.example.com/rest/1/abcdefgh/',
		});
	});
});

describe('bitrix24OAuth2Api', () => {
	const credential = () => loadedCredentialType('bitrix24OAuth2Api');

	it('extends n8n\'s OAuth2 credential with the fields the contract gives', () => {
		expect([credential().name, credential().icon, credential().extends]).toEqual(['bitrix24OAuth2Api', ICON, ['oAuth2Api']]);
		expect(credential().properties.map(shapeOf)).toEqual([
			{ name: 'setupNotice', type: 'notice', default: '' },
			{ name: 'grantType', type: 'hidden', default: 'authorizationCode' },
			{ name: 'domain', type: 'string', default: '', required: true },
			{
				name: 'authUrl',
				type: 'hidden',
				default: '={{ ($self["domain"].includes("://") ? $self["domain"] : "https://" + $self["domain"]).replace(/\\/+$/, "") + "/oauth/authorize/" }}',
			},
			{ name: 'accessTokenUrl', type: 'string', default: 'https://oauth.bitrix.info/oauth/token/' },
			{ name: 'scope', type: 'hidden', default: 'crm,pay_system,sale' },
			{ name: 'authQueryParameters', type: 'hidden', default: '' },
			{ name: 'authentication', type: 'hidden', default: 'body' },
			{ name: 'allowInsecureHttp', type: 'boolean', default: false },
		]);
	});

	it('tests against client_endpoint, else <origin>/rest/', () => {
		expect(credential().test?.request).toEqual({
			...TEST_REQUEST,
			baseURL:
				'={{ $credentials.oauthTokenData && $credentials.oauthTokenData.client_endpoint ? $credentials.oauthTokenData.client_endpoint : ($credentials["domain"].includes("://") ? $credentials["domain"] : "https://" + $credentials["domain"]).replace(/\\/+$/, "") + "/rest/" }}',
		});
	});
});
