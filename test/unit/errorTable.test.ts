import { CONTRACT_ERROR_CODES } from '../contract/errorCodes';
import { HINTS, UNKNOWN_CODE_HINT } from '../contract/hints';
import { ERROR_TABLE, LOCAL_ERROR_CODES, describeErrorCode, isRetried } from '../../nodes/shared/bitrix24/errors/codes';

const isRetryable = (errorCode: string) => isRetried({ errorCode, httpCode: null });

const RETRIED = ['QUERY_LIMIT_EXCEEDED', 'OPERATION_TIME_LIMIT', 'INTERNAL_SERVER_ERROR', 'ERROR_UNEXPECTED_ANSWER'];

const LISTED_CODES = [...CONTRACT_ERROR_CODES.map(([code]) => code), 'NETWORK_ERROR', 'INVALID_PARAMETER', 'PAYMENT_NOT_FOUND'];

describe('Errors: each Bitrix24 code comes with the HTTP status docs/contract.md#error-codes gives it', () => {
	it.each(CONTRACT_ERROR_CODES)('%s is HTTP %i', (code, httpStatus) => {
		expect(Object.prototype.hasOwnProperty.call(ERROR_TABLE, code)).toBe(true);
		expect(ERROR_TABLE[code].httpStatus).toBe(httpStatus);
		expect(describeErrorCode(code).httpStatus).toBe(httpStatus);
	});

	it('codes are matched exactly as Bitrix24 spells them', () => {
		expect(describeErrorCode('EXPIRED_TOKEN').httpStatus).toBeNull();
		expect(describeErrorCode('access_denied').httpStatus).toBeNull();
	});
});

describe('QUERY_LIMIT_EXCEEDED, OPERATION_TIME_LIMIT, 500s and network failures are retried; OVERLOAD_LIMIT, auth, scope, permission and validation errors are not', () => {
	it.each(LISTED_CODES.map((code) => [code, RETRIED.includes(code)] as [string, boolean]))(
		'%s retryable: %s',
		(code, retryable) => {
			expect(isRetryable(code)).toBe(retryable);
		},
	);

	it('the codes retried whatever the answer are exactly the four', () => {
		expect(LISTED_CODES.filter((code) => isRetryable(code)).sort()).toEqual([...RETRIED].sort());
		expect(Object.keys(ERROR_TABLE).filter((code) => ERROR_TABLE[code].retried === true).sort()).toEqual([...RETRIED].sort());
	});

	it('NETWORK_ERROR is retried when the connection broke or timed out, not when it was refused or the host is unknown', () => {
		const retried = (transportCode: string | null) => isRetried({ errorCode: 'NETWORK_ERROR', httpCode: null, transportCode });
		expect(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'EPIPE'].map(retried)).toEqual([true, true, true, true, true]);
		expect(['ECONNREFUSED', 'ENOTFOUND', null].map(retried)).toEqual([false, false, false]);
	});

	it('INVALID_RESPONSE is retried for a 5xx page or JSON that broke off, not for another page', () => {
		const retried = (httpCode: number | null, truncated = false) => isRetried({ errorCode: 'INVALID_RESPONSE', httpCode, truncated });
		expect([retried(502), retried(503), retried(200, true), retried(200), retried(404), retried(null)]).toEqual([true, true, true, false, false, false]);
		// 5xx is 500 to 599, both ends included.
		expect([retried(499), retried(500), retried(599), retried(600)]).toEqual([false, true, true, false]);
	});

	it('OAUTH_REFRESH_FAILED is not retried: only reconnecting the credential helps', () => {
		expect(isRetryable('OAUTH_REFRESH_FAILED')).toBe(false);
		expect(ERROR_TABLE.OAUTH_REFRESH_FAILED.hint).toContain('Reconnect');
	});
});

describe('Every error code carries the hint test/contract/hints.ts gives it', () => {
	it('the table holds every listed code', () => {
		expect(LISTED_CODES.filter((code) => !Object.prototype.hasOwnProperty.call(ERROR_TABLE, code))).toEqual([]);
	});

	it('the table and the written-out hints name the same codes', () => {
		expect(Object.keys(ERROR_TABLE).sort()).toEqual(Object.keys(HINTS).sort());
	});

	it.each(Object.entries(HINTS))('%s', (code, hint) => {
		expect(describeErrorCode(code).hint).toBe(hint);
	});
});

describe('PAYMENT_NOT_FOUND: a smart invoice or deal without the payments asked for', () => {
	it('is not retried, and its hint names the Unpaid Only setting', () => {
		expect(isRetryable('PAYMENT_NOT_FOUND')).toBe(false);
		expect(describeErrorCode('PAYMENT_NOT_FOUND').hint).toBe(
			'The smart invoice or deal has no payments, or no unpaid one when "Payments" is "Unpaid Only". Add a payment in Bitrix24, or check the entity type and ID.',
		);
	});
});

describe('Smart invoices (crm.item, entityTypeId 31) answer ERROR_INTERNAL_INVOICE_NOT_FOUND: the hint says so', () => {
	const hint = describeErrorCode('ERROR_INTERNAL_INVOICE_NOT_FOUND').hint;

	it.each(['smart invoices', 'crm.item', 'entityTypeId 31'])('the hint mentions %s', (text) => {
		expect(hint).toContain(text);
	});

	it('the hint says the method reads legacy invoices', () => {
		expect(hint.toLowerCase()).toContain('legacy');
	});
});

describe('The codes of the payment methods: ERROR_INTERNAL_ORDER_NOT_FOUND, and the numeric codes of crm.item.* as text', () => {
	it.each([
		['ERROR_INTERNAL_ORDER_NOT_FOUND', 400],
		['0', 400],
		['100', 400],
	])('%s is HTTP %i, not retried, with a hint of its own', (code, httpStatus) => {
		expect(Object.prototype.hasOwnProperty.call(ERROR_TABLE, code)).toBe(true);
		expect(describeErrorCode(code).httpStatus).toBe(httpStatus);
		expect(isRetryable(code)).toBe(false);
		expect(describeErrorCode(code).hint).not.toBe(describeErrorCode('SOME_NEW_CODE').hint);
	});

	it('the hints say what each code means for the payments', () => {
		expect(describeErrorCode('ERROR_INTERNAL_ORDER_NOT_FOUND').hint).toBe(
			'The order this payment belongs to was not found on the portal. Check the payment ID.',
		);
		expect(describeErrorCode('0').hint).toBe(
			"The portal refused to list the payments: the user behind the webhook or application may not read this smart invoice or deal, or it does not exist. Check the entity type and ID and the user's CRM permissions.",
		);
		expect(describeErrorCode('100').hint).toBe('The portal says a required field of crm.item.payment.list is missing. Check the entity type and ID.');
	});

	it('ACCESS_DENIED names the REST-handler check first', () => {
		expect(describeErrorCode('ACCESS_DENIED').hint).toBe(
			'Only pay systems that run on a REST handler have settings to read: one on a built-in handler (cash, bank transfer and the like) is refused, and so, for an OAuth2 application, is a handler another application added. Otherwise the webhook or application user needs permission to create and edit CRM invoices and orders; to manage handlers, pay systems and their settings, the user must be a CRM administrator.',
		);
	});

	it('insufficient_scope names pay_system, crm and sale, and Check First as the way around sale', () => {
		expect(describeErrorCode('insufficient_scope').hint).toBe(
			'Give the webhook or the application the scope the method needs: "pay_system" for pay system settings and confirmations, "crm" as well for the payments of smart invoices and deals and for legacy invoices, "sale" for the payment reads of Confirm Payment (Applications > Developer resources > Other > Inbound webhook > Permissions), then save it again. Without "sale", turn off "Check First": the node then confirms without reading the payment.',
		);
	});
});

describe('An error code the table does not know is reported with a hint and not retried', () => {
	it.each(['SOME_NEW_CODE', '', 'toString', 'constructor', '__proto__', 'hasOwnProperty'])('%p', (code) => {
		expect(describeErrorCode(code)).toEqual({ httpStatus: null, retried: false, hint: UNKNOWN_CODE_HINT });
		expect(isRetryable(code)).toBe(false);
	});
});

describe('Local codes INVALID_PARAMETER, NETWORK_ERROR, INVALID_RESPONSE, OAUTH_REFRESH_FAILED, PAYMENT_NOT_FOUND, HANDLER_IN_USE and the confirmation codes have no HTTP status of their own', () => {
	it('the local code names are exact', () => {
		expect(LOCAL_ERROR_CODES).toEqual({
			invalidParameter: 'INVALID_PARAMETER',
			networkError: 'NETWORK_ERROR',
			invalidResponse: 'INVALID_RESPONSE',
			refreshFailed: 'OAUTH_REFRESH_FAILED',
			paymentNotFound: 'PAYMENT_NOT_FOUND',
			handlerInUse: 'HANDLER_IN_USE',
			answerLost: 'ANSWER_LOST',
			paidByOtherTransaction: 'PAID_BY_OTHER_TRANSACTION',
			amountMismatch: 'AMOUNT_MISMATCH',
			alreadyPaid: 'ALREADY_PAID',
			notMarkedPaid: 'NOT_MARKED_PAID',
			uncodedError: 'UNCODED_ERROR',
		});
	});

	it.each(['INVALID_PARAMETER', 'NETWORK_ERROR', 'INVALID_RESPONSE', 'OAUTH_REFRESH_FAILED', 'PAYMENT_NOT_FOUND', 'HANDLER_IN_USE', 'ANSWER_LOST', 'PAID_BY_OTHER_TRANSACTION', 'AMOUNT_MISMATCH', 'ALREADY_PAID', 'NOT_MARKED_PAID', 'UNCODED_ERROR'])('%s is in the table with httpStatus null', (code) => {
		expect(Object.prototype.hasOwnProperty.call(ERROR_TABLE, code)).toBe(true);
		expect(ERROR_TABLE[code].httpStatus).toBeNull();
		expect(ERROR_TABLE[code].hint).toBe(HINTS[code]);
	});
});
