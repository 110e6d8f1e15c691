import { runWorkflow } from '../../dev/harness/engine';
import { SETTINGS, byHandler, byPaySystemId, invoices, jsonOf, resourceLocator, usePortal, webhookCredentials } from '../support';

// The values these rules refuse are rows of the table in hostileInputs.test.ts.

describe('invoiceId: a whole number >= 1, from a number or a numeric string, is sent as that number', () => {
	const portal = usePortal();

	it.each([
		['a number', 10],
		['a numeric string', '10'],
		['a numeric string with spaces', ' 10 '],
		['the largest id', 2147483647],
	])('accepts %s', async (_label, invoiceId) => {
		const { output } = await runWorkflow({
			parameters: byPaySystemId(11, { batch: false }),
			items: [{ invoiceId }],
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(portal().restCalls().map((call) => call.params.INVOICE_ID)).toEqual([Number(invoiceId)]);
		expect(output.length + (portal().restCalls()[0].status === 200 ? 0 : 1)).toBe(1);
	});

	it('accepts a fixed number typed into the field', async () => {
		const { output } = await runWorkflow({
			parameters: { ...byPaySystemId(11), invoiceId: 10 },
			items: [{}],
			credentials: webhookCredentials(portal().webhookUrl),
		});
		expect(jsonOf(output)).toEqual([SETTINGS.card]);
	});
});

describe('The chosen pay system selector is read from either mode of its resource locator', () => {
	const portal = usePortal();

	it('takes the pay system from the list mode of the resource locator', async () => {
		const { output } = await runWorkflow({
			parameters: { ...byPaySystemId(11), paySystemId: resourceLocator('list', '12') },
			items: invoices(10),
			credentials: webhookCredentials(portal().webhookUrl),
		});
		expect(jsonOf(output)).toEqual([SETTINGS.bank(10)]);
	});

	it('takes the handler from the list mode of the resource locator', async () => {
		const { output } = await runWorkflow({
			parameters: { ...byHandler('x'), bxRestHandler: resourceLocator('list', 'resthandlerbank') },
			items: invoices(10),
			credentials: webhookCredentials(portal().webhookUrl),
		});
		expect(jsonOf(output)).toEqual([SETTINGS.bank(10)]);
	});
});
