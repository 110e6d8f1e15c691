/** The invoices every path asks for and the settings a correct run gets back. */
import { settingsFor } from '../emulator/seed';

export const PAY_SYSTEM_ID = 11;
export const METHOD = 'sale.paysystem.settings.invoice.get';
const FIRST_INVOICE_ID = 1001;

/** What a path hands back: its output (held while memory is measured) and how many items came out wrong. */
export interface PathOutcome {
	output: unknown;
	/** Settings handed back: an output item of the node, a 200 answer of the naive path. */
	itemsOut: number;
	errorItems: number;
	/** The node's own execution time as n8n records it, for a node path. */
	nodeMs?: number;
}

/** Invoices from 1001 on: the emulated portal has them all (404 is its one missing invoice), so a correct run has no error item. */
export function invoiceIds(n: number): number[] {
	return Array.from({ length: n }, (_, index) => FIRST_INVOICE_ID + index);
}

/** Compared as JSON text, so key order counts too: the portal's order is part of what it returned. */
export function isExpectedSettings(invoiceId: number, settings: unknown): boolean {
	return JSON.stringify(settings) === JSON.stringify(settingsFor(PAY_SYSTEM_ID, invoiceId));
}

export function withTrailingSlash(url: string): string {
	return url.endsWith('/') ? url : `${url}/`;
}
