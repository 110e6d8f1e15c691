// Invoice / Confirm through n8n-core's engine against the emulated portal, with the portal's own count
// of the sale.paysystem.pay.invoice calls it applied per invoice (docs/contract.md#confirm).
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { PAY_SYSTEM_NODE_TYPE, runWorkflow } from '../../dev/harness/engine';
import { hintOf } from '../contract/hints';
import { resourceLocator, usePortal, webhookCredentials } from '../support';

const PAY = 'sale.paysystem.pay.invoice';
const READ = 'crm.invoice.get';

/** A provider's callback for a legacy invoice; invoice 10 is 100.00 USD. */
const callback = (invoiceId: number, amount: number | string = 100, transactionId = `inv-${invoiceId}`): IDataObject => ({
	invoiceId,
	transactionId,
	amount,
	currency: 'USD',
});

describe('Invoice / Confirm', () => {
	const portal = usePortal({ webhookScopes: ['pay_system', 'crm', 'sale'] });
	/** A pay system of legacy invoices on the REST handler: pay.invoice takes no other. */
	const invoicePaySystem = () => portal().paySystems.add({ NAME: 'Card (invoices)', ACTION_FILE: 'resthandlercard', ENTITY_REGISTRY_TYPE: 'CRM_INVOICE', PERSON_TYPE_ID: 3 });

	const parameters = (batch: boolean, selector: IDataObject): INodeParameters => ({
		resource: 'invoice',
		operation: 'confirm',
		invoiceId: '={{ $json.invoiceId }}',
		transactionId: '={{ $json.transactionId }}',
		amount: '={{ $json.amount }}',
		currency: '={{ $json.currency }}',
		...selector,
		options: { batch },
	});
	const byId = (id: number) => ({ paySystemBy: 'id', paySystemId: resourceLocator('id', String(id)) });
	const run = (items: IDataObject[], batch: boolean, selector: IDataObject) =>
		runWorkflow({ nodeType: PAY_SYSTEM_NODE_TYPE, parameters: parameters(batch, selector), items, credentials: webhookCredentials(portal().webhookUrl), onError: 'continueRegularOutput' });
	const methodsSent = () => portal().restCalls().map((request) => (request.restMethod === 'batch' ? `batch(${request.batchCommands ?? 0})` : request.restMethod));
	const confirmed = (paySystemId: number | null, bxRestHandler: string | null, status = 'confirmed') => ({
		invoiceId: 10,
		paySystemId,
		bxRestHandler,
		transactionId: 'inv-10',
		sum: 100,
		currency: 'USD',
		status,
	});

	describe.each([true, false])('batch %s', (batch) => {
		it('an unpaid invoice whose amount matches: read, one pay.invoice, read again; confirmed', async () => {
			const id = invoicePaySystem();
			const { output } = await run([callback(10)], batch, byId(id));
			expect(output).toEqual([{ json: confirmed(id, null), pairedItem: { item: 0 } }]);
			expect(portal().invoices.payCalls(10)).toBe(1);
			expect(portal().invoices.get(10)).toMatchObject({ PAYED: 'Y', payment: { PS_INVOICE_ID: 'inv-10', PS_SUM: 100, PS_CURRENCY: 'USD' } });
			expect(methodsSent()).toEqual([READ, PAY, READ]);
		});

		it('by REST handler code: the first pay system of legacy invoices on it; confirmed', async () => {
			invoicePaySystem();
			const { output } = await run([callback(10)], batch, { paySystemBy: 'handler', bxRestHandler: resourceLocator('code', 'resthandlercard') });
			expect(output.map((item) => item.json)).toEqual([confirmed(null, 'resthandlercard')]);
			expect(portal().invoices.payCalls(10)).toBe(1);
		});

		it('a second callback for a paid invoice: the portal names no transaction, so ALREADY_PAID and nothing sent', async () => {
			const id = invoicePaySystem();
			await run([callback(10)], batch, byId(id));
			const { output } = await run([callback(10)], batch, byId(id));
			expect(output.map((item) => item.json)).toEqual([
				{
					error: 'ALREADY_PAID: It is already paid, and the portal does not say by which transaction',
					details: { errorCode: 'ALREADY_PAID', errorDescription: null, httpCode: null, invoiceId: 10, hint: hintOf('ALREADY_PAID') },
				},
			]);
			expect(portal().invoices.payCalls(10)).toBe(1);
		});

		it('another amount: nothing sent, AMOUNT_MISMATCH with expected and received', async () => {
			const id = invoicePaySystem();
			const { output } = await run([callback(10, 150)], batch, byId(id));
			expect(output[0].json).toMatchObject({
				error: 'AMOUNT_MISMATCH: The provider reported 150 USD, the portal expects 100 USD',
				details: { errorCode: 'AMOUNT_MISMATCH', invoiceId: 10, expectedSum: 100, expectedCurrency: 'USD', receivedSum: 150, receivedCurrency: 'USD' },
			});
			expect(portal().invoices.payCalls(10)).toBe(0);
			expect(portal().invoices.get(10)?.PAYED).toBe('N');
		});

		it('a pay system that takes orders, not legacy invoices: the portal refuses, and the invoice stays unpaid', async () => {
			const { output } = await run([callback(10)], batch, byId(11));
			expect(output[0].json).toMatchObject({
				error: 'Bitrix24 error ERROR_PROCESS_REQUEST_RESULT: Pay system not found',
				details: { errorCode: 'ERROR_PROCESS_REQUEST_RESULT', errorDescription: 'Pay system not found', invoiceId: 10 },
			});
			expect(portal().invoices.payCalls(10)).toBe(0);
			expect(portal().invoices.get(10)?.PAYED).toBe('N');
		});

		it('a missing invoice: the portal\'s "Not found" with its empty code is an error item with that text, nothing sent for it', async () => {
			const id = invoicePaySystem();
			// Two items, so that with batch on the reads share one batch request.
			const { output } = await run([callback(404), callback(10)], batch, byId(id));
			expect(output[0].json).toEqual({
				error: 'Bitrix24 error without a code: Not found',
				details: { errorCode: 'UNCODED_ERROR', errorDescription: 'Not found', httpCode: batch ? null : 400, invoiceId: 404, hint: hintOf('UNCODED_ERROR') },
			});
			expect(output[0].pairedItem).toEqual({ item: 0 });
			expect(output[1]).toEqual({ json: confirmed(id, null), pairedItem: { item: 1 } });
			expect([portal().invoices.payCalls(404), portal().invoices.payCalls(10)]).toEqual([0, 1]);
			// The one confirmation left goes as a single call, batch on or off.
			expect(portal().restCalls(PAY).map((call) => Number(call.params.INVOICE_ID))).toEqual([10]);
			if (batch) expect(methodsSent()[0]).toBe('batch(2)');
		});
	});
});
