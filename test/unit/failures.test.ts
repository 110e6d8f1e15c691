// A failure as users see it (docs/contract.md#errors, #stop): the error item, and the error that stops a
// run or that an AI agent reads, with the message, description, status and response the contract gives.
import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Bitrix24Failure, FailedItem } from '../../nodes/shared/bitrix24/errors/failures';
import {
	fromBitrixError,
	invalidParameter,
	invalidResponse,
	networkFailure,
	paymentNotFound,
	refreshFailed,
	toErrorItem,
	toNodeError,
} from '../../nodes/shared/bitrix24/errors/failures';
import { HINTS, UNKNOWN_CODE_HINT } from '../contract/hints';

const NODE: INode = { id: 'n', name: 'Pay System Invoice Settings', type: 'n8n-nodes-bitrix24-paysystem.bitrix24PaySystemInvoiceSettings', typeVersion: 1, position: [0, 0], parameters: {} };
const CHECK_FAILURE: Bitrix24Failure = fromBitrixError({ error: 'ERROR_CHECK_FAILURE', error_description: 'Pay system not found' }, 400, []);
const ITEM: FailedItem = { itemIndex: 2, ids: { invoiceId: 42 }, subject: 'invoice 42', noSubject: 'no valid invoice ID' };
const NO_ID: FailedItem = { itemIndex: 0, ids: { invoiceId: null }, subject: null, noSubject: 'no valid invoice ID' };

describe('The local failures: code, no description, status, and a message that names the code', () => {
	it.each<[string, Bitrix24Failure, Bitrix24Failure]>([
		[
			'INVALID_PARAMETER',
			invalidParameter('Invoice ID must be a whole number from 1 to 2147483647; got "abc"'),
			{ errorCode: 'INVALID_PARAMETER', errorDescription: null, httpCode: null, message: 'INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got "abc"' },
		],
		[
			'NETWORK_ERROR',
			networkFailure('ECONNRESET', 'ECONNRESET'),
			{ errorCode: 'NETWORK_ERROR', errorDescription: null, httpCode: null, transportCode: 'ECONNRESET', message: 'NETWORK_ERROR: The Bitrix24 portal could not be reached (ECONNRESET)' },
		],
		[
			'INVALID_RESPONSE',
			invalidResponse(502, 'a page'),
			{ errorCode: 'INVALID_RESPONSE', errorDescription: null, httpCode: 502, message: 'INVALID_RESPONSE: a page' },
		],
		[
			'INVALID_RESPONSE cut off',
			invalidResponse(200, 'cut off', true),
			{ errorCode: 'INVALID_RESPONSE', errorDescription: null, httpCode: 200, truncated: true, message: 'INVALID_RESPONSE: cut off' },
		],
		[
			'PAYMENT_NOT_FOUND',
			paymentNotFound('The deal 21 has no payment'),
			{ errorCode: 'PAYMENT_NOT_FOUND', errorDescription: null, httpCode: null, message: 'PAYMENT_NOT_FOUND: The deal 21 has no payment' },
		],
		[
			'OAUTH_REFRESH_FAILED',
			refreshFailed('invalid_grant'),
			{ errorCode: 'OAUTH_REFRESH_FAILED', errorDescription: null, httpCode: null, message: 'OAUTH_REFRESH_FAILED: The OAuth2 access token could not be renewed (invalid_grant)' },
		],
	])('%s', (_code, failure, expected) => {
		expect(failure).toStrictEqual(expected);
	});

	it('a Bitrix24 error without a description, or with a blank one, has none, and its message only the code', () => {
		expect(fromBitrixError({ error: 'OVERLOAD_LIMIT', error_description: '  ' }, 503, [])).toStrictEqual({
			errorCode: 'OVERLOAD_LIMIT',
			errorDescription: null,
			httpCode: 503,
			message: 'Bitrix24 error OVERLOAD_LIMIT',
		});
		expect(fromBitrixError({ error: 0, error_description: 'Access denied' }, 400, [])).toStrictEqual({
			errorCode: '0',
			errorDescription: 'Access denied',
			httpCode: 400,
			message: 'Bitrix24 error 0: Access denied',
		});
	});
});

describe('The error item: {error, details} paired with its input item', () => {
	it('names the code, the description, the status, the ids and the hint', () => {
		expect(toErrorItem(CHECK_FAILURE, ITEM)).toStrictEqual({
			json: {
				error: 'Bitrix24 error ERROR_CHECK_FAILURE: Pay system not found',
				details: { errorCode: 'ERROR_CHECK_FAILURE', errorDescription: 'Pay system not found', httpCode: 400, invoiceId: 42, hint: HINTS.ERROR_CHECK_FAILURE },
			},
			pairedItem: { item: 2 },
		});
	});

	it('gives a code the node does not know the generic hint', () => {
		const failure = fromBitrixError({ error: 'SOME_NEW_CODE', error_description: 'New' }, 400, []);
		expect((toErrorItem(failure, ITEM).json.details as { hint: string }).hint).toBe(UNKNOWN_CODE_HINT);
	});
});

describe('The error that stops a run (docs/contract.md#stop)', () => {
	it('a portal error: a NodeApiError naming the item and its subject, the hint as description, the status and the response', () => {
		const error = toNodeError(NODE, CHECK_FAILURE, ITEM) as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Bitrix24 error ERROR_CHECK_FAILURE: Pay system not found [item 2, invoice 42]');
		expect(error.description).toBe(HINTS.ERROR_CHECK_FAILURE);
		expect(error.httpCode).toBe('400');
		expect(error.errorResponse).toStrictEqual({ errorCode: 'ERROR_CHECK_FAILURE', errorDescription: 'Pay system not found', httpCode: 400, invoiceId: 42 });
		expect(error.context.itemIndex).toBe(2);
	});

	it('an item without a valid ID is named by its index alone', () => {
		expect(toNodeError(NODE, CHECK_FAILURE, NO_ID).message).toBe('Bitrix24 error ERROR_CHECK_FAILURE: Pay system not found [item 0]');
	});

	it('a connection error keeps its own message, which NodeApiError would swap for a text of its own', () => {
		const error = toNodeError(NODE, networkFailure('ECONNREFUSED', 'ECONNREFUSED'), ITEM) as NodeApiError;
		expect(error.message).toBe('NETWORK_ERROR: The Bitrix24 portal could not be reached (ECONNREFUSED) [item 2, invoice 42]');
		expect(error.errorResponse).toStrictEqual({ errorCode: 'NETWORK_ERROR', errorDescription: null, httpCode: null, invoiceId: 42 });
		// Given no status, NodeApiError shows the code where the status would be.
		expect(error.httpCode).toBe('NETWORK_ERROR');
		expect(error.description).toBe(HINTS.NETWORK_ERROR);
	});

	it('an invalid parameter: a NodeOperationError with the hint as description', () => {
		const error = toNodeError(NODE, invalidParameter('Invoice ID must be a whole number from 1 to 2147483647; got "abc"'), NO_ID);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error).not.toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got "abc" [item 0]');
		expect(error.description).toBe(HINTS.INVALID_PARAMETER);
		expect(error.context.itemIndex).toBe(0);
	});

	it('without an item (a list search): the failure\'s own message', () => {
		const error = toNodeError(NODE, CHECK_FAILURE) as NodeApiError;
		expect(error.message).toBe('Bitrix24 error ERROR_CHECK_FAILURE: Pay system not found');
		expect(error.errorResponse).toStrictEqual({ errorCode: 'ERROR_CHECK_FAILURE', errorDescription: 'Pay system not found', httpCode: 400 });
	});

	it('as an AI agent\'s tool: the subject and the hint in the message, which is all the model reads', () => {
		expect(toNodeError(NODE, CHECK_FAILURE, ITEM, true).message).toBe(`Bitrix24 error ERROR_CHECK_FAILURE: Pay system not found [invoice 42]. ${HINTS.ERROR_CHECK_FAILURE}`);
		expect(toNodeError(NODE, CHECK_FAILURE, NO_ID, true).message).toBe(`Bitrix24 error ERROR_CHECK_FAILURE: Pay system not found [no valid invoice ID]. ${HINTS.ERROR_CHECK_FAILURE}`);
	});
});
