// The operations whose runs the secrets sweep (secrets.test.ts) searches, and where in each run it aims
// the portal's faults and echoes: every call, or the calls of a later step only.
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { FaultMix } from '../../dev/emulator/faults';
import type { FaultRule, Portal } from '../../dev/emulator/portal';
import { byPaySystemId, forCrmItem, forPayment, invoices, smartInvoices } from '../support';

export const METHOD = 'sale.paysystem.settings.invoice.get';
export const PAYMENT_METHOD = 'sale.paysystem.settings.payment.get';
export const LIST_METHOD = 'crm.item.payment.list';

/**
 * An operation whose runs the sweep searches: its parameters, the items it reads, and the calls the
 * portal's faults and echoes are aimed at. Every REST call of the run unless `target` names a method
 * whose calls come after `batchesBefore` batch requests of an earlier step.
 */
export interface SweptOperation {
	name: string;
	parameters(options: IDataObject): INodeParameters;
	/** `count` items the portal answers with settings. */
	valid(count: number): IDataObject[];
	/** Items the portal fails on its own, and one that is never sent. */
	failing: IDataObject[];
	/** The method the echo names for a single call, and the parameters it shows. */
	method: string;
	query: string;
	target?: { method: string; batchesBefore: number };
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, index) => from + index);
const repeat = (item: IDataObject, count: number) => Array.from({ length: count }, () => ({ ...item }));

export const SWEPT_OPERATIONS: SweptOperation[] = [
	{
		name: 'get',
		parameters: (options) => byPaySystemId(11, options),
		valid: (count) => invoices(...range(10, count)),
		failing: invoices(404, 'bad'),
		method: METHOD,
		query: 'INVOICE_ID=10',
	},
	{
		// Payment 502 is not on pay system 11; payment 1001's order is lost.
		name: 'getForPayment',
		parameters: (options) => forPayment(options, 11),
		valid: (count) => repeat({ paymentId: 501 }, count),
		failing: [{ paymentId: 502 }, { paymentId: 1001 }, { paymentId: 'bad' }],
		method: PAYMENT_METHOD,
		query: 'PAYMENT_ID=501&PAY_SYSTEM_ID=11',
	},
	{
		// Smart invoice 99 is unknown (code 0), 7 has no payment.
		name: 'getForCrmItem, listing the payments',
		parameters: forCrmItem,
		valid: (count) => smartInvoices(...Array(count).fill(6)),
		failing: smartInvoices(99, 7, 'bad'),
		method: LIST_METHOD,
		query: 'entityTypeId=31&entityId=6',
	},
	{
		// Smart invoice 10's payment has lost its order, 8's is on the cash pay system.
		name: "getForCrmItem, reading each payment's settings",
		parameters: forCrmItem,
		valid: (count) => smartInvoices(...Array(count).fill(6)),
		failing: smartInvoices(10, 8, 'bad'),
		method: PAYMENT_METHOD,
		query: 'PAYMENT_ID=601&PAY_SYSTEM_ID=12',
		target: { method: PAYMENT_METHOD, batchesBefore: 1 },
	},
];

/**
 * The portal answers the operation's targeted calls this way (every REST call unless it has a
 * target): single calls of the targeted method, and every batch after those of the earlier step.
 */
export function aimAt(portal: Portal, operation: SweptOperation, batch: boolean, response: FaultRule['response']): void {
	const target = operation.target;
	if (target === undefined) {
		portal.addFault({ response });
		return;
	}
	if (batch) portal.addFault({ restMethod: 'batch', skip: target.batchesBefore, response });
	portal.addFault({ restMethod: target.method, response });
}

/** A fault mix aimed at the operation's targeted calls: inside a batch only by its commands (`commands`). */
export function aimedMix(operation: SweptOperation, batch: boolean, mix: FaultMix, commands: boolean): FaultMix {
	const target = operation.target;
	return target !== undefined && (commands || !batch) ? { ...mix, restMethods: [target.method] } : mix;
}

/** The methods of the requests the portal received, a batch's commands included. */
export function methodsOf(portal: Portal): string[] {
	return portal.restCalls().flatMap((call) => {
		const commands = call.params.cmd;
		if (call.restMethod !== 'batch' || typeof commands !== 'object' || commands === null) return [String(call.restMethod)];
		return Object.values(commands).map((command) => String(command).split('?')[0]);
	});
}
