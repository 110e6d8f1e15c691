/**
 * The fields and item values both confirmations share: the provider's transaction, amount and currency,
 * and the options sent with them (docs/contract.md#confirm).
 */
import type { IDataObject, IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { describeValue } from '../../shared/bitrix24/run/itemInput';
import type { ItemInput } from '../../shared/bitrix24/run/itemInput';
import type { Reported } from './confirmation';

// PS_INVOICE_ID is a 250-character column.
const MAX_TRANSACTION_LENGTH = 250;
const CONTROL_CHARACTER = /[\p{Cc}\p{Zl}\p{Zp}]/u;

/** Transaction ID, Amount and Currency, shown for the given resource's Confirm. */
export function reportedFields(show: IDisplayOptions['show'], subject: string): INodeProperties[] {
	return [
		{
			displayName: 'Transaction ID',
			name: 'transactionId',
			type: 'string',
			required: true,
			default: '',
			displayOptions: { show },
			description: `The payment provider's ID of the transaction that paid the ${subject} (sent as PS_INVOICE_ID)`,
			hint: 'Usually mapped from the provider\'s callback, e.g. {{ $json.transactionId }}. A repeated callback with the same ID confirms nothing twice.',
		},
		{
			displayName: 'Amount',
			name: 'amount',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0 },
			displayOptions: { show },
			description: `The amount the provider took (sent as PS_SUM). With Check First, it must equal the ${subject}'s sum. 0 or empty: not sent, not compared.`,
		},
		{
			displayName: 'Currency',
			name: 'currency',
			type: 'string',
			default: '',
			placeholder: 'e.g. USD',
			displayOptions: { show },
			description: `The currency the provider took (sent as PS_CURRENCY). With Check First, it must equal the ${subject}'s currency. Empty: not sent, not compared.`,
		},
	];
}

/** The options of both confirmations, inside the node's Options collection. */
export const CONFIRM_OPTIONS: INodeProperties[] = [
	{
		displayName: 'Check First',
		name: 'checkFirst',
		type: 'boolean',
		default: true,
		displayOptions: { show: { '/operation': ['confirm'] } },
		description: 'Whether to read the payment or invoice first and send nothing when it is already paid or the amount differs. Off: confirm without reading (needs no "sale" scope).',
	},
	...(
		[
			['Status Code', 'statusCode', 'PS_STATUS_CODE'],
			['Status Description', 'statusDescription', 'PS_STATUS_DESCRIPTION'],
			['Status Message', 'statusMessage', 'PS_STATUS_MESSAGE'],
		] as const
	).map(([displayName, name, field]): INodeProperties => ({
		displayName,
		name,
		type: 'string',
		default: '',
		displayOptions: { show: { '/operation': ['confirm'] } },
		description: `The provider's ${displayName.toLowerCase()} of the transaction (sent as ${field})`,
	})),
];

/** What the provider reported, checked, and the PS_* parameters it is sent as. */
export function readReported(input: ItemInput): { reported: Reported; params: IDataObject; checkFirst: boolean } {
	const rawTransaction = input.value('transactionId', 'Transaction ID', '');
	const transactionId = typeof rawTransaction === 'number' && Number.isFinite(rawTransaction) ? String(rawTransaction) : typeof rawTransaction === 'string' ? rawTransaction.trim() : '';
	if (transactionId === '' || [...transactionId].length > MAX_TRANSACTION_LENGTH || CONTROL_CHARACTER.test(transactionId)) {
		input.refuse(`Transaction ID must be text of 1 to ${MAX_TRANSACTION_LENGTH} characters without line breaks; got ${describeValue(rawTransaction)}`);
	}
	const rawAmount = input.value('amount', 'Amount', 0);
	const amount = rawAmount === null || rawAmount === undefined || rawAmount === '' || rawAmount === 0 ? null : Number(typeof rawAmount === 'string' ? rawAmount.trim() : rawAmount);
	if (amount !== null && (!Number.isFinite(amount) || amount < 0 || typeof rawAmount === 'boolean')) {
		input.refuse(`Amount must be a number of 0 or more; got ${describeValue(rawAmount)}`);
	}
	const rawCurrency = input.value('currency', 'Currency', '');
	const currency = typeof rawCurrency === 'string' && rawCurrency.trim() !== '' ? rawCurrency.trim() : null;
	if (rawCurrency !== null && rawCurrency !== undefined && typeof rawCurrency !== 'string') input.refuse(`Currency must be text; got ${describeValue(rawCurrency)}`);
	if (currency !== null && !/^[A-Za-z]{3}$/.test(currency)) input.refuse(`Currency must be a three-letter code such as USD; got ${describeValue(rawCurrency)}`);
	const options = input.value('options', 'Options', {}) as IDataObject;
	const text = (name: string) => (typeof options[name] === 'string' && (options[name] as string).trim() !== '' ? (options[name] as string).trim() : undefined);
	const params: IDataObject = {
		PS_INVOICE_ID: transactionId,
		PS_SUM: amount ?? undefined,
		PS_CURRENCY: currency ?? undefined,
		PS_STATUS_CODE: text('statusCode'),
		PS_STATUS_DESCRIPTION: text('statusDescription'),
		PS_STATUS_MESSAGE: text('statusMessage'),
	};
	for (const key of Object.keys(params)) if (params[key] === undefined) delete params[key];
	return { reported: { transactionId, amount, currency }, params, checkFirst: options.checkFirst !== false };
}
