/**
 * The confirm workload: N unpaid payments, one per generated smart invoice (1000..999+N, its one
 * payment on pay system 11), each seeded with a sum and currency of its own, and a provider's
 * callback per item that names exactly those. A correct run leaves every payment paid by its
 * transaction through exactly one applied sale.paysystem.pay.payment.
 */
import type { IDataObject } from 'n8n-workflow';

import { BATCH_LIMIT } from '../../nodes/shared/bitrix24/transport/calls';
import { FIRST_GENERATED_ENTITY } from '../emulator/payments';
import type { LoggedRequest, Portal, PortalOptions } from '../emulator/portal';

export const READ_METHOD = 'sale.payment.get';
export const PAY_METHOD = 'sale.paysystem.pay.payment';
export const CONFIRM_PAY_SYSTEM_ID = 11;
const MAX_ENTITY_ID = 100_000;
/** A generated smart invoice's first payment: 10,000,000 + entity ID × 10 + 1 (dev/emulator/payments.ts). */
const FIRST_PAYMENT_OFFSET = 10_000_001;
const CURRENCIES = ['USD', 'EUR', 'RUB'] as const;

/** One payment per smart invoice, and a webhook that may read payments (scope `sale`) as the checked path must. */
export const CONFIRM_PORTAL: Pick<PortalOptions, 'maxEntityId' | 'paymentsPerEntity' | 'webhookScopes'> = {
	maxEntityId: MAX_ENTITY_ID,
	paymentsPerEntity: 1,
	webhookScopes: ['pay_system', 'crm', 'sale'],
};

export function confirmPaymentIds(n: number): number[] {
	if (FIRST_GENERATED_ENTITY + n - 1 > MAX_ENTITY_ID) throw new RangeError(`At most ${MAX_ENTITY_ID - FIRST_GENERATED_ENTITY + 1} payments`);
	return Array.from({ length: n }, (_, index) => FIRST_PAYMENT_OFFSET + (FIRST_GENERATED_ENTITY + index) * 10);
}

/** What the provider reported for a payment: its transaction, and the payment's own sum (with cents) and currency. */
export interface Callback extends IDataObject {
	paymentId: number;
	paySystemId: number;
	transactionId: string;
	amount: number;
	currency: string;
}

export function callbackFor(paymentId: number): Callback {
	const index = (paymentId - FIRST_PAYMENT_OFFSET) / 10 - FIRST_GENERATED_ENTITY;
	return {
		paymentId,
		paySystemId: CONFIRM_PAY_SYSTEM_ID,
		transactionId: `txn-${paymentId}`,
		amount: (1_000 + index * 37) / 100,
		currency: CURRENCIES[index % CURRENCIES.length],
	};
}

/** The node's output item for a payment it confirmed. */
export function confirmedOutput(paymentId: number): IDataObject {
	const { paySystemId, transactionId, amount, currency } = callbackFor(paymentId);
	return { paymentId, paySystemId, transactionId, sum: amount, currency, status: 'confirmed' };
}

/** Through the emulator's control API, not REST: unpaid, with the sum and currency its callback names. */
export function seedUnpaid(portal: Portal, ids: number[]): void {
	for (const paymentId of ids) {
		const { amount, currency } = callbackFor(paymentId);
		portal.payments.update(paymentId, { paid: 'N', datePaid: null, empPaidId: null, sum: amount, currency });
	}
}

/** The requests of each step: the reads, the pay.payment calls, and the reads after them. */
export interface ConfirmSteps {
	reads: number;
	pays: number;
	reReads: number;
	other: number;
}

export interface ConfirmCheck {
	steps: ConfirmSteps;
	/** Payments not paid by their transaction, or paid through other than exactly one applied pay.payment. */
	wrongPayments: number;
}

/** A single call's method and the payment it names, or each command's of a batch. */
function callsOf(request: LoggedRequest): Array<{ method: string; paymentId: number }> {
	if (request.restMethod !== 'batch') {
		return [{ method: request.restMethod ?? '', paymentId: Number(request.params.id ?? request.params.PAYMENT_ID) }];
	}
	return Object.values((request.params.cmd ?? {}) as Record<string, string>).map((command) => {
		const [method, query = ''] = command.split('?');
		const params = new URLSearchParams(query);
		return { method, paymentId: Number(params.get('id') ?? params.get('PAYMENT_ID')) };
	});
}

/** A read request is a re-read when it reads a payment that a pay.payment request before it named. */
export function stepsOf(requests: LoggedRequest[]): ConfirmSteps {
	const steps: ConfirmSteps = { reads: 0, pays: 0, reReads: 0, other: 0 };
	const sent = new Set<number>();
	for (const request of requests.filter((entry) => entry.restMethod !== null)) {
		const calls = callsOf(request);
		const methods = new Set(calls.map((call) => call.method));
		if (methods.size === 1 && methods.has(PAY_METHOD)) {
			steps.pays++;
			for (const call of calls) sent.add(call.paymentId);
		} else if (methods.size === 1 && methods.has(READ_METHOD)) {
			if (calls.some((call) => sent.has(call.paymentId))) steps.reReads++;
			else steps.reads++;
		} else {
			steps.other++;
		}
	}
	return steps;
}

export function checkConfirmed(portal: Portal, ids: number[]): ConfirmCheck {
	const wrongPayments = ids.filter((paymentId) => {
		const record = portal.payments.get(paymentId);
		return record?.paid !== 'Y' || record.psInvoiceId !== callbackFor(paymentId).transactionId || portal.payments.payCalls(paymentId) !== 1;
	}).length;
	return { steps: stepsOf(portal.requests), wrongPayments };
}

/** The fewest requests a checked run can send: ceil(N/50) each for the reads, the pay.payment calls and the reads after. */
export function checkedFloor(n: number): number {
	return 3 * Math.ceil(n / BATCH_LIMIT);
}
