import { CONTRACT_ERROR_CODES } from '../contract/errorCodes';
import { ERROR_TABLE, LOCAL_ERROR_CODES, describeErrorCode, isRetryable } from '../../nodes/shared/bitrix24/errorTable';

const RETRIED = ['QUERY_LIMIT_EXCEEDED', 'OPERATION_TIME_LIMIT', 'INTERNAL_SERVER_ERROR', 'ERROR_UNEXPECTED_ANSWER', 'NETWORK_ERROR'];

const LISTED_CODES = [...CONTRACT_ERROR_CODES.map(([code]) => code), 'NETWORK_ERROR', 'INVALID_PARAMETER'];

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
			expect(describeErrorCode(code).retryable).toBe(retryable);
		},
	);

	it('the retried codes among the listed ones are exactly the five', () => {
		expect(LISTED_CODES.filter((code) => isRetryable(code)).sort()).toEqual([...RETRIED].sort());
	});
});

describe('Every error code carries a hint for the user', () => {
	it('the table holds every listed code', () => {
		expect(LISTED_CODES.filter((code) => !Object.prototype.hasOwnProperty.call(ERROR_TABLE, code))).toEqual([]);
	});

	it.each(Object.keys(ERROR_TABLE))('%s has a non-empty hint', (code) => {
		expect(typeof ERROR_TABLE[code].hint).toBe('string');
		expect(ERROR_TABLE[code].hint.trim().length).toBeGreaterThan(0);
		expect(describeErrorCode(code).hint).toBe(ERROR_TABLE[code].hint);
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

describe('An error code the table does not know is reported with a hint and not retried', () => {
	it.each(['SOME_NEW_CODE', '', 'toString', 'constructor', '__proto__', 'hasOwnProperty'])('%p', (code) => {
		const info = describeErrorCode(code);
		expect(info.httpStatus).toBeNull();
		expect(info.retryable).toBe(false);
		expect(typeof info.hint).toBe('string');
		expect(info.hint.trim().length).toBeGreaterThan(0);
		expect(isRetryable(code)).toBe(false);
	});
});

describe('Local codes INVALID_PARAMETER, NETWORK_ERROR, INVALID_RESPONSE have no HTTP status of their own', () => {
	it('the local code names are exact', () => {
		expect(LOCAL_ERROR_CODES).toEqual({
			invalidParameter: 'INVALID_PARAMETER',
			networkError: 'NETWORK_ERROR',
			invalidResponse: 'INVALID_RESPONSE',
		});
	});

	it.each(['INVALID_PARAMETER', 'NETWORK_ERROR', 'INVALID_RESPONSE'])('%s is in the table with httpStatus null', (code) => {
		expect(Object.prototype.hasOwnProperty.call(ERROR_TABLE, code)).toBe(true);
		expect(ERROR_TABLE[code].httpStatus).toBeNull();
		expect(ERROR_TABLE[code].hint.trim().length).toBeGreaterThan(0);
	});
});
