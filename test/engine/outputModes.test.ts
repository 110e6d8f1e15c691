import { runWorkflow } from '../../dev/harness/engine';
import { SETTINGS, byHandler, byPaySystemId, invoices, jsonOf, pairingOf, usePortal, webhookCredentials } from '../support';

const TIME_KEYS = ['date_finish', 'date_start', 'duration', 'finish', 'operating', 'operating_reset_at', 'processing', 'start'];

describe.each([
	['batch calls', true],
	['single calls', false],
])('Output modes, with %s', (_label, batch) => {
	const portal = usePortal();
	const run = (parameters: Parameters<typeof runWorkflow>[0]['parameters'], ids: unknown[]) =>
		runWorkflow({ parameters, items: invoices(...ids), credentials: webhookCredentials(portal().webhookUrl) });

	describe('settings (default): one item per input item, the settings object as the portal returned it', () => {
		it('emits the reference example for invoice 10 and pay system 11', async () => {
			const { output, error } = await run(byPaySystemId(11, { batch }), [10]);
			expect(error).toBeUndefined();
			expect(output).toEqual([{ json: SETTINGS.card, pairedItem: { item: 0 } }]);
		});

		it('pairs each item with its own input item, in input order', async () => {
			const { output } = await run(byPaySystemId(12, { batch }), [7, 8, 9]);
			expect(jsonOf(output)).toEqual([SETTINGS.bank(7), SETTINGS.bank(8), SETTINGS.bank(9)]);
			expect(pairingOf(output)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		});

		it('turns the PHP empty array [] into {}', async () => {
			const { output } = await run(byPaySystemId(15, { batch }), [10]);
			expect(output).toEqual([{ json: {}, pairedItem: { item: 0 } }]);
		});

		it('keeps the key order the portal sent', async () => {
			const { output } = await run(byPaySystemId(12, { batch }), [5]);
			expect(Object.keys(output[0].json)).toEqual(['BANK_NAME', 'PAYMENT_ID', 'PS_WORK_MODE']);
		});
	});

	describe('keyValue: one item per setting, in the portal key order, paired with its input item', () => {
		it('emits invoiceId, code and value for every setting', async () => {
			const { output } = await run(byPaySystemId(12, { batch, outputMode: 'keyValue' }), [21, 22]);
			expect(output).toEqual([
				{ json: { invoiceId: 21, code: 'BANK_NAME', value: 'Example Bank' }, pairedItem: { item: 0 } },
				{ json: { invoiceId: 21, code: 'PAYMENT_ID', value: 'INV-21' }, pairedItem: { item: 0 } },
				{ json: { invoiceId: 21, code: 'PS_WORK_MODE', value: 'TEST' }, pairedItem: { item: 0 } },
				{ json: { invoiceId: 22, code: 'BANK_NAME', value: 'Example Bank' }, pairedItem: { item: 1 } },
				{ json: { invoiceId: 22, code: 'PAYMENT_ID', value: 'INV-22' }, pairedItem: { item: 1 } },
				{ json: { invoiceId: 22, code: 'PS_WORK_MODE', value: 'TEST' }, pairedItem: { item: 1 } },
			]);
		});

		it('yields no item for an invoice whose settings are empty', async () => {
			const { output } = await run(byPaySystemId(15, { batch, outputMode: 'keyValue' }), [10]);
			expect(output).toEqual([]);
		});
	});

	describe('full: invoiceId, paySystemId, bxRestHandler, settings and time per input item', () => {
		it('reports the selector used and null for the other', async () => {
			const { output } = await run(byPaySystemId(11, { batch, outputMode: 'full' }), [10]);
			expect(output).toHaveLength(1);
			const { time, ...rest } = output[0].json;
			expect(rest).toEqual({ invoiceId: 10, paySystemId: 11, bxRestHandler: null, settings: SETTINGS.card });
			expect(Object.keys(time as object).sort()).toEqual(TIME_KEYS);
			expect(output[0].pairedItem).toEqual({ item: 0 });
		});

		it('reports the handler code when the pay system was chosen by handler', async () => {
			const { output } = await run(byHandler('resthandlercard', { batch, outputMode: 'full' }), [10]);
			const { time, ...rest } = output[0].json;
			expect(rest).toEqual({ invoiceId: 10, paySystemId: null, bxRestHandler: 'resthandlercard', settings: SETTINGS.card });
			expect(typeof (time as { start: unknown }).start).toBe('number');
		});

		it('gives empty settings as {}', async () => {
			const { output } = await run(byPaySystemId(15, { batch, outputMode: 'full' }), [10]);
			expect(output[0].json.settings).toEqual({});
		});
	});

	describe('pay system selectors', () => {
		it('BX_REST_HANDLER uses the first pay system with that handler', async () => {
			const { output } = await run(byHandler('resthandlercard', { batch }), [10]);
			expect(jsonOf(output)).toEqual([SETTINGS.card]);
		});

		it('numeric strings from expressions are accepted for both IDs', async () => {
			const { output } = await run(byPaySystemId('12', { batch }), ['33']);
			expect(jsonOf(output)).toEqual([SETTINGS.bank(33)]);
		});
	});
});

describe('Wire format', () => {
	const portal = usePortal();

	it('a single call is POST sale.paysystem.settings.invoice.get.json with a JSON body of INVOICE_ID and PAY_SYSTEM_ID', async () => {
		await runWorkflow({
			parameters: byPaySystemId(11, { batch: false }),
			items: invoices(10),
			credentials: webhookCredentials(portal().webhookUrl),
		});
		const [call] = portal().restCalls();
		expect(call.httpMethod).toBe('POST');
		expect(call.path).toBe(`/rest/1/${portal().webhookCode}/sale.paysystem.settings.invoice.get.json`);
		expect(call.params).toEqual({ INVOICE_ID: 10, PAY_SYSTEM_ID: 11 });
	});

	it('a handler call sends INVOICE_ID and BX_REST_HANDLER only', async () => {
		await runWorkflow({
			parameters: byHandler('resthandlerbank', { batch: false }),
			items: invoices(10),
			credentials: webhookCredentials(portal().webhookUrl),
		});
		expect(portal().restCalls()[0].params).toEqual({ INVOICE_ID: 10, BX_REST_HANDLER: 'resthandlerbank' });
	});

	it('a batch call carries halt 0 and one percent-encoded command per item', async () => {
		await runWorkflow({
			parameters: byHandler('resthandlerbank'),
			items: invoices(10, 11),
			credentials: webhookCredentials(portal().webhookUrl),
		});
		const [call] = portal().restCalls();
		expect(call.path).toBe(`/rest/1/${portal().webhookCode}/batch.json`);
		expect(call.params).toEqual({
			halt: 0,
			cmd: {
				i0: 'sale.paysystem.settings.invoice.get?INVOICE_ID=10&BX_REST_HANDLER=resthandlerbank',
				i1: 'sale.paysystem.settings.invoice.get?INVOICE_ID=11&BX_REST_HANDLER=resthandlerbank',
			},
		});
	});
});
