import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { invalidResponse, paymentNotFound } from '../../shared/bitrix24/errors/failures';
import type { ItemInput } from '../../shared/bitrix24/run/itemInput';
import { describeValue, parsePositiveId } from '../../shared/bitrix24/run/itemInput';
import type { Operation, Step } from '../../shared/bitrix24/run/operation';
import { allSteps } from '../../shared/bitrix24/run/operation';
import type { Bitrix24Outcome } from '../../shared/bitrix24/transport/answers';
import { isRecord } from '../../shared/bitrix24/transport/answers';
import { REST_METHODS } from '../../shared/bitrix24/transport/methods';
import { operationOption, wholeIdField } from '../../shared/bitrix24/fields/fields';
import type { OutputMode } from './settings';
import { outputModeOf, toOutput } from './settings';
import { readSettings } from '../../shared/bitrix24/run/results';

/**
 * Get for Smart Invoice or Deal (`getForCrmItem`): the pay system settings of every payment of a CRM
 * object (docs/contract.md#operations). Two steps, each batched across the run's items: the payments
 * from `crm.item.payment.list` (following `next`), then `sale.paysystem.settings.payment.get` per payment.
 */
export const LIST_METHOD = REST_METHODS.crmItemPayments;

const OPERATION = 'getForCrmItem';

/** The CRM object types whose payments are read, by entityTypeId. */
const ENTITY_TYPES: Readonly<Record<number, string>> = { 31: 'smart invoice', 2: 'deal' };

type PaymentFilter = 'all' | 'unpaid';

export const option = operationOption(
	'Get for Smart Invoice or Deal',
	OPERATION,
	'Get pay system settings for every payment of a smart invoice or deal',
	'Get pay system settings for the payments of a smart invoice or deal',
);

export const fields: INodeProperties[] = [
	{
		displayName: 'Entity Type',
		name: 'entityTypeId',
		type: 'options',
		options: [
			{ name: 'Invoice', value: 31, description: 'A smart invoice (entityTypeId 31)' },
			{ name: 'Deal', value: 2, description: 'A deal (entityTypeId 2)' },
		],
		default: 31,
		displayOptions: { show: { operation: [OPERATION] } },
		description: 'The kind of CRM object whose payments are read',
	},
	wholeIdField({
		displayName: 'Entity ID',
		name: 'entityId',
		show: { operation: [OPERATION] },
		description: 'ID of the smart invoice or deal, a whole number of 1 or more (an expression may give a number or numeric text)',
		hint: 'Usually mapped from the input, e.g. {{ $json.id }}. Every payment of the object is read, each with its own pay system.',
	}),
];

/** A payment as crm.item.payment.list lists it. */
interface Payment {
	id: number;
	accountNumber: unknown;
	paid: unknown;
	sum: unknown;
	currency: unknown;
	paySystemId: number;
	paySystemName: unknown;
}

interface Request {
	entityTypeId: number;
	entityId: number;
	payments: PaymentFilter;
	outputMode: OutputMode;
}

function toPayment(entry: unknown): Payment | null {
	if (!isRecord(entry)) return null;
	const id = Number(entry.id);
	const paySystemId = Number(entry.paySystemId);
	if (!Number.isInteger(id) || id < 1 || !Number.isInteger(paySystemId) || paySystemId < 0) return null;
	const { accountNumber, paid, sum, currency, paySystemName } = entry;
	return { id, accountNumber, paid, sum, currency, paySystemId, paySystemName };
}

function plan(input: ItemInput): Step {
	const rawType = input.value('entityTypeId', 'Entity Type', 31);
	// The same shapes an ID may take: a number, or digits as text.
	const entityTypeId = parsePositiveId(rawType);
	if (entityTypeId === null || !Object.prototype.hasOwnProperty.call(ENTITY_TYPES, entityTypeId)) {
		return input.refuse(`Entity Type must be 31 (smart invoice) or 2 (deal); got ${describeValue(rawType)}`);
	}
	input.ids.entityTypeId = entityTypeId;
	const request: Request = {
		entityTypeId,
		entityId: input.wholeId('entityId', 'Entity ID', { identifies: 'entityId' }),
		payments: input.option<PaymentFilter>('payments', 'Payments', 'all', ['all', 'unpaid']),
		outputMode: outputModeOf(input),
	};
	return listPayments(request, [], 0);
}

/** Step one: a page of the object's payments; the next page, or step two, follows. */
function listPayments(request: Request, found: Payment[], start: number): Step {
	const params: IDataObject = { entityTypeId: request.entityTypeId, entityId: request.entityId };
	if (start > 0) params.start = start;
	return {
		calls: [{ method: LIST_METHOD, params }],
		next: ([answer]: Bitrix24Outcome[]) => {
			if (!answer.ok) return { failure: answer.failure };
			const page = Array.isArray(answer.result) ? answer.result.map(toPayment) : null;
			if (page === null || page.includes(null)) {
				return { failure: invalidResponse(answer.httpCode, `The Bitrix24 portal listed payments that are not ${LIST_METHOD} entries`) };
			}
			const payments = [...found, ...(page as Payment[])];
			// A page that adds nothing ends the list, whatever `next` says.
			if (answer.next !== undefined && page.length > 0) return listPayments(request, payments, answer.next);
			const wanted = request.payments === 'unpaid' ? payments.filter((payment) => payment.paid === 'N') : payments;
			if (wanted.length === 0) {
				const what = request.payments === 'unpaid' ? 'no unpaid payment' : 'no payment';
				return { failure: paymentNotFound(`The ${ENTITY_TYPES[request.entityTypeId]} ${request.entityId} has ${what}`) };
			}
			return readEverySettings(request, wanted);
		},
	};
}

/** Step two: every payment's settings; one failing payment fails the item, and none of its payments is emitted. */
function readEverySettings(request: Request, payments: Payment[]): Step {
	const steps = payments.map((payment) =>
		readSettings({ method: REST_METHODS.paymentSettings, params: { PAYMENT_ID: payment.id, PAY_SYSTEM_ID: payment.paySystemId } }, (settings, time) => ({
			items: toItems(request, payment, settings, time),
		})),
	);
	return allSteps(steps, (done) => {
		const items: IDataObject[] = [];
		for (const [index, step] of done.entries()) {
			if ('failure' in step) return { ...step, ids: { paymentId: payments[index].id } };
			items.push(...step.items);
		}
		return { items };
	});
}

/** One payment's settings as output `json`, by its output mode (docs/contract.md#outputs). */
function toItems(request: Request, payment: Payment, settings: IDataObject, time: IDataObject | null): IDataObject[] {
	const { entityTypeId, entityId } = request;
	const { id: paymentId, accountNumber, paid, sum, currency, paySystemId, paySystemName } = payment;
	const full = { entityTypeId, entityId, paymentId, accountNumber, paid, sum, currency, paySystemId, paySystemName, settings, time };
	return toOutput(request.outputMode, settings, { entityId, paymentId }, full as IDataObject);
}

export const operation: Operation = {
	value: OPERATION,
	ids: { entityTypeId: null, entityId: null },
	subject: (ids) =>
		ids.entityTypeId === null || ids.entityId === null ? null : `${ENTITY_TYPES[Number(ids.entityTypeId)]} ${String(ids.entityId)}`,
	noSubject: 'no valid smart invoice or deal ID',
	plan,
};
