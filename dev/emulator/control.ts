// What a test sees and changes of a portal's sale data, behind any client's back: Portal.payments,
// Portal.invoices and Portal.paySystems. Nothing here is a REST call: it counts in no log or limit.
import type { InvoicePaymentFields, InvoiceRecord, LegacyInvoice, LegacyInvoices } from './invoices';
import type { PayMethods } from './pay';
import { portalNow, psDataOf } from './pay';
import type { PaymentBook, SalePayment } from './payments';
import type { PaySystem } from './seed';
import type { Mapping, SaleStore, StoredHandler } from './store';

/** The PS_* fields a pay system writes, as sale.paysystem.pay.payment takes them. */
export interface PsRequest {
	PS_INVOICE_ID?: string;
	PS_STATUS_CODE?: string;
	PS_STATUS_DESCRIPTION?: string;
	PS_STATUS_MESSAGE?: string;
	PS_SUM?: number | string;
	PS_CURRENCY?: string;
}

export class PaymentControl {
	constructor(
		private readonly book: PaymentBook,
		private readonly store: SaleStore,
		private readonly payMethods: PayMethods,
	) {}

	/** The payment's record now (a copy): paid, sum, currency, order, pay system and every ps* field. */
	get(paymentId: number): SalePayment | undefined {
		return this.book.record(paymentId);
	}

	/**
	 * Pays the payment as another worker's sale.paysystem.pay.payment would (paid, the PS_* fields written
	 * over), without a REST call: no log entry, and not counted in `payCalls`.
	 */
	pay(paymentId: number, ps: PsRequest = {}): SalePayment {
		const current = this.book.record(paymentId);
		if (current === undefined) throw new RangeError(`The portal has no payment ${paymentId}`);
		const paid: Partial<SalePayment> = current.paid === 'Y' ? {} : { paid: 'Y', datePaid: portalNow(), empPaidId: 1 };
		return this.book.update(paymentId, { ...paid, ...psDataOf(ps as Record<string, unknown>) });
	}

	/** Sets any fields of the payment's record (`{paid: 'N'}` to take a payment back, a sum, a pay system). */
	update(paymentId: number, patch: Partial<SalePayment>): SalePayment {
		return this.book.update(paymentId, patch);
	}

	/** Cancels an order: paying its payments is refused with "Order #<id> canceled" from now on. */
	cancelOrder(orderId: number): void {
		this.store.canceledOrders.add(orderId);
	}

	/** How many sale.paysystem.pay.payment calls for this payment the portal answered `true` (batch commands and lost answers included). */
	payCalls(paymentId: number): number {
		return this.payMethods.paymentCalls.get(paymentId) ?? 0;
	}
}

export class InvoiceControl {
	constructor(
		private readonly invoices: LegacyInvoices,
		private readonly pay: PayMethods,
	) {}

	/** The legacy invoice now (a copy), with what its pay system wrote into its payment under `payment`. */
	get(invoiceId: number): InvoiceRecord | undefined {
		return this.invoices.record(invoiceId);
	}

	update(invoiceId: number, patch: Partial<LegacyInvoice> & { payment?: Partial<InvoicePaymentFields> }): InvoiceRecord {
		return this.invoices.update(invoiceId, patch);
	}

	/** Cancels (declines) the invoice: paying it is refused with "Order #<id> canceled" from now on. */
	cancel(invoiceId: number): InvoiceRecord {
		return this.invoices.update(invoiceId, { STATUS_ID: 'D', CANCELED: 'Y' });
	}

	/** How many sale.paysystem.pay.invoice calls for this invoice the portal answered `true`. */
	payCalls(invoiceId: number): number {
		return this.pay.invoiceCalls.get(invoiceId) ?? 0;
	}
}

export class PaySystemControl {
	constructor(private readonly store: SaleStore) {}

	/** The pay system now (a copy), or undefined. */
	get(paySystemId: number): PaySystem | undefined {
		const found = this.store.paySystem(paySystemId);
		return found === undefined ? undefined : { ...found };
	}

	/**
	 * Adds a pay system without the checks sale.paysystem.add makes, e.g. one for legacy invoices
	 * (`ENTITY_REGISTRY_TYPE: 'CRM_INVOICE'`, payer type 3), which sale.paysystem.pay.invoice needs. Returns its ID.
	 */
	add(fields: Partial<Omit<PaySystem, 'ID'>> & { NAME: string; ACTION_FILE: string }): number {
		return this.store.addPaySystem({
			PSA_NAME: fields.NAME,
			ACTIVE: 'Y',
			SORT: 100,
			DESCRIPTION: '',
			PERSON_TYPE_ID: 1,
			ENTITY_REGISTRY_TYPE: 'ORDER',
			IS_CASH: 'N',
			XML_ID: null,
			...fields,
		});
	}

	/** The REST handler with this code now (a copy), or undefined. */
	handler(code: string): StoredHandler | undefined {
		const found = this.store.handlerByCode(code);
		return found === undefined ? undefined : structuredClone(found);
	}

	/** A setting's mapping for one payer type (0: every payer type), as it is stored, or undefined. */
	setting(paySystemId: number, personTypeId: number, code: string): Mapping | undefined {
		const found = this.store.settings.get(paySystemId)?.get(personTypeId)?.get(code.toUpperCase());
		return found === undefined ? undefined : { ...found };
	}
}
