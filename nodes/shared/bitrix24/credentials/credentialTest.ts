import type { DeclarativeRestApiSettings, IAuthenticateRuleResponseSuccessBody } from 'n8n-workflow';

import { describeErrorCode } from '../errors/codes';
import { REST_METHODS } from '../transport/methods';

/**
 * The credentials' "Test" button calls the package's own method without parameters. Bitrix24 checks
 * authentication and scope first, so a portal that accepts the webhook or token answers
 * ERROR_CHECK_FAILURE (no pay system given): that answer means the credential works. Every HTTP status
 * is read as a body, so each refusal can be named by its Bitrix24 code.
 */
export const CREDENTIAL_TEST_REQUEST: DeclarativeRestApiSettings.HttpRequestOptions = {
	method: 'POST',
	url: `${REST_METHODS.invoiceSettings}.json`,
	body: {},
	json: true,
	ignoreHttpStatusErrors: true,
};

/** The refusals a credential test can meet; each is shown with its code and the error table's hint. */
const REFUSALS = [
	'NO_AUTH_FOUND',
	'insufficient_scope',
	'ACCESS_DENIED',
	'INVALID_CREDENTIALS',
	'user_access_error',
	'expired_token',
	'invalid_token',
	'ERROR_METHOD_NOT_FOUND',
	'INVALID_REQUEST',
	'PORTAL_DELETED',
	'OVERLOAD_LIMIT',
	'QUERY_LIMIT_EXCEEDED',
];

export const CREDENTIAL_TEST_RULES: IAuthenticateRuleResponseSuccessBody[] = REFUSALS.map((code) => ({
	type: 'responseSuccessBody',
	properties: { key: 'error', value: code, message: `${code}: ${describeErrorCode(code).hint}` },
}));
