// Paying through a pay system, as a REST handler does once its provider reported a payment:
// sale.paysystem.pay.payment and sale.paysystem.pay.invoice (scope pay_system), and reading a payment
// with sale.payment.get (scope sale). The checks, codes and texts are Bitrix24's
// (Sale\PaySystem\RestService::payPayment/payInvoice, Service::processRequest, RestHandler::processRequest,
// Sale\Controller\Payment::getAction): a call that passes the checks marks the payment paid and writes the
// request's PS_* fields over the payment's, every time, paid before or not; the amount is never compared.
import { errors, RestError } from './errors';
import type { Caller } from './errors';
import type { LegacyInvoices } from './invoices';
import { isEmpty, isSet, upperKeysDeep } from './paySystemAdmin';
import { positiveId } from './params';
import type { PaymentBook, PsFields, SalePayment } from './payments';
import { LOST_ORDER_ID } from './payments';
import type { PaySystem } from './seed';
import type { SaleStore } from './store';

/** Now as the portal writes a date and time: ISO 8601 in the portal's zone (UTC+3). */
export function portalNow(): string {
	const shifted = new Date(Date.now() + 3 * 3600 * 1000);
	return `${shifted.toISOString().slice(0, 19)}+03:00`;
}

/** Today as the portal writes a date. */
function portalToday(): string {
	return `${portalNow().slice(0, 10)}T00:00:00+03:00`;
}

/** PHP truthiness of a request value: missing, null, '', '0', 0 and false are not given. */
function given(value: unknown): boolean {
	return !(value === undefined || value === null || value === '' || value === '0' || value === 0 || value === false);
}

/**
 * RestHandler::getPsData: PS_STATUS 'Y', PS_STATUS_CODE 'Y' unless the request names one, the response
 * date now; PS_INVOICE_ID, PS_STATUS_DESCRIPTION, PS_STATUS_MESSAGE, PS_SUM and PS_CURRENCY when the
 * request gives them (a field it leaves out keeps what the payment had).
 */
export function psDataOf(params: Record<string, unknown>): Partial<PsFields> {
	const data: Partial<PsFields> = { psStatus: 'Y', psStatusCode: 'Y', psResponseDate: portalNow(), payVoucherDate: portalToday() };
	if (given(params.PS_INVOICE_ID)) data.psInvoiceId = String(params.PS_INVOICE_ID);
	if (given(params.PS_STATUS_CODE)) data.psStatusCode = String(params.PS_STATUS_CODE);
	if (given(params.PS_STATUS_DESCRIPTION)) data.psStatusDescription = String(params.PS_STATUS_DESCRIPTION);
	if (given(params.PS_STATUS_MESSAGE)) data.psStatusMessage = String(params.PS_STATUS_MESSAGE);
	if (given(params.PS_SUM)) data.psSum = Number(params.PS_SUM);
	if (given(params.PS_CURRENCY)) data.psCurrency = String(params.PS_CURRENCY);
	return data;
}

const processFailure = (text: string) => errors.sale('ERROR_PROCESS_REQUEST_RESULT', text);

export class PayMethods {
	/** sale.paysystem.pay.payment calls the portal answered `true`, by payment ID (batch commands too). */
	readonly paymentCalls = new Map<number, number>();
	/** sale.paysystem.pay.invoice calls the portal answered `true`, by invoice ID. */
	readonly invoiceCalls = new Map<number, number>();

	constructor(
		private readonly store: SaleStore,
		private readonly payments: PaymentBook,
		private readonly invoices: LegacyInvoices,
	) {}

	/** sale.paysystem.pay.payment: PAYMENT_ID, PAY_SYSTEM_ID and the PS_* fields. */
	payPayment(raw: Record<string, unknown>, caller: Caller): true {
		const params = upperKeysDeep(raw);
		if (isEmpty(params.PAY_SYSTEM_ID)) throw errors.checkFailure('Empty field PAY_SYSTEM_ID!');
		const paySystem = this.store.paySystem(params.PAY_SYSTEM_ID);
		if (paySystem === undefined) throw errors.checkFailure('Pay system not found');
		if (isEmpty(params.PAYMENT_ID)) throw errors.checkFailure('Empty field PAYMENT_ID');
		const paymentId = positiveId(params.PAYMENT_ID);
		const found = paymentId === null ? undefined : this.payments.record(paymentId);
		if (found === undefined || found.paySystemId !== paySystem.ID) {
			throw errors.checkFailure(`Payment with ID=${String(params.PAYMENT_ID)} and PAY_SYSTEM_ID=${String(params.PAY_SYSTEM_ID)} not found`);
		}
		this.processPayment(paySystem, found, params, caller);
		this.paymentCalls.set(found.id, (this.paymentCalls.get(found.id) ?? 0) + 1);
		return true;
	}

	/**
	 * Service::processRequest for a payment: a pay system on a built-in handler takes no request and
	 * answers success with nothing changed; a lost or canceled order is refused; otherwise the payment is paid.
	 */
	private processPayment(paySystem: PaySystem, payment: SalePayment, params: Record<string, unknown>, caller: Caller): void {
		if (!this.store.isRestHandler(paySystem.ACTION_FILE)) return;
		if (payment.orderId === LOST_ORDER_ID) throw processFailure(`Order #${payment.orderId} does not exist`);
		if (this.store.canceledOrders.has(payment.orderId)) throw processFailure(`Order #${payment.orderId} canceled`);
		const paid: Partial<SalePayment> = payment.paid === 'Y' ? {} : { paid: 'Y', datePaid: portalNow(), empPaidId: caller.userId };
		this.payments.update(payment.id, { ...paid, ...psDataOf(params) });
	}

	/**
	 * sale.paysystem.pay.invoice: INVOICE_ID and PAY_SYSTEM_ID or BX_REST_HANDLER. The invoice is paid
	 * through the pay system of legacy invoices (ENTITY_REGISTRY_TYPE CRM_INVOICE) the call names, whatever
	 * pay system the invoice names.
	 */
	payInvoice(raw: Record<string, unknown>, caller: Caller): true {
		const params = upperKeysDeep(raw);
		if (!isSet(params.BX_REST_HANDLER) && !isSet(params.PAY_SYSTEM_ID)) throw errors.checkFailure('Empty field BX_REST_HANDLER and PAY_SYSTEM_ID');
		if (isSet(params.PAY_SYSTEM_ID) && this.store.paySystem(params.PAY_SYSTEM_ID) === undefined) {
			throw errors.checkFailure(`Pay system with ID=${String(params.PAY_SYSTEM_ID)} not found`);
		}
		if (isSet(params.BX_REST_HANDLER) && this.store.handlerByCode(params.BX_REST_HANDLER) === undefined) {
			throw errors.checkFailure('Incorrect rest handler code');
		}
		if (isEmpty(params.INVOICE_ID)) throw errors.checkFailure('Empty field INVOICE_ID!');
		const invoiceId = positiveId(params.INVOICE_ID);
		const invoice = this.invoices.record(invoiceId);
		if (invoiceId === null || invoice === undefined) {
			throw errors.sale('ERROR_INTERNAL_INVOICE_NOT_FOUND', `Invoice #${String(params.INVOICE_ID)} not found`);
		}
		const paySystem = this.store.paySystems.find(
			(entry) =>
				entry.ENTITY_REGISTRY_TYPE === 'CRM_INVOICE' &&
				(isSet(params.PAY_SYSTEM_ID) ? entry.ID === Number(params.PAY_SYSTEM_ID) : entry.ACTION_FILE === String(params.BX_REST_HANDLER)),
		);
		if (paySystem === undefined) throw processFailure('Pay system not found');
		if (this.store.isRestHandler(paySystem.ACTION_FILE)) {
			if (invoice.CANCELED === 'Y') throw processFailure(`Order #${invoiceId} canceled`);
			const ps = psDataOf(params);
			const paid = invoice.PAYED === 'Y' ? {} : { PAYED: 'Y' as const, STATUS_ID: 'P', DATE_PAYED: portalNow(), EMP_PAYED_ID: String(caller.userId) };
			this.invoices.update(invoiceId, {
				...paid,
				PAY_VOUCHER_DATE: ps.payVoucherDate ?? '',
				payment: {
					PS_STATUS: 'Y',
					PS_STATUS_CODE: ps.psStatusCode ?? 'Y',
					PS_RESPONSE_DATE: ps.psResponseDate ?? null,
					...(ps.psInvoiceId === undefined ? {} : { PS_INVOICE_ID: ps.psInvoiceId }),
					...(ps.psStatusDescription === undefined ? {} : { PS_STATUS_DESCRIPTION: ps.psStatusDescription }),
					...(ps.psStatusMessage === undefined ? {} : { PS_STATUS_MESSAGE: ps.psStatusMessage }),
					...(ps.psSum === undefined ? {} : { PS_SUM: ps.psSum }),
					...(ps.psCurrency === undefined ? {} : { PS_CURRENCY: ps.psCurrency }),
				},
			});
		}
		this.invoiceCalls.set(invoiceId, (this.invoiceCalls.get(invoiceId) ?? 0) + 1);
		return true;
	}

	/**
	 * sale.payment.get: `id`. The sale controller reads the sale module's rights first (the sales manager
	 * has none: 200040300010), then the payment; its errors carry numeric codes.
	 */
	getPayment(params: Record<string, unknown>, caller: Caller): { payment: Record<string, unknown> } {
		if (!caller.admin) throw new RestError(400, 200040300010, 'Access Denied');
		if (!isSet(params.id)) throw new RestError(400, 100, 'Could not find value for parameter {id}');
		const id = positiveId(params.id);
		const found = id === null ? undefined : this.payments.record(id);
		if (found === undefined) throw new RestError(400, 200640400001, 'payment is not exists');
		return { payment: this.externalized(found) };
	}

	/** A payment as sale.payment.get gives it: every field camelCase, keys in the portal's order. */
	private externalized(payment: SalePayment): Record<string, unknown> {
		const paySystem = this.store.paySystem(payment.paySystemId);
		return {
			accountNumber: payment.accountNumber,
			comments: '',
			companyId: null,
			currency: payment.currency,
			dateBill: '2026-05-18T10:00:00+03:00',
			dateMarked: null,
			datePaid: payment.datePaid,
			datePayBefore: null,
			dateResponsibleId: '2026-05-18T10:00:00+03:00',
			empMarkedId: null,
			empPaidId: payment.empPaidId,
			empResponsibleId: 1,
			empReturnId: null,
			externalPayment: 'N',
			id: payment.id,
			id1c: '',
			isReturn: 'N',
			marked: 'N',
			orderId: payment.orderId,
			paid: payment.paid,
			payReturnComment: '',
			payReturnDate: null,
			payReturnNum: '',
			paySystemId: payment.paySystemId,
			paySystemIsCash: paySystem?.IS_CASH ?? 'N',
			paySystemName: payment.paySystemName,
			paySystemXmlId: paySystem?.XML_ID ?? '',
			payVoucherDate: payment.payVoucherDate,
			payVoucherNum: '',
			priceCod: '0',
			psCurrency: payment.psCurrency,
			psInvoiceId: payment.psInvoiceId,
			psResponseDate: payment.psResponseDate,
			psStatus: payment.psStatus,
			psStatusCode: payment.psStatusCode,
			psStatusDescription: payment.psStatusDescription,
			psStatusMessage: payment.psStatusMessage,
			psSum: payment.psSum,
			reasonMarked: '',
			responsibleId: 1,
			sum: payment.sum,
			updated1c: 'N',
			version1c: '',
			xmlId: `bx_${payment.id}`,
		};
	}
}
