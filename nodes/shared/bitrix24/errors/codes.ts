/** What decides whether a failure is worth sending again (docs/contract.md#faults-and-limits). */
export interface FailureFacts {
	errorCode: string;
	httpCode: number | null;
	/** The transport's own code (ECONNRESET, ...) when no answer came. */
	transportCode?: string | null;
	/** The answer began as JSON but broke off: damaged on the way. */
	truncated?: boolean;
}

/**
 * Every error code the package can report: Bitrix24's own (method and general codes, see
 * docs/contract.md#errors) and the package's local ones. `httpStatus` is what the portal sends with
 * it (null when no request was answered); `retried` whether sending the same read again can succeed,
 * as a rule when that depends on how the failure came about; `hint` what a user can do about it.
 */
export interface ErrorCodeInfo {
	httpStatus: number | null;
	retried: boolean | ((failure: FailureFacts) => boolean);
	hint: string;
}

/** The Bitrix24 codes the package acts on by name, beyond showing them. */
export const BITRIX24_CODES = {
	queryLimitExceeded: 'QUERY_LIMIT_EXCEEDED',
	operationTimeLimit: 'OPERATION_TIME_LIMIT',
	batchMethodNotAllowed: 'ERROR_BATCH_METHOD_NOT_ALLOWED',
	unexpectedAnswer: 'ERROR_UNEXPECTED_ANSWER',
} as const;

/** The codes the package reports itself, where no Bitrix24 code fits. */
export const LOCAL_ERROR_CODES = {
	invalidParameter: 'INVALID_PARAMETER',
	networkError: 'NETWORK_ERROR',
	invalidResponse: 'INVALID_RESPONSE',
	refreshFailed: 'OAUTH_REFRESH_FAILED',
	paymentNotFound: 'PAYMENT_NOT_FOUND',
	answerLost: 'ANSWER_LOST',
	paidByOtherTransaction: 'PAID_BY_OTHER_TRANSACTION',
	amountMismatch: 'AMOUNT_MISMATCH',
	alreadyPaid: 'ALREADY_PAID',
	notMarkedPaid: 'NOT_MARKED_PAID',
	handlerInUse: 'HANDLER_IN_USE',
	uncodedError: 'UNCODED_ERROR',
} as const;

/** Transport failures that say nothing about the request itself: the connection broke or timed out. */
const BROKEN_CONNECTION_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'EPIPE']);

const SCOPE_HINT =
	'Give the webhook or the application the scope the method needs: "pay_system" for pay system settings and confirmations, "crm" as well for the payments of smart invoices and deals and for legacy invoices, "sale" for the payment reads of Confirm Payment (Applications > Developer resources > Other > Inbound webhook > Permissions), then save it again. Without "sale", turn off "Check First": the node then confirms without reading the payment.';

/** A code that is never sent again, with its status and hint. */
function final(httpStatus: number | null, hint: string): ErrorCodeInfo {
	return { httpStatus, retried: false, hint };
}

export const ERROR_TABLE: Readonly<Record<string, ErrorCodeInfo>> = {
	ACCESS_DENIED: {
		httpStatus: 403,
		retried: false,
		hint: 'Only pay systems that run on a REST handler have settings to read: one on a built-in handler (cash, bank transfer and the like) is refused, and so, for an OAuth2 application, is a handler another application added. Otherwise the webhook or application user needs permission to create and edit CRM invoices and orders; to manage handlers, pay systems and their settings, the user must be a CRM administrator.',
	},
	ERROR_CHECK_FAILURE: {
		httpStatus: 400,
		retried: false,
		hint: 'Choose an existing pay system (by ID) or the code of a REST handler that is registered on the portal. For a payment, the payment must exist and use that pay system. To add a handler, its Settings need CODES and one of FORM_DATA, CHECKOUT_DATA or IFRAME_DATA with an ACTION_URI. The error description says which check failed.',
	},
	ERROR_INTERNAL_INVOICE_NOT_FOUND: {
		httpStatus: 400,
		retried: false,
		hint: 'This method reads legacy CRM invoices (crm.invoice.*) only. New smart invoices (crm.item, entityTypeId 31) are not found by it: check that the ID is a legacy invoice ID.',
	},
	ERROR_INTERNAL_ORDER_NOT_FOUND: {
		httpStatus: 400,
		retried: false,
		hint: 'The order this payment belongs to was not found on the portal. Check the payment ID.',
	},
	// crm.item.* methods answer with numeric codes.
	'0': {
		httpStatus: 400,
		retried: false,
		hint: 'The portal refused to list the payments: the user behind the webhook or application may not read this smart invoice or deal, or it does not exist. Check the entity type and ID and the user\'s CRM permissions.',
	},
	'100': {
		httpStatus: 400,
		retried: false,
		hint: 'The portal says a required field of crm.item.payment.list is missing. Check the entity type and ID.',
	},
	// sale.payment.get answers with numeric codes too.
	'200640400001': final(400, 'The portal has no payment with this ID. Check the payment ID: it is the ID of a payment (of a smart invoice, deal or order), not of the invoice itself.'),
	'200040300010': final(403, 'The user behind the webhook or application may not read this payment: sale.payment.get needs a portal administrator. Use such a user, or turn off "Check First" to confirm without reading the payment.'),
	ERROR_PROCESS_REQUEST_RESULT: final(400, 'The portal refused to mark the payment paid: the order may be canceled, or the pay system failed to process the request. The error description gives the portal\'s reason.'),
	ERROR_PAY_SYSTEM_NOT_FOUND: {
		httpStatus: 400,
		retried: false,
		hint: 'The pay system was not found: to update or delete one, check its ID (it may have been deleted); to read settings by handler code, no pay system uses that REST handler: create one with it, or select the pay system by ID.',
	},
	// The management methods' own codes (sale.paysystem.handler.*, sale.paysystem.add/update/delete).
	ERROR_HANDLER_ALREADY_EXIST: {
		httpStatus: 400,
		retried: false,
		hint: 'A REST handler with this code is already registered on the portal. Choose another Code, or update the existing handler (Handler > Get Many lists them).',
	},
	ERROR_HANDLER_NOT_FOUND: {
		httpStatus: 400,
		retried: false,
		hint: 'No REST handler has this ID or code (Handler > Get Many lists them). Settings > Update is answered with this code too when Settings is empty: give at least one setting.',
	},
	ERROR_PERSON_TYPE_NOT_FOUND: {
		httpStatus: 400,
		retried: false,
		hint: "The payer type (Person Type ID) does not exist for the pay system's Entity Registry Type. Choose a payer type of that registry type (sale.persontype.list); a pay system update must name it again every time.",
	},
	ERROR_PAY_SYSTEM_DELETE: {
		httpStatus: 400,
		retried: false,
		hint: 'The portal refused to delete: pay systems still use this REST handler. Delete them or move them to another handler first, then delete the handler.',
	},
	ERROR_HANDLER_ADD: {
		httpStatus: 400,
		retried: false,
		hint: 'The portal could not save the new REST handler. The error description gives its reason.',
	},
	ERROR_HANDLER_UPDATE: {
		httpStatus: 400,
		retried: false,
		hint: 'The portal could not save the changes to the REST handler. The error description gives its reason.',
	},
	ERROR_PAY_SYSTEM_ADD: {
		httpStatus: 400,
		retried: false,
		hint: 'The portal could not save the new pay system. The error description gives its reason.',
	},
	[BITRIX24_CODES.queryLimitExceeded]: {
		httpStatus: 503,
		retried: true,
		hint: 'The portal kept refusing calls for its rate limit until the node had waited "Max Wait for Portal Limits". Other applications or n8n workers share the limit: raise that option, choose the "Portal Rate Limit" that matches the plan, or run at a quieter time.',
	},
	[BITRIX24_CODES.operationTimeLimit]: {
		httpStatus: 429,
		retried: true,
		hint: 'This method used up its run-time budget on the portal for the last 10 minutes, and the budget did not free up within "Max Wait for Portal Limits". Raise that option, or run again after the budget resets.',
	},
	OVERLOAD_LIMIT: {
		httpStatus: 503,
		retried: false,
		hint: 'Bitrix24 blocked REST on this portal for overload. Only Bitrix24 support can lift this block.',
	},
	INTERNAL_SERVER_ERROR: {
		httpStatus: 500,
		retried: true,
		hint: 'The portal failed internally. Run again later; if it persists, contact the portal administrator or Bitrix24 support.',
	},
	[BITRIX24_CODES.unexpectedAnswer]: {
		httpStatus: 500,
		retried: true,
		hint: 'The portal returned an unexpected answer. Run again later; if it persists, contact Bitrix24 support.',
	},
	NO_AUTH_FOUND: {
		httpStatus: 401,
		retried: false,
		hint: 'The webhook code or access token is wrong or was deleted. Copy the webhook URL again from Bitrix24, or reconnect the OAuth2 credential.',
	},
	expired_token: {
		httpStatus: 401,
		retried: false,
		hint: 'The access token expired and could not be refreshed. Reconnect the OAuth2 credential.',
	},
	invalid_token: {
		httpStatus: 401,
		retried: false,
		hint: 'The portal does not know this access token. Reconnect the OAuth2 credential.',
	},
	INVALID_CREDENTIALS: {
		httpStatus: 403,
		retried: false,
		hint: 'The user behind the webhook or token lacks permissions for this method. Use a user who may edit CRM invoices.',
	},
	insufficient_scope: { httpStatus: 403, retried: false, hint: SCOPE_HINT },
	user_access_error: {
		httpStatus: 403,
		retried: false,
		hint: 'The application is installed, but the administrator allowed it only for some users. Ask them to grant access to this user.',
	},
	INVALID_REQUEST: {
		httpStatus: 400,
		retried: false,
		hint: 'The portal requires HTTPS. Use the https:// address of the portal.',
	},
	PORTAL_DELETED: {
		httpStatus: 500,
		retried: false,
		hint: 'The portal was deleted or its public part is closed. Check the portal address.',
	},
	[BITRIX24_CODES.batchMethodNotAllowed]: {
		httpStatus: 405,
		retried: false,
		hint: 'The portal does not allow this method in batch calls. Turn off the "Batch Requests" option.',
	},
	ERROR_BATCH_LENGTH_EXCEEDED: {
		httpStatus: 400,
		retried: false,
		hint: 'The batch request was too long for the portal. Turn off the "Batch Requests" option.',
	},
	ERROR_MANIFEST_IS_NOT_AVAILABLE: {
		httpStatus: 404,
		retried: false,
		hint: 'The portal reported that a manifest is not available. Check the portal address and its REST settings.',
	},
	ERROR_METHOD_NOT_FOUND: {
		httpStatus: 404,
		retried: false,
		hint: 'The portal does not offer this method. Check that the address is a Bitrix24 portal with the online store (sale) module.',
	},
	[LOCAL_ERROR_CODES.invalidParameter]: {
		httpStatus: null,
		retried: false,
		hint: 'Fix the value in the node or in the expression that feeds it. Nothing was sent to Bitrix24 for this item.',
	},
	[LOCAL_ERROR_CODES.networkError]: {
		httpStatus: null,
		// A connection that broke or timed out may work next time; a refused one or an unknown host will not.
		retried: (failure) => typeof failure.transportCode === 'string' && BROKEN_CONNECTION_CODES.has(failure.transportCode),
		hint: 'The portal could not be reached. Check the portal address, DNS and any proxy, then run again.',
	},
	[LOCAL_ERROR_CODES.invalidResponse]: {
		httpStatus: null,
		// JSON that broke off on its way, or a proxy's error page while the portal restarts.
		retried: (failure) => failure.truncated === true || (failure.httpCode !== null && failure.httpCode >= 500 && failure.httpCode <= 599),
		hint: 'The portal answered with something that is not Bitrix24 REST JSON (an HTML error page, say). Check the portal address; if it is right, the portal may be down.',
	},
	[LOCAL_ERROR_CODES.paymentNotFound]: {
		httpStatus: null,
		retried: false,
		hint: 'The smart invoice or deal has no payments, or no unpaid one when "Payments" is "Unpaid Only". Add a payment in Bitrix24, or check the entity type and ID.',
	},
	[LOCAL_ERROR_CODES.answerLost]: final(null, 'The confirmation was sent, but its answer was lost on the way (timeout, broken connection, an error page): the portal may have marked the payment paid. The node does not send a confirmation twice. Check the payment in Bitrix24, or run again with "Check First" on: the node then reads the payment before it sends anything.'),
	[LOCAL_ERROR_CODES.paidByOtherTransaction]: final(null, 'The payment is already paid by another transaction of the provider: the customer may have paid twice. Nothing was sent. Compare the two transaction IDs with the provider, and refund one.'),
	[LOCAL_ERROR_CODES.amountMismatch]: final(null, 'The amount or currency the provider reported differs from the payment in Bitrix24. Nothing was sent. Check the payment and the provider\'s transaction; leave Amount or Currency empty to confirm without comparing them.'),
	[LOCAL_ERROR_CODES.alreadyPaid]: final(null, 'It is already paid, and the portal does not say by which transaction (a legacy invoice never does; a payment marked paid by hand neither), so the node cannot tell a repeated callback from a second payment. Nothing was sent. Check it in Bitrix24 against the provider\'s transactions.'),
	[LOCAL_ERROR_CODES.notMarkedPaid]: final(null, 'The portal accepted the confirmation, but the payment still reads as unpaid: the pay system\'s handler did not mark it paid (check the status code sent). Check the payment in Bitrix24.'),
	[LOCAL_ERROR_CODES.handlerInUse]: {
		httpStatus: null,
		retried: false,
		hint: 'Pay systems still use this REST handler, so the node did not ask the portal to delete it. Delete those pay systems or move them to another handler (Pay System > Update), then delete the handler.',
	},
	[LOCAL_ERROR_CODES.uncodedError]: final(null, 'The portal refused the call with a text but an empty error code: crm.invoice.get answers so for a legacy invoice that does not exist ("Not found"). Check the invoice ID: it must be a legacy invoice (crm.invoice.*); smart invoices are confirmed through their payments (Payment > Confirm). The error description is the portal\'s text.'),
	[LOCAL_ERROR_CODES.refreshFailed]: {
		httpStatus: null,
		retried: false,
		hint: 'n8n could not renew the OAuth2 access token: the refresh token expired, access was revoked, or the token address did not answer. Open the credential and click "Reconnect" to sign in to Bitrix24 again.',
	},
};

/**
 * The hint of an ANSWER_LOST that met a management write instead of a confirmation: what the user
 * checks before sending it again (docs/contract.md#management-retries).
 */
export const LOST_WRITE_HINTS = {
	create: 'The create was sent, but its answer was lost on the way (timeout, broken connection, an error page): the portal may have added the record. The node does not send it twice. List the records (Get Many) before you create it again: a pay system created twice is two pay systems.',
	change: 'The change was sent, but its answer was lost on the way (timeout, broken connection, an error page): the portal may have applied it. The node does not send it twice. Check the record (Get Many, or Settings > Get), then run the item again if it is still needed.',
} as const;

const UNKNOWN_CODE: ErrorCodeInfo = {
	httpStatus: null,
	retried: false,
	hint: 'Bitrix24 reported an error this node does not know. The error description says more.',
};

export function describeErrorCode(code: string): ErrorCodeInfo {
	return Object.prototype.hasOwnProperty.call(ERROR_TABLE, code) ? ERROR_TABLE[code] : UNKNOWN_CODE;
}


/** The one answer to "is this sent again": the table's rule for the code. */
export function isRetried(failure: FailureFacts): boolean {
	const rule = describeErrorCode(failure.errorCode).retried;
	return typeof rule === 'function' ? rule(failure) : rule;
}

/** True for the portal's refusals for its limits: sent again when their time comes, not counted as retries. */
export function isLimitRefusal(failure: FailureFacts): boolean {
	return failure.errorCode === BITRIX24_CODES.queryLimitExceeded || failure.errorCode === BITRIX24_CODES.operationTimeLimit;
}
