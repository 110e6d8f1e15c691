import type { IDataObject } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/bitrix24/fields/fields';
import { handlerLocator, operationOption, paySystemByField, paySystemLocator, wholeIdField } from '../../../shared/bitrix24/fields/fields';
import type { ItemInput } from '../../../shared/bitrix24/run/itemInput';
import { singleIdOperation } from '../../../shared/bitrix24/run/operation';
import { isRecord } from '../../../shared/bitrix24/transport/answers';
import { REST_METHODS } from '../../../shared/bitrix24/transport/methods';
import type { Held } from '../confirmation';
import { confirmationStep } from '../confirmation';
import { readReported, reportedFields } from '../confirmFields';

/**
 * Invoice / Confirm: marks a legacy CRM invoice paid through a pay system, `sale.paysystem.pay.invoice`,
 * with `crm.invoice.get` before and after it unless Check First is off (docs/contract.md#confirm).
 * Legacy invoices are deprecated by Bitrix24, like sale.paysystem.settings.invoice.get.
 */
const SHOW = { resource: ['invoice'], operation: ['confirm'] };

/** crm.invoice.get's invoice: PAYED, PRICE, CURRENCY; the portal names no transaction, unless a PS_INVOICE_ID is there. */
function heldBy(result: unknown): Held | null {
	const invoice = isRecord(result) ? (result as IDataObject) : null;
	const sum = Number(invoice?.PRICE);
	if (invoice === null || (invoice.PAYED !== 'Y' && invoice.PAYED !== 'N') || !Number.isFinite(sum)) return null;
	const transaction = invoice.PS_INVOICE_ID;
	return {
		paid: invoice.PAYED === 'Y',
		transactionId: typeof transaction === 'string' && transaction.trim() !== '' ? transaction.trim() : typeof transaction === 'number' ? String(transaction) : null,
		sum,
		currency: typeof invoice.CURRENCY === 'string' ? invoice.CURRENCY : null,
	};
}

function plan(input: ItemInput) {
	const invoiceId = input.wholeId('invoiceId', 'Invoice ID', { identifies: 'invoiceId' });
	const byHandler = input.value('paySystemBy', 'Pay System By', 'id') === 'handler';
	const paySystemId = byHandler ? null : input.wholeId('paySystemId', 'Pay System ID', { locator: true });
	const bxRestHandler = byHandler ? input.handlerCode('bxRestHandler', 'REST Handler Code') : null;
	const { reported, params, checkFirst } = readReported(input);
	const selector = paySystemId === null ? { BX_REST_HANDLER: bxRestHandler } : { PAY_SYSTEM_ID: paySystemId };
	const confirmation = {
		read: { method: REST_METHODS.legacyInvoice, params: { id: invoiceId } },
		held: heldBy,
		pay: { method: REST_METHODS.payInvoice, params: { INVOICE_ID: invoiceId, ...selector, ...params }, writes: true },
		reported,
	};
	return confirmationStep(confirmation, { invoiceId, paySystemId, bxRestHandler }, checkFirst);
}

export const confirm: NodeOperation = {
	option: operationOption('Confirm', 'confirm', 'Mark a legacy invoice paid after the provider reported success', 'Confirm a legacy invoice'),
	fields: [
		wholeIdField({
			displayName: 'Invoice ID',
			name: 'invoiceId',
			show: SHOW,
			description: 'ID of the legacy CRM invoice (crm.invoice.*) the provider was paid for',
			hint: 'Usually mapped from the provider\'s callback, e.g. {{ $json.invoiceId }}. Smart invoices are paid through their payments: use Payment > Confirm.',
		}),
		paySystemByField(SHOW, 'How to choose the pay system the invoice is confirmed through'),
		paySystemLocator({ ...SHOW, paySystemBy: ['id'] }, undefined, 'The pay system the invoice is confirmed through (PAY_SYSTEM_ID)'),
		handlerLocator({ ...SHOW, paySystemBy: ['handler'] }, 'The REST handler (BX_REST_HANDLER); the first pay system using it confirms the invoice'),
		...reportedFields(SHOW, 'invoice'),
	],
	operation: { ...singleIdOperation('invoice/confirm', 'invoiceId', 'invoice', plan), exclusive: (ids) => (ids.invoiceId === null ? null : `invoice ${String(ids.invoiceId)}`) },
};
