/**
 * The hint users read for each error code (docs/contract.md#error-item: `details.hint`, and the
 * description of the error that stops a run), written out here so that a changed or swapped hint in
 * the product's table fails the tests. docs/contract.md says what each hint must name (the legacy
 * invoices for ERROR_INTERNAL_INVOICE_NOT_FOUND, the REST-handler check for ACCESS_DENIED, `crm` for
 * insufficient_scope); the wording is the table's, reviewed once.
 */
export const HINTS: Readonly<Record<string, string>> = {
	'0':
		"The portal refused to list the payments: the user behind the webhook or application may not read this smart invoice or deal, or it does not exist. Check the entity type and ID and the user's CRM permissions.",
	'100':
		'The portal says a required field of crm.item.payment.list is missing. Check the entity type and ID.',
	ACCESS_DENIED:
		'Only pay systems that run on a REST handler have settings to read: one on a built-in handler (cash, bank transfer and the like) is refused, and so, for an OAuth2 application, is a handler another application added. Otherwise the webhook or application user needs permission to create and edit CRM invoices and orders; to manage handlers, pay systems and their settings, the user must be a CRM administrator.',
	ERROR_CHECK_FAILURE:
		'Choose an existing pay system (by ID) or the code of a REST handler that is registered on the portal. For a payment, the payment must exist and use that pay system. To add a handler, its Settings need CODES and one of FORM_DATA, CHECKOUT_DATA or IFRAME_DATA with an ACTION_URI. The error description says which check failed.',
	ERROR_INTERNAL_INVOICE_NOT_FOUND:
		'This method reads legacy CRM invoices (crm.invoice.*) only. New smart invoices (crm.item, entityTypeId 31) are not found by it: check that the ID is a legacy invoice ID.',
	ERROR_INTERNAL_ORDER_NOT_FOUND:
		'The order this payment belongs to was not found on the portal. Check the payment ID.',
	ERROR_PAY_SYSTEM_NOT_FOUND:
		'The pay system was not found: to update or delete one, check its ID (it may have been deleted); to read settings by handler code, no pay system uses that REST handler: create one with it, or select the pay system by ID.',
	ERROR_HANDLER_ALREADY_EXIST:
		'A REST handler with this code is already registered on the portal. Choose another Code, or update the existing handler (Handler > Get Many lists them).',
	ERROR_HANDLER_NOT_FOUND:
		'No REST handler has this ID or code (Handler > Get Many lists them). Settings > Update is answered with this code too when Settings is empty: give at least one setting.',
	ERROR_PERSON_TYPE_NOT_FOUND:
		"The payer type (Person Type ID) does not exist for the pay system's Entity Registry Type. Choose a payer type of that registry type (sale.persontype.list); a pay system update must name it again every time.",
	ERROR_PAY_SYSTEM_DELETE:
		'The portal refused to delete: pay systems still use this REST handler. Delete them or move them to another handler first, then delete the handler.',
	ERROR_HANDLER_ADD:
		'The portal could not save the new REST handler. The error description gives its reason.',
	ERROR_HANDLER_UPDATE:
		'The portal could not save the changes to the REST handler. The error description gives its reason.',
	ERROR_PAY_SYSTEM_ADD:
		'The portal could not save the new pay system. The error description gives its reason.',
	HANDLER_IN_USE:
		'Pay systems still use this REST handler, so the node did not ask the portal to delete it. Delete those pay systems or move them to another handler (Pay System > Update), then delete the handler.',
	QUERY_LIMIT_EXCEEDED:
		'The portal kept refusing calls for its rate limit until the node had waited "Max Wait for Portal Limits". Other applications or n8n workers share the limit: raise that option, choose the "Portal Rate Limit" that matches the plan, or run at a quieter time.',
	OPERATION_TIME_LIMIT:
		'This method used up its run-time budget on the portal for the last 10 minutes, and the budget did not free up within "Max Wait for Portal Limits". Raise that option, or run again after the budget resets.',
	OVERLOAD_LIMIT:
		'Bitrix24 blocked REST on this portal for overload. Only Bitrix24 support can lift this block.',
	INTERNAL_SERVER_ERROR:
		'The portal failed internally. Run again later; if it persists, contact the portal administrator or Bitrix24 support.',
	ERROR_UNEXPECTED_ANSWER:
		'The portal returned an unexpected answer. Run again later; if it persists, contact Bitrix24 support.',
	NO_AUTH_FOUND:
		'The webhook code or access token is wrong or was deleted. Copy the webhook URL again from Bitrix24, or reconnect the OAuth2 credential.',
	expired_token:
		'The access token expired and could not be refreshed. Reconnect the OAuth2 credential.',
	invalid_token:
		'The portal does not know this access token. Reconnect the OAuth2 credential.',
	INVALID_CREDENTIALS:
		'The user behind the webhook or token lacks permissions for this method. Use a user who may edit CRM invoices.',
	insufficient_scope:
		'Give the webhook or the application the scope the method needs: "pay_system" for pay system settings and confirmations, "crm" as well for the payments of smart invoices and deals and for legacy invoices, "sale" for the payment reads of Confirm Payment (Applications > Developer resources > Other > Inbound webhook > Permissions), then save it again. Without "sale", turn off "Check First": the node then confirms without reading the payment.',
	user_access_error:
		'The application is installed, but the administrator allowed it only for some users. Ask them to grant access to this user.',
	INVALID_REQUEST:
		'The portal requires HTTPS. Use the https:// address of the portal.',
	PORTAL_DELETED:
		'The portal was deleted or its public part is closed. Check the portal address.',
	ERROR_BATCH_METHOD_NOT_ALLOWED:
		'The portal does not allow this method in batch calls. Turn off the "Batch Requests" option.',
	ERROR_BATCH_LENGTH_EXCEEDED:
		'The batch request was too long for the portal. Turn off the "Batch Requests" option.',
	ERROR_MANIFEST_IS_NOT_AVAILABLE:
		'The portal reported that a manifest is not available. Check the portal address and its REST settings.',
	ERROR_METHOD_NOT_FOUND:
		'The portal does not offer this method. Check that the address is a Bitrix24 portal with the online store (sale) module.',
	INVALID_PARAMETER:
		'Fix the value in the node or in the expression that feeds it. Nothing was sent to Bitrix24 for this item.',
	NETWORK_ERROR:
		'The portal could not be reached. Check the portal address, DNS and any proxy, then run again.',
	INVALID_RESPONSE:
		'The portal answered with something that is not Bitrix24 REST JSON (an HTML error page, say). Check the portal address; if it is right, the portal may be down.',
	PAYMENT_NOT_FOUND:
		'The smart invoice or deal has no payments, or no unpaid one when "Payments" is "Unpaid Only". Add a payment in Bitrix24, or check the entity type and ID.',
	OAUTH_REFRESH_FAILED:
		'n8n could not renew the OAuth2 access token: the refresh token expired, access was revoked, or the token address did not answer. Open the credential and click "Reconnect" to sign in to Bitrix24 again.',
	'200640400001':
		'The portal has no payment with this ID. Check the payment ID: it is the ID of a payment (of a smart invoice, deal or order), not of the invoice itself.',
	'200040300010':
		'The user behind the webhook or application may not read this payment: sale.payment.get needs a portal administrator. Use such a user, or turn off "Check First" to confirm without reading the payment.',
	ERROR_PROCESS_REQUEST_RESULT:
		'The portal refused to mark the payment paid: the order may be canceled, or the pay system failed to process the request. The error description gives the portal\'s reason.',
	ANSWER_LOST:
		'The confirmation was sent, but its answer was lost on the way (timeout, broken connection, an error page): the portal may have marked the payment paid. The node does not send a confirmation twice. Check the payment in Bitrix24, or run again with "Check First" on: the node then reads the payment before it sends anything.',
	PAID_BY_OTHER_TRANSACTION:
		'The payment is already paid by another transaction of the provider: the customer may have paid twice. Nothing was sent. Compare the two transaction IDs with the provider, and refund one.',
	AMOUNT_MISMATCH:
		'The amount or currency the provider reported differs from the payment in Bitrix24. Nothing was sent. Check the payment and the provider\'s transaction; leave Amount or Currency empty to confirm without comparing them.',
	ALREADY_PAID:
		'It is already paid, and the portal does not say by which transaction (a legacy invoice never does; a payment marked paid by hand neither), so the node cannot tell a repeated callback from a second payment. Nothing was sent. Check it in Bitrix24 against the provider\'s transactions.',
	UNCODED_ERROR:
		'The portal refused the call with a text but an empty error code: crm.invoice.get answers so for a legacy invoice that does not exist ("Not found"). Check the invoice ID: it must be a legacy invoice (crm.invoice.*); smart invoices are confirmed through their payments (Payment > Confirm). The error description is the portal\'s text.',
	NOT_MARKED_PAID:
		'The portal accepted the confirmation, but the payment still reads as unpaid: the pay system\'s handler did not mark it paid (check the status code sent). Check the payment in Bitrix24.',
};

/** The hint of a code the node does not know. */
export const UNKNOWN_CODE_HINT = 'Bitrix24 reported an error this node does not know. The error description says more.';

/** A code's hint as the contract gives it. */
export function hintOf(code: string): string {
	return Object.prototype.hasOwnProperty.call(HINTS, code) ? HINTS[code] : UNKNOWN_CODE_HINT;
}
