import type { IDataObject, INode, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { FailureFacts } from './codes';
import { LOCAL_ERROR_CODES, describeErrorCode } from './codes';
import { redactSecrets } from './redact';

/**
 * A failed call or item as users see it: the Bitrix24 (or local) code, the portal's own text (null
 * when the portal sent none), the HTTP status (null when there was no answer), and a readable
 * message that names the code.
 */
export interface Bitrix24Failure extends FailureFacts {
	errorDescription: string | null;
	message: string;
	/** What the user can do, where the operation knows better than the code's hint (a lost create). */
	hint?: string;
}

/** The hint users read for a failure: its own, or its code's. */
const hintOf = (failure: Bitrix24Failure): string => failure.hint ?? describeErrorCode(failure.errorCode).hint;

function localFailure(errorCode: string, httpCode: number | null, text: string): Bitrix24Failure {
	return { errorCode, errorDescription: null, httpCode, message: `${errorCode}: ${text}` };
}

/** A value in the node that cannot make a request: nothing is sent for it. */
export function invalidParameter(problem: string): Bitrix24Failure {
	return localFailure(LOCAL_ERROR_CODES.invalidParameter, null, problem);
}

/** No answer came: the connection failed, broke or timed out. `reason` must already be redacted. */
export function networkFailure(transportCode: string | null, reason: string): Bitrix24Failure {
	return {
		...localFailure(LOCAL_ERROR_CODES.networkError, null, `The Bitrix24 portal could not be reached (${reason})`),
		transportCode,
	};
}

/** An answer that is not Bitrix24 REST JSON, or lacks what the call needs. */
export function invalidResponse(httpCode: number | null, problem: string, truncated = false): Bitrix24Failure {
	const failure = localFailure(LOCAL_ERROR_CODES.invalidResponse, httpCode, problem);
	return truncated ? { ...failure, truncated } : failure;
}

/** A smart invoice or deal without the payments the item asks for. */
export function paymentNotFound(problem: string): Bitrix24Failure {
	return localFailure(LOCAL_ERROR_CODES.paymentNotFound, null, problem);
}

/**
 * A call that writes, whose answer was lost where the portal may have run it (docs/contract.md#confirm):
 * it is not sent again blindly. `lost` is the failure that met it, already redacted.
 */
export function answerLost(lost: Bitrix24Failure): Bitrix24Failure {
	return localFailure(LOCAL_ERROR_CODES.answerLost, lost.httpCode, `The portal may have applied the call, but its answer was lost (${lost.message})`);
}

/** An operation's own refusal to send, with what it found (PAID_BY_OTHER_TRANSACTION, AMOUNT_MISMATCH, ...). */
export function refusedLocally(errorCode: string, text: string): Bitrix24Failure {
	return localFailure(errorCode, null, text);
}

/** A REST handler that pay systems still use: the node does not ask the portal to delete it. */
export function handlerInUse(problem: string): Bitrix24Failure {
	return localFailure(LOCAL_ERROR_CODES.handlerInUse, null, problem);
}

/** n8n could not renew the OAuth2 token after the portal said it expired. `reason` must already be redacted. */
export function refreshFailed(reason: string): Bitrix24Failure {
	return localFailure(LOCAL_ERROR_CODES.refreshFailed, null, `The OAuth2 access token could not be renewed (${reason})`);
}

/** A Bitrix24 error answer; a portal or proxy may echo the request in either field, so both are redacted. */
export function fromBitrixError(body: Record<string, unknown>, status: number | null, secrets: readonly string[]): Bitrix24Failure {
	// crm.item.* methods send a numeric code: it is still a code.
	const errorCode = redactSecrets(String(body.error).trim(), secrets);
	const description = body.error_description;
	const errorDescription =
		typeof description === 'string' && description.trim() !== '' ? redactSecrets(description, secrets) : null;
	// The CRM's proxy (crm.invoice.get) refuses with its text and an empty code.
	if (errorCode === '') {
		return { errorCode: LOCAL_ERROR_CODES.uncodedError, errorDescription, httpCode: status, message: `Bitrix24 error without a code: ${errorDescription ?? ''}` };
	}
	return {
		errorCode,
		errorDescription,
		httpCode: status,
		message: `Bitrix24 error ${errorCode}${errorDescription === null ? '' : `: ${errorDescription}`}`,
	};
}

/** The input item a failure belongs to, and how the operation names what it was reading. */
export interface FailedItem {
	itemIndex: number;
	/** The ids `details` carries (`invoiceId`, ...), null where the item gave no valid one. */
	ids: IDataObject;
	/** E.g. "invoice 42"; null when the item gave no valid id. */
	subject: string | null;
	/** What to say instead when `subject` is null, e.g. "no valid invoice ID". */
	noSubject: string;
}

/**
 * A failed item as the user reads it (docs/contract.md#errors): `{error, details}`, paired with its
 * input. "Continue (regular output)" puts it in the main output as it is.
 */
export function toErrorItem(failure: Bitrix24Failure, item: FailedItem): INodeExecutionData {
	return {
		json: {
			error: failure.message,
			details: {
				errorCode: failure.errorCode,
				errorDescription: failure.errorDescription,
				httpCode: failure.httpCode,
				...item.ids,
				hint: hintOf(failure),
			},
		},
		pairedItem: { item: item.itemIndex },
	};
}

/**
 * The same item for "Continue (using error output)", on every n8n line. n8n 1.x moves an item to the
 * error output when the item has an `error` or its `json` holds nothing but `error` (and `message`);
 * n8n 2.36 and later also take `details`. Both lines check `item.error` first, copy the routed item
 * with a spread to merge the input's fields in, and then replace the `json` of any item that still
 * carries `error` with `{error: message}`. So the item carries its node error as a property the
 * spread does not copy: it decides the route on both lines, and `{error, details}` survives it.
 */
export function toRoutedErrorItem(node: INode, failure: Bitrix24Failure, item: FailedItem): INodeExecutionData {
	const routed = toErrorItem(failure, item);
	Object.defineProperty(routed, 'error', { value: toNodeError(node, failure, item), enumerable: false, writable: true, configurable: true });
	return routed;
}

/**
 * The error that stops a run, or a list search: its message names the code and the item, its
 * description is the hint. An AI agent reads only the message, one item at a time, so a node that runs
 * as a tool puts the subject and the hint into the message instead of the item index.
 */
export function toNodeError(
	node: INode,
	failure: Bitrix24Failure,
	item?: FailedItem,
	asTool = false,
): NodeApiError | NodeOperationError {
	const hint = hintOf(failure);
	let message = failure.message;
	if (item !== undefined && asTool) message = `${failure.message} [${item.subject ?? item.noSubject}]. ${hint}`;
	else if (item !== undefined) message = `${failure.message} [item ${item.itemIndex}${item.subject === null ? '' : `, ${item.subject}`}]`;
	const itemIndex = item?.itemIndex;
	if (failure.errorCode === LOCAL_ERROR_CODES.invalidParameter) {
		return new NodeOperationError(node, message, { itemIndex, description: hint });
	}
	const details: JsonObject = {
		errorCode: failure.errorCode,
		errorDescription: failure.errorDescription,
		httpCode: failure.httpCode,
		...((item?.ids ?? {}) as JsonObject),
	};
	const error = new NodeApiError(node, details, {
		message,
		description: hint,
		httpCode: failure.httpCode === null ? undefined : String(failure.httpCode),
		itemIndex,
	});
	// NodeApiError swaps a message naming ECONNREFUSED, ECONNRESET and the like for a generic text of its
	// own; the user reads the code, the item and the subject instead.
	error.message = message;
	return error;
}
