// How each operation reads one hostile item between two valid neighbours (hostileInputs.test.ts), and
// the requests a run sends, as the portal receives them.
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { phpUrlDecode } from '../../dev/emulator/php';
import type { Portal } from '../../dev/emulator/portal';
import { SETTINGS, byHandler, byPaySystemId, forCrmItem, forPayment } from '../support';

const METHOD = 'sale.paysystem.settings.invoice.get';
const PAYMENT_METHOD = 'sale.paysystem.settings.payment.get';
const LIST_METHOD = 'crm.item.payment.list';
export const CARD_HANDLER = 'resthandlercard';

/** By pay system ID or REST handler (get), by payment (getForPayment), by smart invoice (getForCrmItem). */
export type Reader = 'id' | 'handler' | 'payment' | 'crmItem';

/** A batch command as the portal's PHP reads it: the method, then each name=value pair of the query, decoded. */
function readCommand(command: string): [string, string[][]] {
	const mark = command.indexOf('?');
	return [command.slice(0, mark), command.slice(mark + 1).split('&').map((pair) => pair.split('=').map(phpUrlDecode))];
}

/** What reached the portal, in order: each request's path and parameters, a batch's commands read as PHP reads them. */
export function wireOf(portal: Portal) {
	return portal.restCalls().map((call) => ({
		path: call.path,
		params: Object.entries(call.params).map(([name, value]) =>
			call.restMethod === 'batch' && name === 'cmd'
				? [name, Object.fromEntries(Object.entries(value as Record<string, string>).map(([key, command]) => [key, readCommand(command)]))]
				: [name, value],
		),
	}));
}

export type Call = [method: string, params: IDataObject];

/** The requests for rounds of calls: with batching, one batch of each round's calls (a lone call goes alone); without, one JSON call each. */
export function expectedWire(portal: Portal, rounds: Call[][], batch: boolean) {
	const base = new URL(portal.webhookUrl).pathname;
	const single = ([method, params]: Call) => ({ path: `${base}${method}.json`, params: Object.entries(params) });
	return rounds.flatMap((calls) => {
		if (!batch || calls.length === 1) return calls.map(single);
		const commands = calls.map(([method, params], index) => [`i${index}`, [method, Object.entries(params).map(([name, value]) => [name, String(value)])]]);
		return [{ path: `${base}batch.json`, params: [['halt', 0], ['cmd', Object.fromEntries(commands)]] }];
	});
}

/** How each operation reads an item: its parameters, its valid neighbours, their output, and the calls of an item, round by round. */
export interface ItemReader {
	parameters(batch: boolean): INodeParameters;
	neighbours: [IDataObject, IDataObject];
	output: IDataObject;
	calls(item: IDataObject): Call[][];
}

export const READERS: Record<Reader, ItemReader> = {
	id: {
		parameters: (batch) => byPaySystemId('={{ $json.paySystemId }}', { batch }),
		neighbours: [{ invoiceId: 10, paySystemId: 11 }, { invoiceId: 11, paySystemId: 11 }],
		output: SETTINGS.card,
		calls: (item) => [[[METHOD, { INVOICE_ID: item.invoiceId, PAY_SYSTEM_ID: 11 }]]],
	},
	handler: {
		parameters: (batch) => byHandler('={{ $json.handler }}', { batch }),
		neighbours: [{ invoiceId: 10, handler: CARD_HANDLER }, { invoiceId: 11, handler: CARD_HANDLER }],
		output: SETTINGS.card,
		calls: (item) => [[[METHOD, { INVOICE_ID: item.invoiceId, BX_REST_HANDLER: item.handler }]]],
	},
	payment: {
		parameters: (batch) => forPayment({ batch }),
		neighbours: [{ paymentId: 501, paySystemId: 11 }, { paymentId: 2001, paySystemId: 11 }],
		output: SETTINGS.card,
		calls: (item) => [[[PAYMENT_METHOD, { PAYMENT_ID: item.paymentId, PAY_SYSTEM_ID: 11 }]]],
	},
	// Smart invoice 6 has one payment, 601, on the bank pay system: its list, then its settings.
	crmItem: {
		parameters: (batch) => forCrmItem({ batch }),
		neighbours: [{ entityTypeId: 31, entityId: 6 }, { entityTypeId: 31, entityId: 6 }],
		output: SETTINGS.bank(601),
		calls: () => [[[LIST_METHOD, { entityTypeId: 31, entityId: 6 }]], [[PAYMENT_METHOD, { PAYMENT_ID: 601, PAY_SYSTEM_ID: 12 }]]],
	},
};
