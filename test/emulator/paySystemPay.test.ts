import { startPortal } from '../../dev/emulator/portal';
import type { Portal } from '../../dev/emulator/portal';
import { post } from './post';
import type { Reply } from './post';

// Paying through a pay system as Bitrix24's core does it (Sale\PaySystem\RestService::payPayment and
// payInvoice, Service::processRequest, RestHandler::processRequest), reading a payment with
// sale.payment.get (Sale\Controller\Payment) and a legacy invoice with crm.invoice.get, and answers
// lost after the portal applied the call. Every test has a portal of its own.
const PAY = 'sale.paysystem.pay.payment';
const PAY_INVOICE = 'sale.paysystem.pay.invoice';

function errorOf(reply: Reply): [number, unknown, unknown] {
	return [reply.status, reply.body?.error, reply.body?.error_description];
}

describe('paying payments and legacy invoices', () => {
	let portal: Portal;
	let url: string;
	const call = (method: string, payload: unknown = {}, base = url) => post(`${base}${method}`, payload);

	beforeEach(async () => {
		portal = await startPortal({ webhookScopes: ['pay_system', 'crm', 'user', 'sale'] });
		url = portal.webhookUrl;
	});

	afterEach(async () => {
		await portal.stop();
	});

	describe('sale.paysystem.pay.payment', () => {
		it('checks PAY_SYSTEM_ID, then the pay system, then PAYMENT_ID, then the pair, all ERROR_CHECK_FAILURE', async () => {
			// PAYMENT_ID missing too: the pay system is checked first.
			expect(errorOf(await call(PAY, {}))).toEqual([400, 'ERROR_CHECK_FAILURE', 'Empty field PAY_SYSTEM_ID!']);
			expect(errorOf(await call(PAY, { PAY_SYSTEM_ID: 99 }))).toEqual([400, 'ERROR_CHECK_FAILURE', 'Pay system not found']);
			expect(errorOf(await call(PAY, { PAY_SYSTEM_ID: 11 }))).toEqual([400, 'ERROR_CHECK_FAILURE', 'Empty field PAYMENT_ID']);
			expect(errorOf(await call(PAY, { PAY_SYSTEM_ID: 11, PAYMENT_ID: 502 }))).toEqual([400, 'ERROR_CHECK_FAILURE', 'Payment with ID=502 and PAY_SYSTEM_ID=11 not found']);
			expect(errorOf(await call(PAY, { PAY_SYSTEM_ID: '11', PAYMENT_ID: '77' }))).toEqual([400, 'ERROR_CHECK_FAILURE', 'Payment with ID=77 and PAY_SYSTEM_ID=11 not found']);
			expect(portal.payments.get(502)?.paid).toBe('N');
		});

		it('marks the payment paid, writes the PS_* fields and answers true, comparing no amount', async () => {
			const reply = await call(PAY, { PAYMENT_ID: 502, PAY_SYSTEM_ID: 12, PS_INVOICE_ID: 'tx-1', PS_SUM: 1, PS_CURRENCY: 'EUR', PS_STATUS_DESCRIPTION: 'card', PS_STATUS_MESSAGE: 'ok' });
			expect(reply.status).toBe(200);
			expect(reply.body.result).toBe(true);
			const payment = portal.payments.get(502);
			expect(payment).toMatchObject({ paid: 'Y', sum: 200, currency: 'USD', psInvoiceId: 'tx-1', psSum: 1, psCurrency: 'EUR', psStatus: 'Y', psStatusCode: 'Y', psStatusDescription: 'card', psStatusMessage: 'ok', empPaidId: 1 });
			expect(payment?.datePaid).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$/);
			expect(payment?.psResponseDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$/);
			expect(portal.payments.payCalls(502)).toBe(1);
			// The list shows it paid too.
			const listed = await call('crm.item.payment.list', { entityTypeId: 31, entityId: 5 });
			expect(listed.body.result[1]).toMatchObject({ id: 502, paid: 'Y' });
		});

		it('overwrites the PS_* fields of a payment paid before, every time, and keeps the fields a repeat leaves out', async () => {
			await call(PAY, { PAYMENT_ID: 601, PAY_SYSTEM_ID: 12, PS_INVOICE_ID: 'tx-1', PS_SUM: 100, PS_STATUS_CODE: 'SUCCEEDED', PS_STATUS_MESSAGE: 'first' });
			const first = portal.payments.get(601);
			const repeat = await call(PAY, { PAYMENT_ID: 601, PAY_SYSTEM_ID: 12, PS_INVOICE_ID: 'tx-2', PS_SUM: '0' });
			expect(repeat.body.result).toBe(true);
			const second = portal.payments.get(601);
			// PS_STATUS_CODE falls back to 'Y'; PS_SUM '0' is not given (PHP), so 100 stays; the message stays.
			expect(second).toMatchObject({ paid: 'Y', psInvoiceId: 'tx-2', psStatusCode: 'Y', psSum: 100, psStatusMessage: 'first' });
			// Paid before: the date it was paid stays.
			expect(second?.datePaid).toBe(first?.datePaid);
			expect(portal.payments.payCalls(601)).toBe(2);
		});

		it('answers true for a payment already paid by another transaction, and takes the new one', async () => {
			portal.payments.pay(601, { PS_INVOICE_ID: 'other-worker' });
			expect(portal.payments.get(601)?.psInvoiceId).toBe('other-worker');
			expect(portal.payments.payCalls(601)).toBe(0);
			expect((await call(PAY, { PAYMENT_ID: 601, PAY_SYSTEM_ID: 12, PS_INVOICE_ID: 'mine' })).body.result).toBe(true);
			expect(portal.payments.get(601)?.psInvoiceId).toBe('mine');
		});

		it('refuses a canceled order and a lost one with ERROR_PROCESS_REQUEST_RESULT, changing nothing', async () => {
			portal.payments.cancelOrder(100006);
			expect(errorOf(await call(PAY, { PAYMENT_ID: 601, PAY_SYSTEM_ID: 12, PS_INVOICE_ID: 'tx' }))).toEqual([400, 'ERROR_PROCESS_REQUEST_RESULT', 'Order #100006 canceled']);
			expect(errorOf(await call(PAY, { PAYMENT_ID: 1001, PAY_SYSTEM_ID: 11 }))).toEqual([400, 'ERROR_PROCESS_REQUEST_RESULT', 'Order #9999 does not exist']);
			expect(portal.payments.get(601)).toMatchObject({ paid: 'N', psInvoiceId: null });
			expect(portal.payments.payCalls(601)).toBe(0);
		});

		it('answers true for a pay system on a built-in handler and changes nothing, as the core does', async () => {
			expect((await call(PAY, { PAYMENT_ID: 801, PAY_SYSTEM_ID: 13, PS_INVOICE_ID: 'cash' })).body.result).toBe(true);
			expect(portal.payments.get(801)).toMatchObject({ paid: 'N', psInvoiceId: null });
		});

		it('pays in a batch, command by command, and counts each command', async () => {
			const cmd = {
				a: `${PAY}?PAYMENT_ID=502&PAY_SYSTEM_ID=12&PS_INVOICE_ID=b-1`,
				b: `${PAY}?PAYMENT_ID=502&PAY_SYSTEM_ID=11`,
				c: `${PAY}?PAYMENT_ID=502&PAY_SYSTEM_ID=12&PS_INVOICE_ID=b-2`,
			};
			const reply = await call('batch', { halt: 0, cmd });
			expect(reply.body.result.result).toEqual({ a: true, c: true });
			expect(reply.body.result.result_error).toEqual({ b: { error: 'ERROR_CHECK_FAILURE', error_description: 'Payment with ID=502 and PAY_SYSTEM_ID=11 not found' } });
			expect(portal.payments.payCalls(502)).toBe(2);
			expect(portal.payments.get(502)?.psInvoiceId).toBe('b-2');
		});

		it('lets the sales manager pay, as a user who may edit invoices', async () => {
			expect((await call(PAY, { PAYMENT_ID: 502, PAY_SYSTEM_ID: 12, PS_INVOICE_ID: 'm' }, portal.managerWebhookUrl)).body.result).toBe(true);
			expect(portal.payments.get(502)).toMatchObject({ paid: 'Y', empPaidId: 2 });
		});

		it('needs pay_system', async () => {
			expect(errorOf(await call(PAY, { PAYMENT_ID: 502, PAY_SYSTEM_ID: 12 }, portal.noScopeWebhookUrl))[1]).toBe('insufficient_scope');
		});
	});

	describe('an answer lost after the portal applied the call', () => {
		it('pays the first N calls, then drops their connection; the call after is answered', async () => {
			portal.addFault({ restMethod: PAY, times: 2, response: { lostAnswer: 'reset' } });
			const send = () => fetch(`${url}${PAY}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ PAYMENT_ID: 502, PAY_SYSTEM_ID: 12, PS_INVOICE_ID: 'tx' }) });
			await expect(send()).rejects.toThrow();
			expect(portal.payments.get(502)).toMatchObject({ paid: 'Y', psInvoiceId: 'tx' });
			expect(portal.payments.payCalls(502)).toBe(1);
			await expect(send()).rejects.toThrow();
			expect((await send()).status).toBe(200);
			expect(portal.payments.payCalls(502)).toBe(3);
			expect(portal.restCalls(PAY).map((entry) => [entry.status, entry.answerLost ?? false])).toEqual([[200, true], [200, true], [200, false]]);
		});

		it('keeps a timed-out call silent until the client gives up, after applying it', async () => {
			portal.addFault({ restMethod: PAY, times: 1, response: { lostAnswer: 'timeout', delayMs: 5000 } });
			const started = Date.now();
			const request = fetch(`${url}${PAY}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ PAYMENT_ID: 601, PAY_SYSTEM_ID: 12 }), signal: AbortSignal.timeout(300) });
			await expect(request).rejects.toThrow();
			expect(Date.now() - started).toBeLessThan(4000);
			expect(portal.payments.get(601)?.paid).toBe('Y');
		});

		it('loses a whole batch answer after every command ran', async () => {
			portal.addFault({ restMethod: 'batch', times: 1, response: { lostAnswer: 'reset' } });
			const cmd = { a: `${PAY}?PAYMENT_ID=502&PAY_SYSTEM_ID=12`, b: `${PAY}?PAYMENT_ID=601&PAY_SYSTEM_ID=12` };
			await expect(fetch(`${url}batch`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ cmd }) })).rejects.toThrow();
			expect([portal.payments.payCalls(502), portal.payments.payCalls(601)]).toEqual([1, 1]);
		});

		it('loses a seeded share of the answers: the same seed loses the same calls', async () => {
			const lostOf = async (seed: number) => {
				const other = await startPortal();
				other.addFault({ restMethod: PAY, share: 0.5, seed, response: { lostAnswer: 'reset' } });
				const lost: boolean[] = [];
				for (let index = 0; index < 12; index += 1) {
					const reply = await fetch(`${other.webhookUrl}${PAY}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ PAYMENT_ID: 502, PAY_SYSTEM_ID: 12 }) }).then(
						() => false,
						() => true,
					);
					lost.push(reply);
				}
				expect(other.payments.payCalls(502)).toBe(12);
				await other.stop();
				return lost;
			};
			const first = await lostOf(7);
			expect(first.some(Boolean) && !first.every(Boolean)).toBe(true);
			expect(await lostOf(7)).toEqual(first);
		});
	});

	describe('sale.payment.get', () => {
		it('gives the payment camelCase under `payment`, its ps* fields included', async () => {
			await call(PAY, { PAYMENT_ID: 502, PAY_SYSTEM_ID: 12, PS_INVOICE_ID: 'tx-9', PS_SUM: 200, PS_CURRENCY: 'USD' });
			const reply = await call('sale.payment.get', { id: 502 });
			expect(reply.status).toBe(200);
			expect(Object.keys(reply.body.result)).toEqual(['payment']);
			const payment = reply.body.result.payment;
			expect(payment).toMatchObject({ id: 502, orderId: 100005, accountNumber: '5/2', paid: 'Y', sum: 200, currency: 'USD', paySystemId: 12, paySystemName: 'Bank transfer (REST)', paySystemIsCash: 'N', psInvoiceId: 'tx-9', psSum: 200, psCurrency: 'USD', psStatus: 'Y', psStatusCode: 'Y', psStatusDescription: '', psStatusMessage: '' });
			expect(Object.keys(payment)).toEqual([...Object.keys(payment)].sort((left, right) => left.toLowerCase().localeCompare(right.toLowerCase())));
			const unpaid = (await call('sale.payment.get', { id: 601 })).body.result.payment;
			expect(unpaid).toMatchObject({ paid: 'N', datePaid: null, empPaidId: null, psInvoiceId: null, psSum: null, psResponseDate: null, psStatus: '', psStatusCode: '' });
		});

		it('answers with the sale controller numeric codes: no id 100, no payment 200640400001', async () => {
			expect(errorOf(await call('sale.payment.get', {}))).toEqual([400, 100, 'Could not find value for parameter {id}']);
			expect(errorOf(await call('sale.payment.get', { id: 77 }))).toEqual([400, 200640400001, 'payment is not exists']);
		});

		it('refuses a user who is not an administrator before it reads the payment, and a webhook without sale', async () => {
			expect(errorOf(await call('sale.payment.get', { id: 502 }, portal.managerWebhookUrl))).toEqual([400, 200040300010, 'Access Denied']);
			expect(errorOf(await call('sale.payment.get', {}, portal.managerWebhookUrl))).toEqual([400, 200040300010, 'Access Denied']);
			const plain = await startPortal();
			expect(errorOf(await post(`${plain.webhookUrl}sale.payment.get`, { id: 502 }))[1]).toBe('insufficient_scope');
			await plain.stop();
		});

		it('sees a payment changed behind the client', async () => {
			portal.payments.update(501, { paid: 'N', psInvoiceId: null });
			expect((await call('sale.payment.get', { id: 501 })).body.result.payment).toMatchObject({ paid: 'N', psInvoiceId: null });
		});
	});

	describe('legacy invoices', () => {
		const invoicePaySystem = () => portal.paySystems.add({ NAME: 'Card (invoices)', ACTION_FILE: 'resthandlercard', ENTITY_REGISTRY_TYPE: 'CRM_INVOICE', PERSON_TYPE_ID: 3 });

		it('crm.invoice.get gives PAYED, PRICE, CURRENCY and PAY_SYSTEM_ID as strings, and no transaction', async () => {
			const reply = await call('crm.invoice.get', { id: 10 });
			expect(reply.body.result).toMatchObject({ ID: '10', ACCOUNT_NUMBER: 'INV-10', PAYED: 'N', PRICE: '100.00', CURRENCY: 'USD', PAY_SYSTEM_ID: '11', STATUS_ID: 'N', PAY_VOUCHER_NUM: '' });
			expect(Object.keys(reply.body.result).filter((key) => key.startsWith('PS_'))).toEqual([]);
			expect(errorOf(await call('crm.invoice.get', { id: 404 }))).toEqual([400, '', 'Not found']);
			expect(errorOf(await call('crm.invoice.get', {}))).toEqual([400, '', 'ID is not defined or invalid.']);
		});

		it('checks the selectors, the pay system, the rest handler, then INVOICE_ID', async () => {
			expect(errorOf(await call(PAY_INVOICE, { INVOICE_ID: 10 }))).toEqual([400, 'ERROR_CHECK_FAILURE', 'Empty field BX_REST_HANDLER and PAY_SYSTEM_ID']);
			expect(errorOf(await call(PAY_INVOICE, { INVOICE_ID: 10, PAY_SYSTEM_ID: 99 }))).toEqual([400, 'ERROR_CHECK_FAILURE', 'Pay system with ID=99 not found']);
			expect(errorOf(await call(PAY_INVOICE, { INVOICE_ID: 10, BX_REST_HANDLER: 'nope' }))).toEqual([400, 'ERROR_CHECK_FAILURE', 'Incorrect rest handler code']);
			expect(errorOf(await call(PAY_INVOICE, { PAY_SYSTEM_ID: 11 }))).toEqual([400, 'ERROR_CHECK_FAILURE', 'Empty field INVOICE_ID!']);
			expect(errorOf(await call(PAY_INVOICE, { PAY_SYSTEM_ID: 11, INVOICE_ID: 404 }))).toEqual([400, 'ERROR_INTERNAL_INVOICE_NOT_FOUND', 'Invoice #404 not found']);
		});

		it('pays only through a pay system of legacy invoices', async () => {
			// Pay system 11 takes orders, not legacy invoices.
			expect(errorOf(await call(PAY_INVOICE, { PAY_SYSTEM_ID: 11, INVOICE_ID: 10 }))).toEqual([400, 'ERROR_PROCESS_REQUEST_RESULT', 'Pay system not found']);
			const id = invoicePaySystem();
			expect((await call(PAY_INVOICE, { PAY_SYSTEM_ID: id, INVOICE_ID: 10, PS_INVOICE_ID: 'inv-tx' })).body.result).toBe(true);
			expect((await call('crm.invoice.get', { id: 10 })).body.result).toMatchObject({ PAYED: 'Y', STATUS_ID: 'P' });
			expect(portal.invoices.get(10)?.payment).toMatchObject({ PS_INVOICE_ID: 'inv-tx', PS_STATUS: 'Y', PS_STATUS_CODE: 'Y' });
			// By handler code: the first pay system of legacy invoices on it; paid again, the transaction is replaced.
			expect((await call(PAY_INVOICE, { BX_REST_HANDLER: 'resthandlercard', INVOICE_ID: 10, PS_INVOICE_ID: 'again' })).body.result).toBe(true);
			expect(portal.invoices.get(10)?.payment.PS_INVOICE_ID).toBe('again');
			expect(portal.invoices.payCalls(10)).toBe(2);
		});

		it('refuses a canceled invoice', async () => {
			const id = invoicePaySystem();
			portal.invoices.cancel(12);
			expect(errorOf(await call(PAY_INVOICE, { PAY_SYSTEM_ID: id, INVOICE_ID: 12 }))).toEqual([400, 'ERROR_PROCESS_REQUEST_RESULT', 'Order #12 canceled']);
			expect(portal.invoices.get(12)?.PAYED).toBe('N');
		});
	});
});
