// The editor as a new user meets the package: the node panel finds the node, and the demo workflow that
// `npm start` imports runs with "Execute workflow". Runs on n8n 2.41.1 and on n8n 1.123.81 (N8N_VERSION):
// both editors mark these elements alike; the error branch differs as the README's Compatibility says.
import type { Locator, Page } from 'playwright-core';

import { IS_N8N_1 } from '../../../dev/harness/n8n';
import { DEMO_NODES } from '../../../dev/playground/demoWorkflow';
import { ERROR_OUTPUT_NOTICE } from '../../../nodes/shared/bitrix24/errorRouting';
import { describeErrorCode } from '../../../nodes/shared/bitrix24/errorTable';
import { dismissToasts, eventually, openWorkflow, screenshot, useSignedInEditor } from './browser';
import type { TestEditor } from './browser';

const session = useSignedInEditor();
let editor: TestEditor;
let page: Page;
beforeAll(() => {
	({ editor, page } = session);
});

const edgeLabel = (source: string, target: string): Locator =>
	page.locator(`[data-test-id="edge-label"][data-source-node-name="${source}"][data-target-node-name="${target}"]`);

/** Shows the output panel's JSON view and expects the items' json in it (it renders asynchronously). */
async function expectOutputJson(expected: unknown): Promise<void> {
	const output = page.getByTestId('output-panel');
	await output.getByTestId('radio-button-json').click();
	await eventually(async () => {
		// The view indents with no-break spaces.
		const text = (await output.getByTestId('ndv-data-container').innerText()).replace(/\u00a0/g, ' ');
		expect(JSON.parse(text)).toEqual(expected);
	});
}

test('the node panel finds "Pay System Invoice Settings" by searching "Bitrix24"', async () => {
	await openWorkflow(page, editor.workflowUrl, 5);
	await page.getByTestId('node-creator-plus-button').click();
	await page.getByTestId('node-creator-search-bar').fill('Bitrix24');
	const entry = page.getByTestId('node-creator-item-name').filter({ hasText: DEMO_NODES.paySystem }).first();
	await entry.waitFor();
	await expect(entry.innerText()).resolves.toBe(DEMO_NODES.paySystem);
});

test('"Execute workflow" sends the found invoices to "Settings" and the failed ones to "Failed"', async () => {
	await openWorkflow(page, editor.workflowUrl, 5);
	editor.portal.clearLog();
	await page.getByTestId('execute-workflow-button').click();

	await eventually(async () => expect(await edgeLabel(DEMO_NODES.paySystem, DEMO_NODES.failed).innerText({ timeout: 1000 })).toBe('2 items'), 60_000);
	await expect(edgeLabel(DEMO_NODES.trigger, DEMO_NODES.invoices).innerText()).resolves.toBe('1 item');
	await expect(edgeLabel(DEMO_NODES.invoices, DEMO_NODES.paySystem).innerText()).resolves.toBe('5 items');
	await expect(edgeLabel(DEMO_NODES.paySystem, DEMO_NODES.settings).innerText()).resolves.toBe('3 items');
	for (const node of Object.values(DEMO_NODES)) {
		await page.locator(`[data-test-id="canvas-node"][data-node-name="${node}"] [data-test-id="canvas-node-status-success"]`).waitFor();
	}
	// One batch call with the four valid IDs (404 among them); "abc" is never sent.
	expect(editor.portal.restCalls().map((call) => [call.restMethod, call.batchCommands])).toEqual([['batch', 4]]);
	await screenshot(page, 'run-canvas');

	await page.locator(`[data-test-id="canvas-node"][data-node-name="${DEMO_NODES.paySystem}"]`).dblclick();
	const branches = page.getByTestId('output-panel').getByTestId('branches');
	await expect(branches.getByTestId('tab-0').innerText()).resolves.toBe('Success Branch (3 items)');
	await expect(branches.getByTestId('tab-1').innerText()).resolves.toBe('Error Branch (2 items)');
	// On n8n 1.x the node says in the output pane what its error items leave out there.
	await expect(page.getByTestId('output-panel').getByText(ERROR_OUTPUT_NOTICE).count()).resolves.toBe(IS_N8N_1 ? 1 : 0);

	await expectOutputJson([10, 11, 7].map((invoice) => ({ BANK_NAME: 'Example Bank', PAYMENT_ID: `INV-${invoice}`, PS_WORK_MODE: 'TEST' })));

	await branches.getByTestId('tab-1').click();
	// n8n merges the input item's fields (invoiceId) into each error item. n8n 1.x moves an item to the
	// error output only as {error, message}: there the hint is the message, and there are no details.
	const notFound = 'Bitrix24 error ERROR_INTERNAL_INVOICE_NOT_FOUND: Invoice not found';
	const invalid = 'INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got "abc"';
	await expectOutputJson(
		IS_N8N_1
			? [
					{ invoiceId: 404, error: notFound, message: describeErrorCode('ERROR_INTERNAL_INVOICE_NOT_FOUND').hint },
					{ invoiceId: 'abc', error: invalid, message: describeErrorCode('INVALID_PARAMETER').hint },
				]
			: [
					{
						invoiceId: 404,
						error: notFound,
						details: { errorCode: 'ERROR_INTERNAL_INVOICE_NOT_FOUND', errorDescription: 'Invoice not found', httpCode: null, invoiceId: 404, hint: expect.stringContaining('legacy CRM invoices') },
					},
					{
						invoiceId: 'abc',
						error: invalid,
						details: { errorCode: 'INVALID_PARAMETER', errorDescription: null, httpCode: null, invoiceId: null, hint: expect.stringContaining('Nothing was sent') },
					},
				],
	);
	await dismissToasts(page);
	await screenshot(page, 'run-error-branch');
});
