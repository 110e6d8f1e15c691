import type { IDataObject } from 'n8n-workflow';

import { fromBitrixError } from '../../../shared/bitrix24/errors/failures';
import type { NodeOperation } from '../../../shared/bitrix24/fields/fields';
import { operationOption, paySystemLocator, wholeIdField } from '../../../shared/bitrix24/fields/fields';
import type { ItemInput } from '../../../shared/bitrix24/run/itemInput';
import { singleIdOperation } from '../../../shared/bitrix24/run/operation';
import { isRecord } from '../../../shared/bitrix24/transport/answers';
import { REST_METHODS } from '../../../shared/bitrix24/transport/methods';
import type { Held } from '../confirmation';
import { confirmationStep } from '../confirmation';
import { readReported, reportedFields } from '../confirmFields';

/**
 * Payment / Confirm: marks one payment paid through its pay system after the provider reported
 * success, `sale.paysystem.pay.payment`, with `sale.payment.get` before and after it unless Check
 * First is off (docs/contract.md#confirm).
 */
const SHOW = { resource: ['payment'], operation: ['confirm'] };

/** A sale.payment.get answer, `{payment: {...}}`, as far as a confirmation needs it. */
function paymentOf(result: unknown): IDataObject | null {
	return isRecord(result) && isRecord(result.payment) ? (result.payment as IDataObject) : null;
}

function heldBy(result: unknown): Held | null {
	const payment = paymentOf(result);
	const sum = Number(payment?.sum);
	if (payment === null || (payment.paid !== 'Y' && payment.paid !== 'N') || !Number.isFinite(sum)) return null;
	const transaction = payment.psInvoiceId;
	return {
		paid: payment.paid === 'Y',
		transactionId: transaction === null || transaction === undefined || String(transaction).trim() === '' ? null : String(transaction).trim(),
		sum,
		currency: typeof payment.currency === 'string' ? payment.currency : null,
	};
}

function plan(input: ItemInput) {
	const paymentId = input.wholeId('paymentId', 'Payment ID', { identifies: 'paymentId' });
	const paySystemId = input.wholeId('paySystemId', 'Pay System ID', { locator: true });
	const { reported, params, checkFirst } = readReported(input);
	const confirmation = {
		read: { method: REST_METHODS.payment, params: { id: paymentId } },
		held: heldBy,
		// sale.paysystem.pay.payment would refuse it so: say it as the portal does, and send nothing.
		refusal: (result: unknown) => {
			const payment = paymentOf(result);
			if (payment === null || Number(payment.paySystemId) === paySystemId) return null;
			const text = `Payment with ID=${paymentId} and PAY_SYSTEM_ID=${paySystemId} not found`;
			return fromBitrixError({ error: 'ERROR_CHECK_FAILURE', error_description: text }, null, []);
		},
		pay: { method: REST_METHODS.payPayment, params: { PAYMENT_ID: paymentId, PAY_SYSTEM_ID: paySystemId, ...params }, writes: true },
		reported,
	};
	return confirmationStep(confirmation, { paymentId, paySystemId }, checkFirst);
}

export const confirm: NodeOperation = {
	option: operationOption('Confirm', 'confirm', 'Mark a payment paid after the provider reported success', 'Confirm a payment'),
	fields: [
		wholeIdField({
			displayName: 'Payment ID',
			name: 'paymentId',
			show: SHOW,
			description: 'ID of the payment (of a smart invoice, deal or order) the provider was paid for',
			hint: 'Usually mapped from the provider\'s callback, e.g. {{ $json.paymentId }}.',
		}),
		paySystemLocator(SHOW, 'The pay system the payment uses. Choose By ID to give the ID from the input.', 'The pay system the payment is confirmed through (PAY_SYSTEM_ID)'),
		...reportedFields(SHOW, 'payment'),
	],
	operation: { ...singleIdOperation('payment/confirm', 'paymentId', 'payment', plan), exclusive: (ids) => (ids.paymentId === null ? null : `payment ${String(ids.paymentId)}`) },
};
