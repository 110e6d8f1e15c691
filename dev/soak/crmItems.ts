/**
 * The `getForCrmItem` soak: item i asks for generated smart invoice 1000 + i (2 payments each), a few
 * for seeded objects that page, have no payment or fail on one payment, some for objects the portal
 * does not have, some with values that are not IDs. Each item's outcome comes from the emulator's own
 * payment book, so every (input item, payment) is checked against the portal's data.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { LIST_METHOD } from '../../nodes/PaySystemInvoiceSettings/actions/getForCrmItem.operation';
import { METHOD as SETTINGS_METHOD } from '../../nodes/PaySystemInvoiceSettings/actions/getForPayment.operation';
import { BATCH_LIMIT } from '../../nodes/shared/bitrix24/transport/calls';
import { describeErrorCode } from '../../nodes/shared/bitrix24/errors/codes';
import { RestError } from '../emulator/errors';
import { normalizeMethodName } from '../emulator/params';
import type { Payment } from '../emulator/payments';
import { DEAL, FIRST_GENERATED_ENTITY, PaymentBook, SMART_INVOICE } from '../emulator/payments';
import type { LoggedRequest } from '../emulator/portal';
import type { Expected, SoakWorkload } from './workload';
import { callsOf } from './workload';

const PAYMENTS_PER_ENTITY = 2;
const TYPE_NAMES: Readonly<Record<number, string>> = { [SMART_INVOICE]: 'smart invoice', [DEAL]: 'deal' };
/** What stands in for the `time` of a `full` output item: timing is not compared, only that it is there. */
const TIME = 'a time object';

/**
 * Seeded objects, each met once, by item position: 55 payments on two pages, no payment, a cash
 * payment (ACCESS_DENIED), a lost order, a deal with two payments, a deal with none.
 */
const SEEDED_AT: ReadonlyMap<number, readonly [entityTypeId: number, entityId: number]> = new Map([
	[23, [SMART_INVOICE, 9]],
	[123, [SMART_INVOICE, 7]],
	[223, [SMART_INVOICE, 8]],
	[323, [SMART_INVOICE, 10]],
	[423, [DEAL, 20]],
	[523, [DEAL, 21]],
]);

/** The portal's generated smart invoices end at 999 + count: every 101st item asks for one past that. */
export function crmSoakItems(count: number): IDataObject[] {
	return Array.from({ length: count }, (_, index) => {
		if (index % 500 === 499) return { entityTypeId: SMART_INVOICE, entityId: 'not-an-id' };
		if (index % 500 === 249) return { entityTypeId: 7, entityId: FIRST_GENERATED_ENTITY + index };
		const seeded = SEEDED_AT.get(index);
		if (seeded !== undefined) return { entityTypeId: seeded[0], entityId: seeded[1] };
		const entityId = FIRST_GENERATED_ENTITY + index;
		return { entityTypeId: SMART_INVOICE, entityId: entityId % 101 === 0 ? entityId + count : entityId };
	});
}

/** One call an item makes, in the runner's round it goes out in. */
interface PlannedCall {
	key: string;
	round: number;
}

/** Where an item ends: its outputs, or a failure; a portal's failure names the call it came from. */
type Ending =
	| { ok: true; outputs: IDataObject[] }
	| { ok: false; code: string; description: string | null; message: string; ids: IDataObject; from?: { call: PlannedCall; status: number } };

interface ItemPlan {
	calls: PlannedCall[];
	ending: Ending;
}

const listKey = (entityTypeId: unknown, entityId: unknown, start: unknown) => `list ${Number(entityTypeId)}:${Number(entityId)}:${Number(start ?? 0)}`;
const paymentKey = (paymentId: unknown, paySystemId: unknown) => `payment ${Number(paymentId)}:${Number(paySystemId)}`;

function local(code: string, text: string, ids: IDataObject): Ending {
	return { ok: false, code, description: null, message: `${code}: ${text}`, ids };
}

function fromPortal(error: unknown, call: PlannedCall, ids: IDataObject): Ending {
	if (!(error instanceof RestError)) throw error;
	const code = String(error.code);
	return { ok: false, code, description: error.description, message: `Bitrix24 error ${code}: ${error.description}`, ids, from: { call, status: error.status } };
}

/** One payment's output `json` by output mode (docs/contract.md#outputs). */
function outputsOf(mode: string, entityTypeId: number, entityId: number, payment: Payment, settings: Record<string, string>): IDataObject[] {
	if (mode === 'keyValue') return Object.entries(settings).map(([code, value]) => ({ entityId, paymentId: payment.id, code, value }));
	if (mode !== 'full') return [settings];
	const { id: paymentId, accountNumber, paid, sum, currency, paySystemId, paySystemName } = payment;
	return [{ entityTypeId, entityId, paymentId, accountNumber, paid, sum, currency, paySystemId, paySystemName, settings, time: TIME }];
}

/** What the runner does with one item against a portal without faults: its calls, round by round, and its ending. */
function planItem(item: IDataObject, book: PaymentBook, mode: string): ItemPlan {
	const entityTypeId = item.entityTypeId as number;
	if (TYPE_NAMES[entityTypeId] === undefined) {
		return { calls: [], ending: local('INVALID_PARAMETER', `Entity Type must be 31 (smart invoice) or 2 (deal); got ${entityTypeId}`, { entityTypeId: null, entityId: null }) };
	}
	if (typeof item.entityId !== 'number') {
		const text = `Entity ID must be a whole number from 1 to 2147483647; got ${JSON.stringify(item.entityId)}`;
		return { calls: [], ending: local('INVALID_PARAMETER', text, { entityTypeId, entityId: null }) };
	}
	const entityId = item.entityId;
	const ids = { entityTypeId, entityId };
	const calls: PlannedCall[] = [];
	const payments: Payment[] = [];
	let round = 0;
	for (let start: number | undefined = 0; start !== undefined; round++) {
		const call = { key: listKey(entityTypeId, entityId, start), round };
		calls.push(call);
		try {
			const page = book.list({ entityTypeId, entityId, ...(start > 0 ? { start } : {}) });
			payments.push(...page.result);
			start = page.result.length > 0 ? page.next : undefined;
		} catch (error) {
			return { calls, ending: fromPortal(error, call, ids) };
		}
	}
	if (payments.length === 0) return { calls, ending: local('PAYMENT_NOT_FOUND', `The ${TYPE_NAMES[entityTypeId]} ${entityId} has no payment`, ids) };
	let ending: Ending | null = null;
	const outputs: IDataObject[] = [];
	for (const payment of payments) {
		const call = { key: paymentKey(payment.id, payment.paySystemId), round };
		calls.push(call);
		try {
			outputs.push(...outputsOf(mode, entityTypeId, entityId, payment, book.settings({ PAYMENT_ID: payment.id, PAY_SYSTEM_ID: payment.paySystemId })));
		} catch (error) {
			// Every payment's call goes out; the first that fails fails the item.
			ending ??= fromPortal(error, call, { ...ids, paymentId: payment.id });
		}
	}
	return { calls, ending: ending ?? { ok: true, outputs } };
}

/**
 * The runner's rounds: every item's first calls in input order, then every item's next ones, each
 * round cut into batches of 50. A batch of one goes as a single call: its failure keeps its HTTP status.
 */
function expectationsOf(plans: ItemPlan[]): { expected: Expected[]; minimumRequests: number } {
	const rounds: PlannedCall[][] = [];
	for (const plan of plans) for (const call of plan.calls) (rounds[call.round] ??= []).push(call);
	const sentAlone = new Set<PlannedCall>();
	for (const round of rounds) if (round.length % BATCH_LIMIT === 1) sentAlone.add(round[round.length - 1]);
	const expected = plans.map(({ ending }): Expected => {
		if (ending.ok) return ending;
		const httpCode = ending.from !== undefined && sentAlone.has(ending.from.call) ? ending.from.status : null;
		const details = { errorCode: ending.code, errorDescription: ending.description, httpCode, paymentId: undefined, ...ending.ids };
		return { ok: false, error: ending.message, details: { ...details, hint: describeErrorCode(ending.code).hint } };
	});
	return { expected, minimumRequests: rounds.reduce((sum, round) => sum + Math.ceil(round.length / BATCH_LIMIT), 0) };
}

function keysOf(request: LoggedRequest): string[] {
	return callsOf(request).flatMap(({ method, params }) => {
		if (method === normalizeMethodName(LIST_METHOD)) return [listKey(params.entityTypeId, params.entityId, params.start)];
		if (method === normalizeMethodName(SETTINGS_METHOD)) return [paymentKey(params.PAYMENT_ID, params.PAY_SYSTEM_ID)];
		return [];
	});
}

export function crmItemWorkload(count: number, options: IDataObject): SoakWorkload {
	const items = crmSoakItems(count);
	const portal = { maxEntityId: FIRST_GENERATED_ENTITY + count - 1, paymentsPerEntity: PAYMENTS_PER_ENTITY };
	const book = new PaymentBook(portal.maxEntityId, portal.paymentsPerEntity);
	const mode = typeof options.outputMode === 'string' ? options.outputMode : 'settings';
	const { expected, minimumRequests } = expectationsOf(items.map((item) => planItem(item, book, mode)));
	return {
		items,
		parameters: { operation: 'getForCrmItem', entityTypeId: '={{ $json.entityTypeId }}', entityId: '={{ $json.entityId }}' } as INodeParameters,
		portal,
		expected,
		minimumRequests,
		callKeys: keysOf,
		comparable: (json) => (mode === 'full' && 'time' in json ? { ...json, time: typeof json.time === 'object' && json.time !== null ? TIME : json.time } : json),
	};
}
