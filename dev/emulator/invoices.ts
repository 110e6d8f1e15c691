// Legacy CRM invoices (crm.invoice.*, which Bitrix24 has deprecated) and crm.invoice.get (scope crm).
// Invoices 1 to `maxInvoiceId` exist, but for `missingInvoiceIds`; each is read from its ID until
// something changes it (sale.paysystem.pay.invoice, or Portal.invoices), and kept from then on.
import { RestError } from './errors';
import { positiveId } from './params';

/** A legacy invoice as crm.invoice.get gives it: numbers as strings, an empty date as ''. */
export interface LegacyInvoice {
	ID: string;
	ACCOUNT_NUMBER: string;
	ORDER_TOPIC: string;
	STATUS_ID: string;
	PAYED: 'Y' | 'N';
	CANCELED: 'Y' | 'N';
	PRICE: string;
	CURRENCY: string;
	PAY_SYSTEM_ID: string;
	PERSON_TYPE_ID: string;
	DATE_BILL: string;
	DATE_PAYED: string;
	EMP_PAYED_ID: string;
	PAY_VOUCHER_NUM: string;
	PAY_VOUCHER_DATE: string;
	REASON_MARKED: string;
}

/** What the pay system wrote into the invoice's payment: crm.invoice.get does not show it. */
export interface InvoicePaymentFields {
	PS_STATUS: string;
	PS_STATUS_CODE: string;
	PS_STATUS_DESCRIPTION: string;
	PS_STATUS_MESSAGE: string;
	PS_INVOICE_ID: string | null;
	PS_SUM: number | null;
	PS_CURRENCY: string;
	PS_RESPONSE_DATE: string | null;
}

export type InvoiceRecord = LegacyInvoice & { payment: InvoicePaymentFields };

/**
 * The invoice an ID names: its sum is 100 times (ID mod 5, plus 1) US dollars, payer type 3 (a contact),
 * pay system 11, not paid. Its account number is what the bank pay system's PAYMENT_ID setting gives.
 */
function generated(id: number): InvoiceRecord {
	return {
		ID: String(id),
		ACCOUNT_NUMBER: `INV-${id}`,
		ORDER_TOPIC: `Invoice ${id}`,
		STATUS_ID: 'N',
		PAYED: 'N',
		CANCELED: 'N',
		PRICE: `${100 * ((id % 5) + 1)}.00`,
		CURRENCY: 'USD',
		PAY_SYSTEM_ID: '11',
		PERSON_TYPE_ID: '3',
		DATE_BILL: '2026-05-18T00:00:00+03:00',
		DATE_PAYED: '',
		EMP_PAYED_ID: '',
		PAY_VOUCHER_NUM: '',
		PAY_VOUCHER_DATE: '',
		REASON_MARKED: '',
		payment: { PS_STATUS: '', PS_STATUS_CODE: '', PS_STATUS_DESCRIPTION: '', PS_STATUS_MESSAGE: '', PS_INVOICE_ID: null, PS_SUM: null, PS_CURRENCY: '', PS_RESPONSE_DATE: null },
	};
}

export class LegacyInvoices {
	private readonly changed = new Map<number, InvoiceRecord>();

	constructor(
		private readonly maxInvoiceId: number,
		private readonly missingInvoiceIds: ReadonlySet<number>,
	) {}

	exists(id: number | null): id is number {
		return id !== null && id <= this.maxInvoiceId && !this.missingInvoiceIds.has(id);
	}

	/** The invoice's record as it is now (a copy), or undefined when there is none. */
	record(id: number | null): InvoiceRecord | undefined {
		if (!this.exists(id)) return undefined;
		return structuredClone(this.changed.get(id) ?? generated(id));
	}

	update(id: number, patch: Partial<LegacyInvoice> & { payment?: Partial<InvoicePaymentFields> }): InvoiceRecord {
		const current = this.record(id);
		if (current === undefined) throw new RangeError(`The portal has no invoice ${id}`);
		const next: InvoiceRecord = { ...current, ...patch, ID: current.ID, payment: { ...current.payment, ...(patch.payment ?? {}) } };
		this.changed.set(id, next);
		return structuredClone(next);
	}

	/** crm.invoice.get: `id`; the CRM's proxy answers an unusable ID and a missing invoice with an empty code. */
	get(params: Record<string, unknown>): Omit<LegacyInvoice, 'CANCELED'> {
		const id = positiveId(params.id ?? params.ID);
		if (id === null) throw new RestError(400, '', 'ID is not defined or invalid.');
		const found = this.record(id);
		if (found === undefined) throw new RestError(400, '', 'Not found');
		const { payment: _payment, CANCELED: _canceled, ...invoice } = found;
		return invoice;
	}
}
