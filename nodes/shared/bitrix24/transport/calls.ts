import type { IDataObject } from 'n8n-workflow';

/** One REST call: the method and its parameters. */
export interface Call {
	method: string;
	params: IDataObject;
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
