// The payments of smart invoices and deals, and the two methods that read them:
// crm.item.payment.list (scope crm) and sale.paysystem.settings.payment.get (scope pay_system).
// Seeded and generated payments are read from the seed until something changes one; from then on the
// portal keeps the changed record (pay.ts pays them, Portal.payments changes them behind a client's back).
import { errors, RestError } from './errors';
import { isGiven, positiveId } from './params';
import { PAY_SYSTEMS } from './seed';
import { SaleStore } from './store';

export const SMART_INVOICE = 31;
export const DEAL = 2;

/** A payment as crm.item.payment.list lists it, with the order the portal keeps it in. */
export interface Payment {
	id: number;
	accountNumber: string;
	paid: 'Y' | 'N';
	datePaid: string | null;
	empPaidId: number | null;
	paySystemId: number;
	sum: number;
	currency: string;
	paySystemName: string;
	orderId: number;
}

/** What the pay system wrote into a payment: the PS_* fields, camelCase as sale.payment.get gives them. */
export interface PsFields {
	psStatus: string;
	psStatusCode: string;
	psStatusDescription: string;
	psStatusMessage: string;
	psInvoiceId: string | null;
	psSum: number | null;
	psCurrency: string;
	psResponseDate: string | null;
	payVoucherDate: string | null;
}

/** A payment's whole record: what the list shows, its order, and what its pay system wrote into it. */
export type SalePayment = Payment & PsFields;

/** A payment no pay system has answered for yet. */
export const NO_PS_FIELDS: Readonly<PsFields> = Object.freeze({
	psStatus: '',
	psStatusCode: '',
	psStatusDescription: '',
	psStatusMessage: '',
	psInvoiceId: null,
	psSum: null,
	psCurrency: '',
	psResponseDate: null,
	payVoucherDate: null,
});

const LISTED_FIELDS = ['id', 'accountNumber', 'paid', 'datePaid', 'empPaidId', 'paySystemId', 'sum', 'currency', 'paySystemName', 'orderId'] as const;

/** crm.item.payment.list answers at most this many payments a page; `next` says where the rest start. */
export const PAYMENTS_PAGE = 50;

/** Objects from this ID up are generated: each has `paymentsPerEntity` payments (2 by default). */
export const FIRST_GENERATED_ENTITY = 1000;

/** An order the portal has lost: its payment's settings answer ERROR_INTERNAL_ORDER_NOT_FOUND. */
export const LOST_ORDER_ID = 9999;

function payment(id: number, entityId: number, position: number, paySystemId: number, paid: 'Y' | 'N', orderId = entityId + 100000): Payment {
	const paySystem = PAY_SYSTEMS.find((entry) => entry.ID === paySystemId);
	return {
		id,
		accountNumber: `${entityId}/${position}`,
		paid,
		datePaid: paid === 'Y' ? '2026-05-20T12:32:02+03:00' : null,
		empPaidId: paid === 'Y' ? 1 : null,
		paySystemId,
		sum: 100 * position,
		currency: 'USD',
		paySystemName: paySystem?.NAME ?? '',
		orderId,
	};
}

/**
 * The seeded objects, by `<entityTypeId>:<entityId>`. Smart invoice 5 has a paid card payment and an
 * unpaid bank one; 6 one unpaid payment; 7 none; 8 a cash payment (a built-in handler); 9 55 payments
 * (two pages); 10 a payment whose order is lost. Deal 20 has two payments, one on the second shop's
 * card pay system; deal 21 none.
 */
const SEEDED: ReadonlyMap<string, readonly Payment[]> = new Map([
	[`${SMART_INVOICE}:5`, [payment(501, 5, 1, 11, 'Y'), payment(502, 5, 2, 12, 'N')]],
	[`${SMART_INVOICE}:6`, [payment(601, 6, 1, 12, 'N')]],
	[`${SMART_INVOICE}:7`, []],
	[`${SMART_INVOICE}:8`, [payment(801, 8, 1, 13, 'N')]],
	[`${SMART_INVOICE}:9`, Array.from({ length: 55 }, (_, index) => payment(901 + index, 9, index + 1, index % 2 === 0 ? 11 : 12, index % 3 === 0 ? 'Y' : 'N'))],
	[`${SMART_INVOICE}:10`, [payment(1001, 10, 1, 11, 'N', LOST_ORDER_ID)]],
	[`${DEAL}:20`, [payment(2001, 20, 1, 11, 'Y'), payment(2002, 20, 2, 14, 'N')]],
	[`${DEAL}:21`, []],
]);

/** Generated payment IDs: a smart invoice's from 10,000,000 up, a deal's from 500,000,000 up. */
function generatedPaymentId(entityTypeId: number, entityId: number, position: number): number {
	return (entityTypeId === DEAL ? 500_000_000 : 10_000_000) + entityId * 10 + position;
}

export class PaymentBook {
	/** The payments changed since the portal started, by ID: these records win over the seed. */
	private readonly changed = new Map<number, SalePayment>();

	constructor(
		private readonly maxEntityId: number,
		private readonly paymentsPerEntity: number,
		private readonly store: SaleStore = new SaleStore(),
	) {}

	/** An object's payments, or null when it does not exist. */
	paymentsOf(entityTypeId: number, entityId: number): readonly Payment[] | null {
		return this.seededPaymentsOf(entityTypeId, entityId)?.map((entry) => this.listed(this.changed.get(entry.id) ?? entry)) ?? null;
	}

	/** A payment's whole record as it is now, or undefined when the portal has none with that ID. */
	record(paymentId: number): SalePayment | undefined {
		const changed = this.changed.get(paymentId);
		if (changed !== undefined) return { ...changed };
		const seeded = this.findPayment(paymentId);
		return seeded === undefined ? undefined : { ...seeded, ...NO_PS_FIELDS };
	}

	/** Changes a payment's record; the list and every read show the change from now on. */
	update(paymentId: number, patch: Partial<SalePayment>): SalePayment {
		const current = this.record(paymentId);
		if (current === undefined) throw new RangeError(`The portal has no payment ${paymentId}`);
		const next = { ...current, ...patch, id: current.id };
		this.changed.set(paymentId, next);
		return { ...next };
	}

	private listed(entry: Payment): Payment {
		const row: Record<string, unknown> = {};
		for (const field of LISTED_FIELDS) row[field] = entry[field];
		return row as unknown as Payment;
	}

	private seededPaymentsOf(entityTypeId: number, entityId: number): readonly Payment[] | null {
		const seeded = SEEDED.get(`${entityTypeId}:${entityId}`);
		if (seeded !== undefined) return seeded;
		if ((entityTypeId !== SMART_INVOICE && entityTypeId !== DEAL) || entityId < FIRST_GENERATED_ENTITY || entityId > this.maxEntityId) {
			return null;
		}
		return Array.from({ length: this.paymentsPerEntity }, (_, index) =>
			payment(generatedPaymentId(entityTypeId, entityId, index + 1), entityId, index + 1, index % 2 === 0 ? 11 : 12, index % 2 === 0 ? 'Y' : 'N'),
		);
	}

	private findPayment(paymentId: number): Payment | undefined {
		for (const payments of SEEDED.values()) {
			const found = payments.find((entry) => entry.id === paymentId);
			if (found !== undefined) return found;
		}
		const deal = paymentId >= 500_000_000;
		const local = paymentId - (deal ? 500_000_000 : 10_000_000);
		const entityId = Math.floor(local / 10);
		const position = local % 10;
		if (local < 0 || position < 1) return undefined;
		return this.seededPaymentsOf(deal ? DEAL : SMART_INVOICE, entityId)?.[position - 1];
	}

	/**
	 * crm.item.payment.list: the object's payments, 50 a page from `start`. Its errors carry numeric
	 * codes, as Bitrix24's crm.item.* controllers send them: 100 for a missing field, 0 for the rest.
	 */
	list(params: Record<string, unknown>): { result: Payment[]; next?: number; total: number } {
		if (!isGiven(params.entityTypeId) || !isGiven(params.entityId)) {
			throw new RestError(400, 100, 'Required fields: entityTypeId, entityId');
		}
		const entityTypeId = positiveId(params.entityTypeId);
		const entityId = positiveId(params.entityId);
		const payments = entityTypeId === null || entityId === null ? null : this.paymentsOf(entityTypeId, entityId);
		// The portal checks read access to the object first: one it cannot find is one the user may not read.
		if (payments === null) throw new RestError(400, 0, 'Access denied');
		const start = positiveId(params.start) ?? 0;
		const page = payments.slice(start, start + PAYMENTS_PAGE).map(({ orderId: _orderId, ...listed }) => listed as Payment);
		const next = start + PAYMENTS_PAGE < payments.length ? start + PAYMENTS_PAGE : undefined;
		return { result: page, ...(next === undefined ? {} : { next }), total: payments.length };
	}

	/** sale.paysystem.settings.payment.get, with Bitrix24 core's checks in its order. */
	settings(params: Record<string, unknown>): Record<string, string> {
		if (!isGiven(params.PAY_SYSTEM_ID)) throw errors.checkFailure('Empty field PAY_SYSTEM_ID!');
		if (!isGiven(params.PAYMENT_ID)) throw errors.checkFailure('Empty field PAYMENT_ID');
		const paySystem = this.store.paySystem(positiveId(params.PAY_SYSTEM_ID));
		if (paySystem === undefined) throw errors.checkFailure('Pay system not found');
		assertRestHandler(this.store, paySystem.ACTION_FILE);
		const paymentId = positiveId(params.PAYMENT_ID);
		const found = paymentId === null ? undefined : this.record(paymentId);
		if (found === undefined || found.paySystemId !== paySystem.ID) {
			throw errors.checkFailure(`Payment with ID=${String(params.PAYMENT_ID)} and PAY_SYSTEM_ID=${String(params.PAY_SYSTEM_ID)} not found`);
		}
		if (found.orderId === LOST_ORDER_ID) throw errors.orderNotFound(found.orderId);
		// The seeded settings are all strings; a code without a value would be null, as on the portal.
		return this.store.values(paySystem, 0, found.id) as Record<string, string>;
	}
}

/** Only a pay system on a REST handler has settings a REST caller may read. */
export function assertRestHandler(store: SaleStore, actionFile: string): void {
	if (!store.isRestHandler(actionFile)) throw errors.accessDenied();
}
