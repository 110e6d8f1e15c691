import type { DeclarativeRestApiSettings, IAuthenticateRuleResponseSuccessBody } from 'n8n-workflow';

/**
 * The credentials' "Test" button calls the package's own method without parameters. Bitrix24 checks
 * authentication and scope first, so a portal that accepts the webhook or token answers
 * ERROR_CHECK_FAILURE (no pay system given): that answer means the credential works. Every HTTP status
 * is read as a body, so each refusal can be named by its Bitrix24 code.
 */
export const CREDENTIAL_TEST_REQUEST: DeclarativeRestApiSettings.HttpRequestOptions = {
	method: 'POST',
	url: 'sale.paysystem.settings.invoice.get.json',
	body: {},
	json: true,
	ignoreHttpStatusErrors: true,
};

const REFUSALS: Array<[code: string, message: string]> = [
	[
		'NO_AUTH_FOUND',
		'Bitrix24 did not accept the credential: the webhook user ID or code is wrong, the webhook was deleted, or the access token is not valid.',
	],
	[
		'insufficient_scope',
		'The credential works but lacks the "pay_system" scope. Add the scope to the webhook (Applications > Developer resources > Other > Inbound webhook > Permissions) or to the application, and save.',
	],
	[
		'ACCESS_DENIED',
		'Bitrix24 denied access: the user needs permission to create and edit CRM invoices, and REST needs a commercial plan.',
	],
	['INVALID_CREDENTIALS', 'The user behind this credential lacks permissions for pay system settings.'],
	['user_access_error', 'The application is installed, but the administrator has not given this user access to it.'],
	['expired_token', 'The access token has expired. Click "Reconnect" to sign in to Bitrix24 again.'],
	['invalid_token', 'The portal does not know this access token. Click "Reconnect" to sign in to Bitrix24 again.'],
	[
		'ERROR_METHOD_NOT_FOUND',
		'This portal does not offer sale.paysystem.settings.invoice.get: check the address and that the online store (sale) module is installed.',
	],
	['INVALID_REQUEST', 'The portal requires HTTPS: use its https:// address.'],
	['PORTAL_DELETED', 'The portal was deleted or its public part is closed.'],
	['OVERLOAD_LIMIT', 'Bitrix24 blocked REST on this portal for overload; only Bitrix24 support can lift it.'],
	['QUERY_LIMIT_EXCEEDED', 'The portal is rate limiting REST calls right now. Test again in a few seconds.'],
];

export const CREDENTIAL_TEST_RULES: IAuthenticateRuleResponseSuccessBody[] = REFUSALS.map(([code, message]) => ({
	type: 'responseSuccessBody',
	properties: { key: 'error', value: code, message },
}));
