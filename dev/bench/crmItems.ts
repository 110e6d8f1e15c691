/**
 * The getForCrmItem workload: smart invoices the emulated portal generates (from ID 1000 on, each with
 * its payments on pay systems 11 and 12), and the settings a correct run gets back for each payment.
 */
import { BATCH_LIMIT } from '../../nodes/shared/bitrix24/transport/calls';
import { FIRST_GENERATED_ENTITY, PaymentBook, SMART_INVOICE } from '../emulator/payments';
import type { PortalOptions } from '../emulator/portal';
import { settingsFor } from '../emulator/seed';

export const LIST_METHOD = 'crm.item.payment.list';
export const SETTINGS_METHOD = 'sale.paysystem.settings.payment.get';
export const PAYMENTS_PER_INVOICE = 2;
const MAX_ENTITY_ID = 100_000;

/** What the portal (and the warm-up portal) must hold for this workload. */
export const CRM_ITEM_PORTAL: Pick<PortalOptions, 'maxEntityId' | 'paymentsPerEntity'> = {
	maxEntityId: MAX_ENTITY_ID,
	paymentsPerEntity: PAYMENTS_PER_INVOICE,
};

const book = new PaymentBook(MAX_ENTITY_ID, PAYMENTS_PER_INVOICE);

export function smartInvoiceIds(n: number): number[] {
	if (FIRST_GENERATED_ENTITY + n - 1 > MAX_ENTITY_ID) throw new RangeError(`At most ${MAX_ENTITY_ID - FIRST_GENERATED_ENTITY + 1} smart invoices`);
	return Array.from({ length: n }, (_, index) => FIRST_GENERATED_ENTITY + index);
}

/** One expected output: which input item it belongs to, and the settings of which payment. */
export interface ExpectedSettings {
	item: number;
	entityId: number;
	paymentId: number;
	paySystemId: number;
	settings: Record<string, string>;
}

/** Every payment of every smart invoice, in input order, then the portal's payment order. */
export function expectedSettings(entityIds: number[]): ExpectedSettings[] {
	return entityIds.flatMap((entityId, item) =>
		(book.paymentsOf(SMART_INVOICE, entityId) ?? []).map((payment) => ({
			item,
			entityId,
			paymentId: payment.id,
			paySystemId: payment.paySystemId,
			settings: settingsFor(payment.paySystemId, payment.id),
		})),
	);
}

/** The fewest requests a batching client can send: the lists of 50 smart invoices, then the settings of 50 payments. */
export function minimumBatchRequests(n: number): number {
	return Math.ceil(n / BATCH_LIMIT) + Math.ceil((n * PAYMENTS_PER_INVOICE) / BATCH_LIMIT);
}

/** One list call per smart invoice, one settings call per payment. */
export function naiveRequests(n: number): number {
	return n * (1 + PAYMENTS_PER_INVOICE);
}

/** Compared as JSON text, so key order counts too: the portal's order is part of what it returned. */
export function isSame(left: unknown, right: unknown): boolean {
	return JSON.stringify(left) === JSON.stringify(right);
}

/** Expected outputs missing, out of place or wrong, and extra outputs, all count. */
export function countErrors(expected: ExpectedSettings[], got: Array<{ item: number | undefined; settings: unknown }>): number {
	let correct = 0;
	got.forEach((entry, index) => {
		const wanted = expected[index];
		if (wanted !== undefined && entry.item === wanted.item && isSame(entry.settings, wanted.settings)) correct++;
	});
	return expected.length - correct + Math.max(0, got.length - expected.length);
}
