// Payment / Confirm through n8n-core's engine against the emulated portal, with the portal's own count
// of the sale.paysystem.pay.payment calls it applied per payment (docs/contract.md#confirm).
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { PAY_SYSTEM_NODE_TYPE, runWorkflow } from '../../dev/harness/engine';
import { confirmPayment, usePortal, webhookCredentials } from '../support';

const PAY = 'sale.paysystem.pay.payment';
const READ = 'sale.payment.get';

function confirmParameters(batch: boolean, options: IDataObject = {}): INodeParameters {
	return confirmPayment({ batch, ...options });
}

/** A provider's callback for payment 502 (200 USD on pay system 12) or another. */
const callback = (paymentId = 502, transactionId = `txn-${paymentId}`, amount = 200, paySystemId = 12): IDataObject => ({
	paymentId,
	paySystemId,
	transactionId,
	amount,
	currency: 'USD',
});

const confirmed = (paymentId: number, item: number, status = 'confirmed', sum = 200) => ({
	json: { paymentId, paySystemId: 12, transactionId: `txn-${paymentId}`, sum, currency: 'USD', status },
	pairedItem: { item },
});

/** Payment 502's error item when another transaction paid it than txn-502, the one the item reports. */
const paidByOther = (paidTransactionId: string) => ({
	error: `PAID_BY_OTHER_TRANSACTION: It is already paid by transaction ${paidTransactionId}, not by txn-502`,
	details: {
		errorCode: 'PAID_BY_OTHER_TRANSACTION',
		errorDescription: null,
		httpCode: null,
		paymentId: 502,
		transactionId: 'txn-502',
		paidTransactionId,
		hint: 'The payment is already paid by another transaction of the provider: the customer may have paid twice. Nothing was sent. Compare the two transaction IDs with the provider, and refund one.',
	},
});

describe('Payment / Confirm', () => {
	const portal = usePortal({ webhookScopes: ['pay_system', 'crm', 'sale'] });
	const run = (items: IDataObject[], batch: boolean, options: IDataObject = {}) =>
		runWorkflow({ nodeType: PAY_SYSTEM_NODE_TYPE, parameters: confirmParameters(batch, options), items, credentials: webhookCredentials(portal().webhookUrl), onError: 'continueRegularOutput' });
	const methodsSent = () =>
		portal()
			.restCalls()
			.map((request) => (request.restMethod === 'batch' ? `batch(${request.batchCommands ?? 0})` : request.restMethod));

	describe.each([true, false])('batch %s', (batch) => {
		it('an unpaid payment whose amount matches: read, one pay.payment, read again; confirmed', async () => {
			const { output } = await run([callback()], batch);
			expect(output).toEqual([confirmed(502, 0)]);
			expect(portal().payments.payCalls(502)).toBe(1);
			expect(portal().payments.get(502)).toMatchObject({ paid: 'Y', psInvoiceId: 'txn-502', psSum: 200, psCurrency: 'USD' });
			expect(methodsSent()).toEqual([READ, PAY, READ]);
		});

		it('a repeated callback: nothing sent the second time, alreadyConfirmed; the record names the first transaction', async () => {
			await run([callback()], batch);
			const { output } = await run([callback()], batch);
			expect(output).toEqual([confirmed(502, 0, 'alreadyConfirmed')]);
			expect(portal().payments.payCalls(502)).toBe(1);
			expect(portal().payments.get(502)?.psInvoiceId).toBe('txn-502');
		});

		it('paid by another transaction: nothing sent, PAID_BY_OTHER_TRANSACTION with both IDs', async () => {
			portal().payments.pay(502, { PS_INVOICE_ID: 'txn-FIRST' });
			const { output } = await run([callback()], batch);
			expect(output[0].json).toEqual(paidByOther('txn-FIRST'));
			expect(portal().payments.payCalls(502)).toBe(0);
		});

		it('another amount: nothing sent, AMOUNT_MISMATCH with expected and received', async () => {
			const { output } = await run([callback(502, 'txn-502', 150)], batch);
			expect(output[0].json).toMatchObject({
				error: 'AMOUNT_MISMATCH: The provider reported 150 USD, the portal expects 200 USD',
				details: { errorCode: 'AMOUNT_MISMATCH', paymentId: 502, expectedSum: 200, expectedCurrency: 'USD', receivedSum: 150, receivedCurrency: 'USD' },
			});
			expect(portal().payments.payCalls(502)).toBe(0);
		});

		it('a payment on another pay system: ERROR_CHECK_FAILURE as the portal words it, nothing sent', async () => {
			const { output } = await run([callback(502, 'txn-502', 200, 11)], batch);
			expect(output[0].json).toMatchObject({
				error: 'Bitrix24 error ERROR_CHECK_FAILURE: Payment with ID=502 and PAY_SYSTEM_ID=11 not found',
				details: { errorCode: 'ERROR_CHECK_FAILURE', errorDescription: 'Payment with ID=502 and PAY_SYSTEM_ID=11 not found', paymentId: 502 },
			});
			expect(portal().payments.payCalls(502)).toBe(0);
		});

		it('the portal applied the confirmations and their answer was lost: read again, one pay.payment per payment, confirmed', async () => {
			// The request that carries the confirmations: the second batch, or the first pay.payment.
			portal().addFault({ restMethod: batch ? 'batch' : PAY, skip: batch ? 1 : 0, times: 1, response: { lostAnswer: 'reset' } });
			const { output } = await run([callback(502), callback(601, 'txn-601', 100)], batch);
			expect(output).toEqual([confirmed(502, 0), confirmed(601, 1, 'confirmed', 100)]);
			expect([portal().payments.payCalls(502), portal().payments.payCalls(601)]).toEqual([1, 1]);
			expect(methodsSent()).toEqual(batch ? ['batch(2)', 'batch(2)', 'batch(2)'] : [READ, READ, PAY, PAY, READ, READ]);
		});

		it('a transaction that replaced ours after the write: PAID_BY_OTHER_TRANSACTION', async () => {
			const replaced = { payment: { id: 502, paid: 'Y', paySystemId: 12, sum: 200, currency: 'USD', psInvoiceId: 'txn-LATER' } };
			// One item goes as single calls, batch or not: the read after the write answers with another transaction.
			portal().addFault({ restMethod: READ, skip: 1, times: 1, response: { status: 200, json: { result: replaced, time: {} } } });
			const { output } = await run([callback()], batch);
			expect(output[0].json).toMatchObject({
				error: 'PAID_BY_OTHER_TRANSACTION: It is already paid by transaction txn-LATER, not by txn-502',
				details: { errorCode: 'PAID_BY_OTHER_TRANSACTION', transactionId: 'txn-502', paidTransactionId: 'txn-LATER' },
			});
			expect(portal().payments.payCalls(502)).toBe(1);
		});

		it('Check First off: one pay.payment and no read; the portal\'s answer reported', async () => {
			const { output } = await run([callback()], batch, { checkFirst: false });
			expect(output).toEqual([confirmed(502, 0)]);
			expect(methodsSent()).toEqual([PAY]);
			expect(portal().payments.payCalls(502)).toBe(1);
		});

		it('two executions confirming the same payments at once in one process: one pay.payment per payment', async () => {
			const items = [callback(502), callback(601, 'txn-601', 100)];
			const [first, second] = await Promise.all([run(items, batch), run(items, batch)]);
			expect([portal().payments.payCalls(502), portal().payments.payCalls(601)]).toEqual([1, 1]);
			const statuses = [...first.output, ...second.output].map((item) => `${String(item.json.paymentId)} ${String(item.json.status)}`).sort();
			expect(statuses).toEqual(['502 alreadyConfirmed', '502 confirmed', '601 alreadyConfirmed', '601 confirmed']);
		});

		it('the same payment twice in one run: one pay.payment, the second item alreadyConfirmed', async () => {
			const { output } = await run([callback(502), callback(502)], batch);
			expect(output).toEqual([confirmed(502, 0), confirmed(502, 1, 'alreadyConfirmed')]);
			expect(portal().payments.payCalls(502)).toBe(1);
		});
	});

	it('batch on, several payments: a transaction that replaced ours between the write and the read after it is PAID_BY_OTHER_TRANSACTION with both IDs', async () => {
		// A generated payment of 200 USD on pay system 12, as 502 is.
		const OTHER = 10_010_002;
		// The third batch (the reads after the confirmations) waits a while; meanwhile another worker pays 502 by its own transaction.
		portal().addFault({ restMethod: 'batch', skip: 2, times: 1, response: { delayMs: 2000 } });
		const running = run([callback(502), callback(601, 'txn-601', 100), callback(OTHER)], true);
		while (portal().restCalls('batch').length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
		portal().payments.pay(502, { PS_INVOICE_ID: 'txn-LATER' });
		const { output } = await running;
		expect(output[0]).toEqual({ json: paidByOther('txn-LATER'), pairedItem: { item: 0 } });
		expect(output.slice(1).map((item) => [item.json.paymentId, item.json.status, item.pairedItem])).toEqual([
			[601, 'confirmed', { item: 1 }],
			[OTHER, 'confirmed', { item: 2 }],
		]);
		expect([502, 601, OTHER].map((id) => portal().payments.payCalls(id))).toEqual([1, 1, 1]);
		expect(portal().payments.get(502)?.psInvoiceId).toBe('txn-LATER');
		expect(methodsSent()).toEqual(['batch(3)', 'batch(3)', 'batch(3)']);
	});

	it('120 payments: ceil(120/50) = 3 requests per step, each payment confirmed once, in input order', async () => {
		const ids = Array.from({ length: 120 }, (_, index) => 10_000_000 + (1000 + index) * 10 + 2);
		const { output } = await run(ids.map((id) => callback(id)), true, { rateLimit: 'none' });
		expect(output).toEqual(ids.map((id, item) => confirmed(id, item)));
		expect(ids.every((id) => portal().payments.payCalls(id) === 1)).toBe(true);
		expect(methodsSent()).toEqual(['batch(50)', 'batch(50)', 'batch(20)', 'batch(50)', 'batch(50)', 'batch(20)', 'batch(50)', 'batch(50)', 'batch(20)']);
	});
});
