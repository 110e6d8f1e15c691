// What the contract expects of runs of the payment operations: the seeded payments, the output and
// error items they give, and the requests they send. Shared by the payment tests of this folder.
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { Portal } from '../../dev/emulator/portal';
import type { OnError } from '../../dev/harness/engine';
import { hintOf } from '../contract/hints';
import { SETTINGS, webhookCredentials } from '../support';

export const PAYMENT_METHOD = 'sale.paysystem.settings.payment.get';
export const LIST_METHOD = 'crm.item.payment.list';
export const SCOPE_REFUSAL = 'The request requires higher privileges than provided by the webhook token';
export const hint = (code: string) => hintOf(code);
// `time` is the portal's clock: the items are exact but for it, and it is the portal's time object.
export const TIME = expect.objectContaining({ date_start: expect.any(String), operating: expect.any(Number), operating_reset_at: expect.any(Number) });
export const range = (from: number, count: number) => Array.from({ length: count }, (_, index) => from + index);

/** One run of the node: its parameters, items, error setting and credential (the portal's full webhook unless given). */
export interface Run {
	parameters: INodeParameters;
	items: IDataObject[];
	onError?: OnError;
	credentials?: ReturnType<typeof webhookCredentials>;
}

/** The settings each seeded REST pay system keeps for a payment. */
export function settingsOf(paySystemId: number, paymentId: number): IDataObject {
	return ({ 11: SETTINGS.card, 12: SETTINGS.bank(paymentId), 14: SETTINGS.cardSecondShop } as Record<number, IDataObject>)[paySystemId];
}

/** The seeded payments, as crm.item.payment.list lists them. */
export const PAYMENT: Record<number, { accountNumber: string; paid: 'Y' | 'N'; sum: number; paySystemId: number; paySystemName: string }> = {
	501: { accountNumber: '5/1', paid: 'Y', sum: 100, paySystemId: 11, paySystemName: 'Card payment (REST)' },
	502: { accountNumber: '5/2', paid: 'N', sum: 200, paySystemId: 12, paySystemName: 'Bank transfer (REST)' },
	601: { accountNumber: '6/1', paid: 'N', sum: 100, paySystemId: 12, paySystemName: 'Bank transfer (REST)' },
	2001: { accountNumber: '20/1', paid: 'Y', sum: 100, paySystemId: 11, paySystemName: 'Card payment (REST)' },
	2002: { accountNumber: '20/2', paid: 'N', sum: 200, paySystemId: 14, paySystemName: 'Card payment, second shop' },
};

/** The `settings` output of a payment, paired with its input item. */
export const settingsItem = (paymentId: number, item: number, paySystemId = PAYMENT[paymentId].paySystemId) => ({
	json: settingsOf(paySystemId, paymentId),
	pairedItem: { item },
});

/** An error item's json: the message naming the code, and the details with the ids and the code's hint. */
export function errorJson(error: string, errorCode: string, errorDescription: string | null, httpCode: number | null, ids: IDataObject): IDataObject {
	return { error, details: { errorCode, errorDescription, httpCode, ...ids, hint: hint(errorCode) } };
}
export const portalError = (code: string, text: string, httpCode: number | null, ids: IDataObject) => errorJson(`Bitrix24 error ${code}: ${text}`, code, text, httpCode, ids);
export const localError = (code: string, text: string, ids: IDataObject) => errorJson(`${code}: ${text}`, code, null, null, ids);

/** What reached the portal, in order: a single call as {method: params}, a batch as {batch: commands}. */
export const wireOf = (portal: Portal) =>
	portal.restCalls().map((call) => (call.restMethod === 'batch' ? { batch: call.params.cmd } : { [String(call.restMethod)]: call.params }));

export type Call = [method: string, params: IDataObject];
export const listCall = (entityTypeId: number, entityId: number, start?: number): Call => [
	LIST_METHOD,
	start === undefined ? { entityTypeId, entityId } : { entityTypeId, entityId, start },
];
export const settingsCall = (paymentId: number, paySystemId = PAYMENT[paymentId]?.paySystemId): Call => [
	PAYMENT_METHOD,
	{ PAYMENT_ID: paymentId, PAY_SYSTEM_ID: paySystemId },
];

/**
 * The requests for rounds of calls (docs/contract.md#wire-format): with batching, each round in
 * batches of up to 50 commands keyed i0, i1, ... (a lone call goes as a single call); without, one
 * single call each.
 */
export function wireFor(batch: boolean, ...rounds: Call[][]): unknown[] {
	const single = ([method, params]: Call) => ({ [method]: params });
	const command = ([method, params]: Call) => `${method}?${Object.entries(params).map(([name, value]) => `${name}=${String(value)}`).join('&')}`;
	return rounds.flatMap((calls) => {
		if (!batch) return calls.map(single);
		const groups = range(0, Math.ceil(calls.length / 50)).map((index) => calls.slice(index * 50, index * 50 + 50));
		return groups.map((group) => (group.length === 1 ? single(group[0]) : { batch: Object.fromEntries(group.map((call, index) => [`i${index}`, command(call)])) }));
	});
}
