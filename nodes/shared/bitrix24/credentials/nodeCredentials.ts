import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

/**
 * How every Bitrix24 node connects: the `authentication` choice, and the credential type each choice
 * shows (one picker over both in n8n's editor).
 */
export const AUTHENTICATION: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Webhook', value: 'webhook' },
		{ name: 'OAuth2', value: 'oAuth2' },
	],
	default: 'webhook',
};

export const NODE_CREDENTIALS: INodeCredentialDescription[] = [
	{
		name: 'bitrix24WebhookApi',
		required: true,
		displayOptions: { show: { authentication: ['webhook'] } },
	},
	{
		name: 'bitrix24OAuth2Api',
		required: true,
		displayOptions: { show: { authentication: ['oAuth2'] } },
	},
];
