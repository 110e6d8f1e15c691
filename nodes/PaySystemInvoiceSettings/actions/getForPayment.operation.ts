import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { ItemInput } from '../../shared/bitrix24/run/itemInput';
import { REST_METHODS } from '../../shared/bitrix24/transport/methods';
import { operationOption, paySystemLocator, wholeIdField } from '../../shared/bitrix24/fields/fields';
import type { OutputMode } from './settings';
import { outputModeOf, toOutput } from './settings';
import { singleIdOperation } from '../../shared/bitrix24/run/operation';
import { readSettings } from '../../shared/bitrix24/run/results';

/**
 * Get for Payment (`getForPayment`): the pay system settings of one payment, through
 * `sale.paysystem.settings.payment.get` (docs/contract.md#operations). Payments are how current
 * portals pay smart invoices, deals and orders; the method takes the pay system by ID only.
 */
export const METHOD = REST_METHODS.paymentSettings;

const OPERATION = 'getForPayment';

export const option = operationOption('Get for Payment', OPERATION, 'Get pay system settings for a payment');

export const fields: INodeProperties[] = [
	wholeIdField({
		displayName: 'Payment ID',
		name: 'paymentId',
		show: { operation: [OPERATION] },
		description: 'ID of the payment (of a smart invoice, deal or order), a whole number of 1 or more (an expression may give a number or numeric text)',
		hint: 'Usually mapped from the input, e.g. {{ $json.paymentId }}. The payment must use the pay system chosen below.',
	}),
	paySystemLocator(
		{ operation: [OPERATION] },
		'The list shows the pay systems on a REST handler, the only ones whose settings the portal gives out. Choose By ID to give the ID from the input.',
	),
];

interface Request {
	paymentId: number;
	paySystemId: number;
	outputMode: OutputMode;
}

function plan(input: ItemInput) {
	const request: Request = {
		paymentId: input.wholeId('paymentId', 'Payment ID', { identifies: 'paymentId' }),
		paySystemId: input.wholeId('paySystemId', 'Pay System ID', { locator: true }),
		outputMode: outputModeOf(input),
	};
	const params: IDataObject = { PAYMENT_ID: request.paymentId, PAY_SYSTEM_ID: request.paySystemId };
	return readSettings({ method: METHOD, params }, (settings, time) => ({ items: toItems(request, settings, time) }));
}

/** One payment's settings as output `json`, by its output mode (docs/contract.md#outputs). */
function toItems(request: Request, settings: IDataObject, time: IDataObject | null): IDataObject[] {
	const { paymentId, paySystemId } = request;
	return toOutput(request.outputMode, settings, { paymentId }, { paymentId, paySystemId, settings, time });
}

export const operation = singleIdOperation(OPERATION, 'paymentId', 'payment', plan);
