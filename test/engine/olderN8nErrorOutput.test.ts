// The error output under an n8n older than 2.36 (n8n 1.x among them), told apart by the version of the
// n8n-workflow it hands the node: here n8n-workflow 1.120.31, n8n 1.123.81's, run through this
// repository's engine. Its items carry the hint in `message` (the shape every n8n moves to the error
// output) and the node says so in the output pane; "Continue (regular output)" keeps `details`.
import { runWorkflow } from '../../dev/harness/engine';
import { describeErrorCode } from '../../nodes/shared/bitrix24/errorTable';
import { SETTINGS, byPaySystemId, usePortal, webhookCredentials } from '../support';

jest.mock('n8n-workflow/package.json', () => ({ ...jest.requireActual<object>('n8n-workflow/package.json'), version: '1.120.31' }));

const ITEMS = [{ invoiceId: 10, ref: 'a' }, { invoiceId: 404, ref: 'b' }, { invoiceId: 'abc', ref: 'c' }];
const NOT_FOUND = 'Bitrix24 error ERROR_INTERNAL_INVOICE_NOT_FOUND: Invoice not found';
const INVALID = 'INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got "abc"';
const NOTICE =
	'This n8n version moves an item to the error output only when it holds nothing but "error" and "message": the error items here carry the hint in "message", without "details" (error code, HTTP status, IDs). n8n 2.36 and later keep "details"; here "Continue (regular output)" keeps them.';

describe('Errors under n8n-workflow 1.120.31 (n8n 1.123)', () => {
	const portal = usePortal();

	it.each([true, false])('"Continue (using error output)": {error, message: hint} per failed item, input fields merged in (batch %s)', async (batch) => {
		const { output, errorOutput, run } = await runWorkflow({
			parameters: byPaySystemId(11, { batch }),
			items: ITEMS,
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(output).toEqual([{ json: SETTINGS.card, pairedItem: { item: 0 } }]);
		expect(errorOutput).toEqual([
			{ json: { invoiceId: 404, ref: 'b', error: NOT_FOUND, message: describeErrorCode('ERROR_INTERNAL_INVOICE_NOT_FOUND').hint }, pairedItem: { item: 1 } },
			{ json: { invoiceId: 'abc', ref: 'c', error: INVALID, message: describeErrorCode('INVALID_PARAMETER').hint }, pairedItem: { item: 2 } },
		]);
		expect(run.data.resultData.runData['Pay System Invoice Settings'][0].hints).toEqual([{ message: NOTICE, type: 'warning', location: 'outputPane' }]);
	});

	it('"Continue (regular output)": the contract\'s {error, details}, and no notice', async () => {
		const { output, run } = await runWorkflow({
			parameters: byPaySystemId(11),
			items: ITEMS.slice(0, 2),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueRegularOutput',
		});
		expect(output).toEqual([
			{ json: SETTINGS.card, pairedItem: { item: 0 } },
			{
				json: {
					error: NOT_FOUND,
					details: {
						errorCode: 'ERROR_INTERNAL_INVOICE_NOT_FOUND',
						errorDescription: 'Invoice not found',
						httpCode: null,
						invoiceId: 404,
						hint: describeErrorCode('ERROR_INTERNAL_INVOICE_NOT_FOUND').hint,
					},
				},
				pairedItem: { item: 1 },
			},
		]);
		expect(run.data.resultData.runData['Pay System Invoice Settings'][0].hints).toEqual([]);
	});

	it('no notice when every item succeeds', async () => {
		const { errorOutput, run } = await runWorkflow({
			parameters: byPaySystemId(11),
			items: [{ invoiceId: 10 }],
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect(errorOutput).toEqual([]);
		expect(run.data.resultData.runData['Pay System Invoice Settings'][0].hints).toEqual([]);
	});
});
