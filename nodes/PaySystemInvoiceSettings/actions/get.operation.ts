import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { ItemInput } from '../../shared/bitrix24/run/itemInput';
import { REST_METHODS } from '../../shared/bitrix24/transport/methods';
import { handlerLocator, operationOption, paySystemByField, paySystemLocator, wholeIdField } from '../../shared/bitrix24/fields/fields';
import type { OutputMode } from './settings';
import { outputModeOf, toOutput } from './settings';
import { singleIdOperation } from '../../shared/bitrix24/run/operation';
import { readSettings } from '../../shared/bitrix24/run/results';

/**
 * Get (`get`): the pay system settings of a legacy CRM invoice, through
 * `sale.paysystem.settings.invoice.get` (docs/contract.md#the-method). The pay system is chosen by ID
 * or by the code of the REST handler it runs; with a handler, the first pay system using it is read.
 */
export const METHOD = REST_METHODS.invoiceSettings;

const OPERATION = 'get';

export const option = operationOption('Get for Legacy Invoice', OPERATION, 'Get pay system settings for an invoice');

export const fields: INodeProperties[] = [
	{
		displayName:
			'This reads legacy CRM invoices (crm.invoice.*) only. Smart invoices (crm.item, entityTypeId 31) answer "invoice not found": use Get for Smart Invoice or Deal for them.',
		name: 'legacyInvoiceNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: [OPERATION] } },
	},
	wholeIdField({
		displayName: 'Invoice ID',
		name: 'invoiceId',
		show: { operation: [OPERATION] },
		description: 'ID of the legacy CRM invoice, a whole number of 1 or more (an expression may give a number or numeric text)',
		hint: 'Usually mapped from the input, e.g. {{ $json.invoiceId }}. Anything that is not a whole number of 1 or more fails that item without a request.',
	}),
	paySystemByField({ operation: [OPERATION] }, 'How to choose the pay system whose settings are read'),
	paySystemLocator({ operation: [OPERATION], paySystemBy: ['id'] }),
	handlerLocator({ operation: [OPERATION], paySystemBy: ['handler'] }, 'The REST handler (BX_REST_HANDLER); the first pay system using it is read'),
];

/** What one valid input item asks the portal for. */
interface Request {
	invoiceId: number;
	paySystemId: number | null;
	bxRestHandler: string | null;
	outputMode: OutputMode;
}

function plan(input: ItemInput) {
	const invoiceId = input.wholeId('invoiceId', 'Invoice ID', { identifies: 'invoiceId' });
	const byHandler = input.value('paySystemBy', 'Pay System By', 'id') === 'handler';
	const request: Request = {
		invoiceId,
		paySystemId: byHandler ? null : input.wholeId('paySystemId', 'Pay System ID', { locator: true }),
		bxRestHandler: byHandler ? input.handlerCode('bxRestHandler', 'REST Handler Code') : null,
		outputMode: outputModeOf(input),
	};
	// Exactly one pay system selector: the method prefers PAY_SYSTEM_ID when given both.
	const params: IDataObject =
		request.paySystemId !== null
			? { INVOICE_ID: invoiceId, PAY_SYSTEM_ID: request.paySystemId }
			: { INVOICE_ID: invoiceId, BX_REST_HANDLER: request.bxRestHandler };
	return readSettings({ method: METHOD, params }, (settings, time) => ({ items: toItems(request, settings, time) }));
}

/** One item's settings as output `json`, by its output mode (docs/contract.md#outputs). */
function toItems(request: Request, settings: IDataObject, time: IDataObject | null): IDataObject[] {
	const { invoiceId, paySystemId, bxRestHandler } = request;
	return toOutput(request.outputMode, settings, { invoiceId }, { invoiceId, paySystemId, bxRestHandler, settings, time });
}

export const operation = singleIdOperation(OPERATION, 'invoiceId', 'invoice', plan);
