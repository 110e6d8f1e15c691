/** Bitrix24 error codes of docs/contract.md#error-codes, each with the HTTP status the portal sends with it. */
export const CONTRACT_ERROR_CODES: Array<[code: string, httpStatus: number]> = [
	['ACCESS_DENIED', 403],
	['ERROR_CHECK_FAILURE', 400],
	['ERROR_INTERNAL_INVOICE_NOT_FOUND', 400],
	['ERROR_PAY_SYSTEM_NOT_FOUND', 400],
	// sale.paysystem.settings.payment.get: a payment whose order the portal cannot find.
	['ERROR_INTERNAL_ORDER_NOT_FOUND', 400],
	// crm.item.payment.list sends its codes as JSON numbers; the node reports them as text.
	['0', 400],
	['100', 400],
	// The management methods (sale.paysystem.handler.*, sale.paysystem.add/update/delete).
	['ERROR_HANDLER_ALREADY_EXIST', 400],
	['ERROR_HANDLER_NOT_FOUND', 400],
	['ERROR_PERSON_TYPE_NOT_FOUND', 400],
	['ERROR_PAY_SYSTEM_DELETE', 400],
	['ERROR_HANDLER_ADD', 400],
	['ERROR_HANDLER_UPDATE', 400],
	['ERROR_PAY_SYSTEM_ADD', 400],
	// sale.payment.get sends numeric codes too: no such payment, no permission to read it.
	['200640400001', 400],
	['200040300010', 403],
	// sale.paysystem.pay.payment and .pay.invoice: the handler or the order refused the payment.
	['ERROR_PROCESS_REQUEST_RESULT', 400],
	['QUERY_LIMIT_EXCEEDED', 503],
	['OPERATION_TIME_LIMIT', 429],
	['OVERLOAD_LIMIT', 503],
	['INTERNAL_SERVER_ERROR', 500],
	['ERROR_UNEXPECTED_ANSWER', 500],
	['NO_AUTH_FOUND', 401],
	['expired_token', 401],
	['invalid_token', 401],
	['INVALID_CREDENTIALS', 403],
	['insufficient_scope', 403],
	['user_access_error', 403],
	['INVALID_REQUEST', 400],
	['PORTAL_DELETED', 500],
	['ERROR_BATCH_METHOD_NOT_ALLOWED', 405],
	['ERROR_BATCH_LENGTH_EXCEEDED', 400],
	['ERROR_MANIFEST_IS_NOT_AVAILABLE', 404],
];
