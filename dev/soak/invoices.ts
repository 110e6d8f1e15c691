/** The `get` soak: item i asks for invoice 1000 + i with one of three pay systems; some IDs are missing or not IDs. */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { METHOD } from '../../nodes/PaySystemInvoiceSettings/actions/get.operation';
import { BATCH_LIMIT } from '../../nodes/shared/bitrix24/transport/calls';
import type { LoggedRequest } from '../emulator/portal';
import { settingsFor } from '../emulator/seed';
import { resourceLocator } from '../harness/fixtures';
import type { Expected, SoakWorkload } from './workload';
import { callsOf } from './workload';

/** Three pay systems on REST handlers: only those have settings a REST caller may read (13, cash, answers ACCESS_DENIED). */
const PAY_SYSTEMS = [11, 12, 14];

/** Item i asks for invoice 1000 + i; every 500th item carries an ID that is not one. */
export function soakItems(count: number): IDataObject[] {
	return Array.from({ length: count }, (_, index) => ({
		invoiceId: index % 500 === 499 ? 'not-an-id' : 1000 + index,
		paySystem: PAY_SYSTEMS[index % PAY_SYSTEMS.length],
	}));
}

/** Invoices the portal does not have: every 101st ID. */
export function missingInvoiceIds(count: number): number[] {
	const ids: number[] = [];
	for (let id = 1000; id < 1000 + count; id++) if (id % 101 === 0) ids.push(id);
	return ids;
}

/** What the contract says item i must come out as. */
function expectedFor(item: IDataObject, missing: ReadonlySet<number>): Expected {
	if (typeof item.invoiceId !== 'number') {
		return {
			ok: false,
			error: `INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got ${JSON.stringify(item.invoiceId)}`,
			details: { errorCode: 'INVALID_PARAMETER', errorDescription: null, httpCode: null, invoiceId: null },
		};
	}
	if (missing.has(item.invoiceId)) {
		return {
			ok: false,
			error: 'Bitrix24 error ERROR_INTERNAL_INVOICE_NOT_FOUND: Invoice not found',
			details: { errorCode: 'ERROR_INTERNAL_INVOICE_NOT_FOUND', errorDescription: 'Invoice not found', httpCode: null, invoiceId: item.invoiceId },
		};
	}
	return { ok: true, outputs: [settingsFor(Number(item.paySystem), item.invoiceId)] };
}

export function invoiceWorkload(count: number): SoakWorkload {
	const items = soakItems(count);
	const missing = missingInvoiceIds(count);
	const missingSet = new Set(missing);
	const validItems = items.filter((item) => typeof item.invoiceId === 'number').length;
	return {
		items,
		parameters: {
			invoiceId: '={{ $json.invoiceId }}',
			paySystemBy: 'id',
			paySystemId: resourceLocator('id', '={{ $json.paySystem }}'),
		} as INodeParameters,
		portal: { missingInvoiceIds: missing },
		expected: items.map((item) => expectedFor(item, missingSet)),
		minimumRequests: Math.ceil(validItems / BATCH_LIMIT),
		callKeys: (request: LoggedRequest) =>
			callsOf(request)
				.filter((call) => call.method === METHOD)
				.map((call) => `invoice ${Number(call.params.INVOICE_ID)}`),
		comparable: (json) => json,
	};
}
