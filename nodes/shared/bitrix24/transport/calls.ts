import type { IDataObject } from 'n8n-workflow';

/** One REST call: the method and its parameters. */
export interface Call {
	method: string;
	params: IDataObject;
	/**
	 * The call changes something on the portal and is not safe to repeat (a payment confirmation, a
	 * handler or pay system created, updated or deleted, settings set). It is never sent again after a
	 * failure the portal may have run it through (a timeout, a broken connection, an answer cut off, a
	 * 5xx): its outcome is ANSWER_LOST, and the operation reads what the portal holds before it decides
	 * to send it again, or leaves that to the user. Refusals for the portal's limits, which the portal
	 * answers before it runs anything, are still sent again.
	 */
	writes?: boolean;
}

/** Bitrix24 runs at most 50 commands in one `batch` call. */
export const BATCH_LIMIT = 50;

// Stricter than encodeURIComponent: every character outside [A-Za-z0-9_.~-] is percent-encoded.
function encodeQueryValue(value: string): string {
	return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A parameter as PHP's `parse_str` reads it back: nested objects and lists as `KEY[sub][0]=value`. */
function queryPairs(key: string, value: unknown): Array<[string, string]> {
	if (value === null || value === undefined) return [];
	if (typeof value === 'object') return Object.entries(value).flatMap(([sub, inner]) => queryPairs(`${key}[${encodeQueryValue(sub)}]`, inner));
	return [[key, encodeQueryValue(String(value))]];
}

/**
 * Whether a call reaches the portal the same inside `batch` as on its own. The portal decodes a
 * command's query before it reads the brackets of its keys, so a nested key holding `[` or `]` would
 * change the parameter's shape, and an empty object or list would vanish: such a call goes on its own.
 */
export function fitsBatchCommand(call: Call): boolean {
	const fits = (value: unknown): boolean => {
		if (typeof value !== 'object' || value === null) return true;
		const entries = Object.entries(value);
		return entries.length > 0 && entries.every(([key, inner]) => !/[[\]]/.test(key) && fits(inner));
	};
	return Object.values(call.params).every(fits);
}

/** A call as a `batch` command: every key and value percent-encoded, so no value can add, change or drop a parameter. */
export function toBatchCommand(call: Call): string {
	const query = Object.entries(call.params)
		.flatMap(([key, value]) => (typeof value === 'object' && value !== null ? queryPairs(encodeQueryValue(key), value) : [[encodeQueryValue(key), encodeQueryValue(String(value))]]))
		.map(([key, value]) => `${key}=${value}`)
		.join('&');
	return `${call.method}?${query}`;
}
