import type { IDataObject } from 'n8n-workflow';

/** One REST call: the method and its parameters. */
export interface Call {
	method: string;
	params: IDataObject;
	/**
	 * The call changes something on the portal and is not safe to repeat (a payment confirmation). It
	 * is never sent again after a failure the portal may have run it through (a timeout, a broken
	 * connection, an answer cut off, a 5xx): its outcome is ANSWER_LOST, and the operation reads what
	 * the portal holds before it decides to send it again. Refusals for the portal's limits, which the
	 * portal answers before it runs anything, are still sent again.
	 */
	writes?: boolean;
}

/** Bitrix24 runs at most 50 commands in one `batch` call. */
export const BATCH_LIMIT = 50;

// Stricter than encodeURIComponent: every character outside [A-Za-z0-9_.~-] is percent-encoded.
function encodeQueryValue(value: string): string {
	return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A call as a `batch` command: every value percent-encoded, so no value can add, change or drop a parameter. */
export function toBatchCommand(call: Call): string {
	const query = Object.entries(call.params)
		.map(([key, value]) => `${key}=${encodeQueryValue(String(value))}`)
		.join('&');
	return `${call.method}?${query}`;
}
