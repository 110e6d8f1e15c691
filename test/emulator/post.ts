// Plain REST calls to an emulated portal, as any client makes them, for the emulator's own tests.

export const METHOD = 'sale.paysystem.settings.invoice.get';
export const CARD_INVOICE = { INVOICE_ID: 10, PAY_SYSTEM_ID: 11 };

export interface Reply {
	status: number;
	body: any;
}

/** POSTs JSON and reads the answer's JSON (null for a body that is not JSON). */
export async function post(url: string, payload: unknown = {}, headers: Record<string, string> = {}): Promise<Reply> {
	const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(payload) });
	const text = await response.text();
	try {
		return { status: response.status, body: JSON.parse(text) };
	} catch {
		return { status: response.status, body: null };
	}
}

/**
 * The whole Unix seconds a call booked during an answer can leave the window at: between its `time`'s
 * start and finish, plus the window, rounded up. The ledger reads the wall clock and `time` the
 * monotonic one, so each end has 50 ms to spare.
 */
export function windowEnds(time: { start: number; finish: number }, windowSeconds: number): [number, number] {
	return [Math.ceil(time.start + windowSeconds - 0.05), Math.ceil(time.finish + windowSeconds + 0.05)];
}

export function expectBetween(value: number, [low, high]: [number, number]): void {
	expect(Number.isInteger(value)).toBe(true);
	expect(value).toBeGreaterThanOrEqual(low);
	expect(value).toBeLessThanOrEqual(high);
}
