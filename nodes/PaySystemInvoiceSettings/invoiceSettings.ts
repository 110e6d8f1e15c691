import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Bitrix24Failure } from '../shared/bitrix24/client';
import { asMap } from '../shared/bitrix24/client';
import { LOCAL_ERROR_CODES, describeErrorCode } from '../shared/bitrix24/errorTable';

export const METHOD = 'sale.paysystem.settings.invoice.get';

export type OutputMode = 'settings' | 'keyValue' | 'full';

const OUTPUT_MODES: readonly OutputMode[] = ['settings', 'keyValue', 'full'];

// Bitrix24 keeps IDs in signed 32-bit columns; a larger number cannot name an invoice or pay system.
const MAX_ID = 2147483647;
// ACTION_FILE, where a pay system keeps its handler code, is a 255-character column.
const MAX_HANDLER_LENGTH = 255;

/** What one input item asks the portal for. */
export interface InvoiceSettingsRequest {
	itemIndex: number;
	invoiceId: number;
	paySystemId: number | null;
	bxRestHandler: string | null;
	outputMode: OutputMode;
}

/** An input item whose parameters cannot make a valid request: nothing is sent for it. */
export interface InvalidItem {
	invoiceId: number | null;
	failure: Bitrix24Failure;
}

export type PlannedItem = { request: InvoiceSettingsRequest } | { invalid: InvalidItem };

function describeValue(value: unknown): string {
	let text: string;
	if (typeof value === 'string') text = JSON.stringify(value);
	else if (value === undefined) text = 'nothing';
	// JSON would show NaN and Infinity as null, which is not what the expression gave.
	else if (typeof value === 'number') text = String(value);
	else {
		try {
			text = JSON.stringify(value) ?? String(value);
		} catch {
			text = String(value);
		}
	}
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A whole number from 1 to MAX_ID, given as a number or a numeric string; anything else is null. */
export function parsePositiveId(value: unknown): number | null {
	let id: number;
	if (typeof value === 'number') id = value;
	else if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) id = Number(value.trim());
	else return null;
	return Number.isInteger(id) && id >= 1 && id <= MAX_ID ? id : null;
}

// No handler code holds a line break or a control character, and one the editor does not show
// would only come back from the portal as "Handler not found".
const CONTROL_CHARACTER = /[\p{Cc}\p{Zl}\p{Zp}]/u;
// Half of a surrogate pair is not text, and no URL or JSON encoding can carry it.
const LONE_SURROGATE = /\p{Cs}/u;

/** The REST handler code as it is sent (trimmed), or why the value cannot be one. */
export function checkHandlerCode(value: unknown): { code: string } | { problem: string } {
	const code = typeof value === 'string' ? value.trim() : '';
	const length = [...code].length;
	if (code === '') {
		return { problem: `REST Handler Code must be text of 1 to ${MAX_HANDLER_LENGTH} characters; got ${describeValue(value)}` };
	}
	if (length > MAX_HANDLER_LENGTH) {
		return { problem: `REST Handler Code must be text of 1 to ${MAX_HANDLER_LENGTH} characters; got ${length} characters` };
	}
	if (CONTROL_CHARACTER.test(code)) {
		return { problem: `REST Handler Code must not contain line breaks or other control characters; got ${describeValue(value)}` };
	}
	if (LONE_SURROGATE.test(code)) {
		return { problem: `REST Handler Code must be valid Unicode text; got ${describeValue(value)}` };
	}
	return { code };
}

function invalidParameter(invoiceId: number | null, message: string): InvalidItem {
	return {
		invoiceId,
		failure: {
			errorCode: LOCAL_ERROR_CODES.invalidParameter,
			errorDescription: null,
			httpCode: null,
			message,
		},
	};
}

/** True when a saved parameter value holds an expression anywhere (a string starting with "="). */
function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (typeof value === 'object' && value !== null) return Object.values(value).some(holdsExpression);
	return false;
}

export type ParameterReader = (
	name: string,
	itemIndex: number,
	fallback: unknown,
	options?: { extractValue: boolean },
) => unknown;

/**
 * Reads node parameters for an item, but a parameter without an expression only once per run: its
 * value is the same for every item, and n8n's parameter resolution is most of a large run's CPU time.
 */
export function parameterReader(context: IExecuteFunctions): ParameterReader {
	const fixed = new Map<string, unknown>();
	return (name, itemIndex, fallback, options) => {
		if (fixed.has(name)) return fixed.get(name);
		const value = context.getNodeParameter(name, itemIndex, fallback, options);
		if (!holdsExpression(context.getNode().parameters[name])) fixed.set(name, value);
		return value;
	};
}

// The fields as the item errors name them, so a failed expression says which field to fix.
const FIELD_LABELS = {
	invoiceId: 'Invoice ID',
	paySystemBy: 'Pay System By',
	paySystemId: 'Pay System ID',
	bxRestHandler: 'REST Handler Code',
	options: 'Options',
} as const;

type Field = keyof typeof FIELD_LABELS;

/** Reads and checks one item's parameters; an expression that throws is that item's failure. */
export function planItem(
	context: IExecuteFunctions,
	itemIndex: number,
	read: ParameterReader = parameterReader(context),
): PlannedItem {
	let invoiceId: number | null = null;
	let reading: Field = 'invoiceId';
	const readField = (name: Field, fallback: unknown, options?: { extractValue: boolean }) => {
		reading = name;
		return read(name, itemIndex, fallback, options);
	};
	try {
		const rawInvoiceId = readField('invoiceId', null);
		invoiceId = parsePositiveId(rawInvoiceId);
		if (invoiceId === null) {
			return {
				invalid: invalidParameter(
					null,
					`Invoice ID must be a whole number from 1 to ${MAX_ID}; got ${describeValue(rawInvoiceId)}`,
				),
			};
		}
		const paySystemBy = readField('paySystemBy', 'id') as string;
		let paySystemId: number | null = null;
		let bxRestHandler: string | null = null;
		if (paySystemBy === 'handler') {
			const handler = checkHandlerCode(readField('bxRestHandler', '', { extractValue: true }));
			if ('problem' in handler) return { invalid: invalidParameter(invoiceId, handler.problem) };
			bxRestHandler = handler.code;
		} else {
			const rawPaySystemId = readField('paySystemId', '', { extractValue: true });
			paySystemId = parsePositiveId(rawPaySystemId);
			if (paySystemId === null) {
				return {
					invalid: invalidParameter(
						invoiceId,
						`Pay System ID must be a whole number from 1 to ${MAX_ID}; got ${describeValue(rawPaySystemId)}`,
					),
				};
			}
		}
		const options = readField('options', {}) as IDataObject;
		const outputMode = (options.outputMode ?? 'settings') as OutputMode;
		if (!OUTPUT_MODES.includes(outputMode)) {
			return {
				invalid: invalidParameter(
					invoiceId,
					`Output must be one of ${OUTPUT_MODES.join(', ')}; got ${describeValue(outputMode)}`,
				),
			};
		}
		return {
			request: {
				itemIndex,
				invoiceId,
				paySystemId,
				bxRestHandler,
				outputMode,
			},
		};
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		return { invalid: invalidParameter(invoiceId, `${FIELD_LABELS[reading]} could not be read: ${reason}`) };
	}
}

/** The method's parameters: the invoice and exactly one pay system selector. */
export function methodParams(request: InvoiceSettingsRequest): IDataObject {
	return request.paySystemId !== null
		? { INVOICE_ID: request.invoiceId, PAY_SYSTEM_ID: request.paySystemId }
		: { INVOICE_ID: request.invoiceId, BX_REST_HANDLER: request.bxRestHandler };
}

// Stricter than encodeURIComponent: every character outside [A-Za-z0-9_.~-] is percent-encoded.
function encodeQueryValue(value: string): string {
	return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The same call as a `batch` command: no value can add, change or drop a parameter. */
export function batchCommand(request: InvoiceSettingsRequest): string {
	const query = Object.entries(methodParams(request))
		.map(([key, value]) => `${key}=${encodeQueryValue(String(value))}`)
		.join('&');
	return `${METHOD}?${query}`;
}

/** The settings object as the portal sent it; PHP's empty `[]` is `{}`. Null when it is not a map. */
export function toSettings(result: unknown): IDataObject | null {
	return asMap(result) as IDataObject | null;
}

/** Turns one item's settings into output items according to its output mode. */
export function toSuccessItems(
	request: InvoiceSettingsRequest,
	settings: IDataObject,
	time: IDataObject | null,
): INodeExecutionData[] {
	const pairedItem = { item: request.itemIndex };
	switch (request.outputMode) {
		case 'keyValue':
			return Object.entries(settings).map(([code, value]) => ({
				json: { invoiceId: request.invoiceId, code, value } as IDataObject,
				pairedItem,
			}));
		case 'full':
			return [
				{
					json: {
						invoiceId: request.invoiceId,
						paySystemId: request.paySystemId,
						bxRestHandler: request.bxRestHandler,
						settings,
						time,
					},
					pairedItem,
				},
			];
		default:
			return [{ json: settings, pairedItem }];
	}
}

/** The error item n8n routes to the error output: only `error` and `details` at the top. */
export function toErrorItem(itemIndex: number, invoiceId: number | null, failure: Bitrix24Failure): INodeExecutionData {
	return {
		json: {
			error: failure.message,
			details: {
				errorCode: failure.errorCode,
				errorDescription: failure.errorDescription,
				httpCode: failure.httpCode,
				invoiceId,
				hint: describeErrorCode(failure.errorCode).hint,
			},
		},
		pairedItem: { item: itemIndex },
	};
}
