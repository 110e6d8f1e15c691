// The error replies of the emulated portal, and who a REST call runs for.

/** A Bitrix24 error reply: `{"error": code, "error_description": description}` with an HTTP status. */
export class RestError extends Error {
	constructor(
		readonly status: number,
		/** A string, or a number as crm.item.* methods send it. */
		readonly code: string | number,
		readonly description: string,
		readonly operatingResetAt?: number,
	) {
		super(`${code}: ${description}`);
	}
}

export const errors = {
	noAuth: () => new RestError(401, 'NO_AUTH_FOUND', 'Wrong authorization data'),
	invalidToken: () => new RestError(401, 'invalid_token', 'The access token provided is invalid.'),
	expiredToken: () => new RestError(401, 'expired_token', 'The access token provided has expired.'),
	insufficientScope: () =>
		new RestError(403, 'insufficient_scope', 'The request requires higher privileges than provided by the webhook token'),
	methodNotFound: () => new RestError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!'),
	batchNotAllowed: () => new RestError(405, 'ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage'),
	batchTooLong: () => new RestError(400, 'ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded'),
	queryLimit: () => new RestError(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests'),
	/** The method has used up its run time: `operating_reset_at` (Unix seconds) says when it is free again. */
	operatingLimit: (resetAt: number) => new RestError(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.', resetAt),
	internal: () => new RestError(500, 'INTERNAL_SERVER_ERROR', 'Internal server error'),
	checkFailure: (description: string) => new RestError(400, 'ERROR_CHECK_FAILURE', description),
	paySystemNotFound: () => new RestError(400, 'ERROR_PAY_SYSTEM_NOT_FOUND', 'Pay system not found'),
	invoiceNotFound: () => new RestError(400, 'ERROR_INTERNAL_INVOICE_NOT_FOUND', 'Invoice not found'),
	/** A pay system whose handler is not a REST handler: its settings are not for REST callers. */
	accessDenied: () => new RestError(403, 'ACCESS_DENIED', 'Access denied'),
	orderNotFound: (orderId: number) => new RestError(400, 'ERROR_INTERNAL_ORDER_NOT_FOUND', `Order #${orderId} not found`),
	/** Bitrix\Rest\AccessException, as the sale.paysystem.* methods throw it for a caller without the rights they check. */
	forbidden: () => new RestError(403, 'ACCESS_DENIED', 'Access denied!'),
	/** A RestException the sale module throws with its code and text, HTTP 400. */
	sale: (code: string, description: string) => new RestError(400, code, description),
};

/** The user a call runs as, and the scopes its webhook or access token grants. */
export interface Caller {
	userId: number;
	scopes: readonly string[];
	/** A portal administrator (every right); the other user is a sales manager who may pay invoices and orders, no more. */
	admin: boolean;
	/** The OAuth application the call comes from; null for a webhook. */
	appId: string | null;
}
