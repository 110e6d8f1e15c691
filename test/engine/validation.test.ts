import { runWorkflow } from '../../harness/engine';
import { SETTINGS, byHandler, byPaySystemId, invoices, jsonOf, resourceLocator, usePortal, webhookCredentials } from '../support';

const INVALID = { errorCode: 'INVALID_PARAMETER', errorDescription: null, httpCode: null };

describe('invoiceId: a whole number >= 1, from a number or a numeric string; anything else is INVALID_PARAMETER, never sent', () => {
	const portal = usePortal();

	it.each([
		['text', 'abc', '"abc"'],
		['zero', 0, '0'],
		['a negative number', -5, '-5'],
		['a fraction', 1.5, '1.5'],
		['a fractional string', '1.5', '"1.5"'],
		['an empty string', '', '""'],
		['a blank string', '  ', '"  "'],
		['null', null, 'null'],
		['a boolean', true, 'true'],
		['an array', [10], '[10]'],
		['an object', { id: 10 }, '{"id":10}'],
		['a number past 2147483647', 2147483648, '2147483648'],
		['digits followed by text', '12abc', '"12abc"'],
		['an exponent', '1e3', '"1e3"'],
	])('refuses %s', async (_label, invoiceId, shown) => {
		const { output, errorOutput } = await runWorkflow({
			parameters: byPaySystemId(11),
			items: [{ invoiceId }],
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(output).toEqual([]);
		expect(errorOutput).toHaveLength(1);
		expect(errorOutput[0].json.error).toBe(`Invoice ID must be a whole number from 1 to 2147483647; got ${shown}`);
		expect(errorOutput[0].json.details).toMatchObject({ ...INVALID, invoiceId: null });
		expect(errorOutput[0].pairedItem).toEqual({ item: 0 });
		expect(portal().restCalls()).toEqual([]);
	});

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

	it('turns an expression that throws into that item error, and runs the other items', async () => {
		const { output, errorOutput } = await runWorkflow({
			parameters: { ...byPaySystemId(11), invoiceId: '={{ $json.invoice ? $json.invoice.id : $("Missing node").item.json.id }}' },
			items: [{ invoice: { id: 10 } }, { other: 1 }],
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(jsonOf(output)).toEqual([SETTINGS.card]);
		expect(errorOutput).toHaveLength(1);
		expect(errorOutput[0].pairedItem).toEqual({ item: 1 });
		expect(errorOutput[0].json.details).toMatchObject({ ...INVALID, invoiceId: null });
		expect(String(errorOutput[0].json.error)).toBe("A parameter could not be read: Referenced node doesn't exist");
		expect(portal().restCalls()).toHaveLength(1);
	});
});

describe('The chosen pay system selector must be present and valid', () => {
	const portal = usePortal();

	it.each([
		['empty', '', '""'],
		['text', 'card', '"card"'],
		['zero', 0, '0'],
		['negative', -1, '-1'],
		['fractional', 11.5, '11.5'],
	])('refuses a pay system ID from an expression that is %s', async (_label, value, shown) => {
		const { errorOutput } = await runWorkflow({
			parameters: byPaySystemId('={{ $json.paySystem }}'),
			items: [{ invoiceId: 10, paySystem: value }],
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(errorOutput.map((item) => item.json)).toEqual([
			expect.objectContaining({
				error: `Pay System ID must be a whole number from 1 to 2147483647; got ${shown}`,
				details: expect.objectContaining({ ...INVALID, invoiceId: 10 }),
			}),
		]);
		expect(portal().restCalls()).toEqual([]);
	});

	it.each([
		['empty', ''],
		['only spaces', '   '],
		['longer than 255 characters', 'h'.repeat(256)],
		['not text', 42],
	])('refuses a handler code from an expression that is %s', async (_label, code) => {
		const { errorOutput } = await runWorkflow({
			parameters: byHandler('={{ $json.handler }}'),
			items: [{ invoiceId: 10, handler: code }],
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(errorOutput).toHaveLength(1);
		expect(String(errorOutput[0].json.error)).toMatch(/^REST Handler Code must be text of 1 to 255 characters; got /);
		expect(errorOutput[0].json.details).toMatchObject({ ...INVALID, invoiceId: 10 });
		expect(portal().restCalls()).toEqual([]);
	});

	it.each([
		['a pay system ID that is not a whole number', byPaySystemId('card'), 'Enter a whole number of 1 or more'],
		['an empty handler code', byHandler(''), 'Parameter "REST Handler" is required.'],
	])('a fixed %s is a node issue: the run does not start and nothing is sent', async (_label, parameters, issue) => {
		await expect(
			runWorkflow({ parameters, items: invoices(10), credentials: webhookCredentials(portal().webhookUrl) }),
		).rejects.toThrow(issue);
		expect(portal().restCalls()).toEqual([]);
	});

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
