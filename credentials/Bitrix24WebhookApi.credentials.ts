import type {
	IAuthenticate,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';
import { UserError } from 'n8n-workflow';

import { resolveWebhookBase } from '../nodes/shared/bitrix24/transport/endpoint';
import { CREDENTIAL_TEST_RULES, CREDENTIAL_TEST_REQUEST } from '../nodes/shared/bitrix24/credentials/credentialTest';
import { setupNotice } from '../nodes/shared/bitrix24/credentials/credentialForm';

// Where in Bitrix24 the credential comes from, as its current menu names the screens.
const SETUP_STEPS =
	'In Bitrix24 open Applications > Developer resources > Other > Inbound webhook, tick the pay_system scope (and crm, to read the payments of smart invoices and deals), save, and paste the webhook URL below.';

export class Bitrix24WebhookApi implements ICredentialType {
	name = 'bitrix24WebhookApi';

	displayName = 'Bitrix24 Webhook API';

	icon: Icon = { light: 'file:../icons/bitrix24.svg', dark: 'file:../icons/bitrix24.dark.svg' };

	documentationUrl = 'https://apidocs.bitrix24.com/local-integrations/local-webhooks.html';

	properties: INodeProperties[] = [
		setupNotice(SETUP_STEPS),
		{
			displayName: 'Webhook URL',
			name: 'webhookUrl',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'https://example.bitrix24.com/rest/1/abc123def456/',
			description:
				'The URL of an incoming webhook with the pay_system scope (Bitrix24: Applications > Developer resources > Other > Inbound webhook). The code in it is a secret.',
		},
		{
			displayName: 'Allow Insecure HTTP',
			name: 'allowInsecureHttp',
			type: 'boolean',
			default: false,
			description:
				'Whether to allow an http:// webhook URL to a host other than this machine. The webhook code then crosses the network unencrypted.',
		},
	];

	// Calls carry the webhook code in the URL path: relative URLs are resolved against the webhook base.
	authenticate: IAuthenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => {
		const resolution = resolveWebhookBase(credentials.webhookUrl, credentials.allowInsecureHttp);
		if (!resolution.ok) throw new UserError(resolution.problem);
		if (/^https?:\/\//i.test(requestOptions.url)) return requestOptions;
		return { ...requestOptions, baseURL: resolution.baseUrl };
	};

	test: ICredentialTestRequest = {
		request: { ...CREDENTIAL_TEST_REQUEST },
		rules: CREDENTIAL_TEST_RULES,
	};
}
