import type { ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

import { CREDENTIAL_TEST_REQUEST, CREDENTIAL_TEST_RULES } from '../nodes/shared/bitrix24/credentials/credentialTest';
import { hiddenField, setupNotice } from '../nodes/shared/bitrix24/credentials/credentialForm';

// The portal origin from the domain field: a bare host gets https://, a full origin is kept.
const PORTAL_ORIGIN = '($self["domain"].includes("://") ? $self["domain"] : "https://" + $self["domain"]).replace(/\\/+$/, "")';

// Where in Bitrix24 the credential comes from, as its current menu names the screens.
const SETUP_STEPS =
	'In Bitrix24 open Applications > Developer resources > Other > Local application, make a server application with the crm, pay_system and sale scopes whose handler path is the OAuth Redirect URL shown here, and paste its application ID and key as Client ID and Client Secret.';

export class Bitrix24OAuth2Api implements ICredentialType {
	name = 'bitrix24OAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Bitrix24 OAuth2 API';

	icon: Icon = { light: 'file:../icons/bitrix24.svg', dark: 'file:../icons/bitrix24.dark.svg' };

	documentationUrl = 'https://apidocs.bitrix24.com/settings/oauth/index.html';

	properties: INodeProperties[] = [
		setupNotice(SETUP_STEPS),
		hiddenField('Grant Type', 'grantType', 'authorizationCode'),
		{
			displayName: 'Bitrix24 Domain',
			name: 'domain',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'example.bitrix24.com',
			description: 'The portal address, e.g. example.bitrix24.com, or a full origin such as https://crm.example.com',
		},
		hiddenField('Authorization URL', 'authUrl', `={{ ${PORTAL_ORIGIN} + "/oauth/authorize/" }}`),
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'string',
			default: 'https://oauth.bitrix.info/oauth/token/',
			description: 'Bitrix24 cloud portals issue tokens at oauth.bitrix.info; an on-premise portal may use its own address',
		},
		hiddenField('Scope', 'scope', 'crm,pay_system,sale'),
		hiddenField('Auth URI Query Parameters', 'authQueryParameters', ''),
		hiddenField('Authentication', 'authentication', 'body'),
		{
			displayName: 'Allow Insecure HTTP',
			name: 'allowInsecureHttp',
			type: 'boolean',
			default: false,
			description:
				'Whether to allow an http:// portal address other than this machine. Access tokens then cross the network unencrypted.',
		},
	];

	test: ICredentialTestRequest = {
		request: {
			...CREDENTIAL_TEST_REQUEST,
			baseURL: `={{ $credentials.oauthTokenData && $credentials.oauthTokenData.client_endpoint ? $credentials.oauthTokenData.client_endpoint : ${PORTAL_ORIGIN.replace(/\$self/g, '$credentials')} + "/rest/" }}`,
		},
		rules: CREDENTIAL_TEST_RULES,
	};
}
