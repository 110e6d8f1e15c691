import { runWorkflow } from '../../dev/harness/engine';
import { hintOf } from '../contract/hints';
import { SETTINGS, byPaySystemId, invoices, usePortal, webhookCredentials } from '../support';

const NOT_FOUND_HINT = hintOf('ERROR_INTERNAL_INVOICE_NOT_FOUND');
const INVALID_HINT = hintOf('INVALID_PARAMETER');

const notFound = (invoiceId: number) => ({
	error: 'Bitrix24 error ERROR_INTERNAL_INVOICE_NOT_FOUND: Invoice not found',
	details: {
		errorCode: 'ERROR_INTERNAL_INVOICE_NOT_FOUND',
		errorDescription: 'Invoice not found',
		httpCode: null,
		invoiceId,
		hint: NOT_FOUND_HINT,
	},
});

const invalidId = {
	error: 'INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got "abc"',
	details: { errorCode: 'INVALID_PARAMETER', errorDescription: null, httpCode: null, invoiceId: null, hint: INVALID_HINT },
};

describe('Errors: "Continue (using error output)"', () => {
	const portal = usePortal();

	it.each([true, false])('routes each failed item to the error output, paired, with the input fields merged in (batch %s)', async (batch) => {
		const { output, errorOutput, error } = await runWorkflow({
			parameters: byPaySystemId(11, { batch }),
			items: [{ invoiceId: 10, ref: 'a' }, { invoiceId: 404, ref: 'b' }, { invoiceId: 'abc', ref: 'c' }, { invoiceId: 11, ref: 'd' }],
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(error).toBeUndefined();
		expect(output).toEqual([
			{ json: SETTINGS.card, pairedItem: { item: 0 } },
			{ json: SETTINGS.card, pairedItem: { item: 3 } },
		]);
		const httpCode = batch ? null : 400;
		expect(errorOutput).toEqual([
			{ json: { invoiceId: 404, ref: 'b', ...notFound(404), details: { ...notFound(404).details, httpCode } }, pairedItem: { item: 1 } },
			{ json: { invoiceId: 'abc', ref: 'c', ...invalidId }, pairedItem: { item: 2 } },
		]);
		for (const item of errorOutput) expect(item.error).toBeUndefined();
	});

	it('keeps every input item exactly once across both outputs, in input order', async () => {
		const ids = [1, 404, 2, 3, 404, 'x', 4];
		const { output, errorOutput } = await runWorkflow({
			parameters: byPaySystemId(12),
			items: invoices(...ids),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		const paired = (items: typeof output) => items.map((item) => (item.pairedItem as { item: number }).item);
		expect(paired(output)).toEqual([0, 2, 3, 6]);
		expect(paired(errorOutput)).toEqual([1, 4, 5]);
	});
});

describe('Errors: "Continue (regular output)"', () => {
	const portal = usePortal();

	it('keeps the same error items in the main output, in input order, without merging input fields', async () => {
		const { output, errorOutput, error } = await runWorkflow({
			parameters: byPaySystemId(11),
			items: [{ invoiceId: 10, ref: 'a' }, { invoiceId: 404, ref: 'b' }, { invoiceId: 'abc', ref: 'c' }],
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueRegularOutput',
		});
		expect(error).toBeUndefined();
		expect(errorOutput).toEqual([]);
		expect(output).toEqual([
			{ json: SETTINGS.card, pairedItem: { item: 0 } },
			{ json: notFound(404), pairedItem: { item: 1 } },
			{ json: invalidId, pairedItem: { item: 2 } },
		]);
	});
});

// The engine keeps a plain copy of the thrown error: its name says which class was thrown.
describe('Errors: "Stop Workflow"', () => {
	const portal = usePortal();

	it('stops at the first failing item with a NodeApiError naming the item, the code and a hint', async () => {
		const { error, run } = await runWorkflow({
			parameters: byPaySystemId(11),
			items: invoices(10, 404, 'abc'),
			credentials: webhookCredentials(portal().webhookUrl),
		});
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toBe('Bitrix24 error ERROR_INTERNAL_INVOICE_NOT_FOUND: Invoice not found [item 1, invoice 404]');
		expect(error?.description).toBe(NOT_FOUND_HINT);
		expect(error?.context.itemIndex).toBe(1);
		expect(run.status).toBe('error');
	});

	it('stops with a NodeOperationError when the first failing item is invalid, before sending anything', async () => {
		const { error } = await runWorkflow({
			parameters: byPaySystemId(11),
			items: invoices('abc', 404),
			credentials: webhookCredentials(portal().webhookUrl),
		});
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toBe('INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got "abc" [item 0]');
		expect(error?.description).toBe(INVALID_HINT);
		expect(error?.context.itemIndex).toBe(0);
		expect(portal().restCalls()).toEqual([]);
	});

	it('reports the HTTP status of a single call', async () => {
		const { error } = await runWorkflow({
			parameters: byPaySystemId(11, { batch: false }),
			items: invoices(404),
			credentials: webhookCredentials(portal().webhookUrl),
		});
		expect(error?.name).toBe('NodeApiError');
		expect((error as { httpCode?: string }).httpCode).toBe('400');
		expect((error as { errorResponse?: unknown }).errorResponse).toEqual({
			errorCode: 'ERROR_INTERNAL_INVOICE_NOT_FOUND',
			errorDescription: 'Invoice not found',
			httpCode: 400,
			invoiceId: 404,
		});
	});
});
