// The editor as a new user meets the package: the node panel finds the node, and the demo workflow that
// `npm start` imports runs with "Execute workflow": the legacy invoice branch and, beside it, the smart
// invoice branch. Runs on n8n 2.41.1 and on n8n 1.123.81 (N8N_VERSION): both editors mark these
// elements alike; the error branches differ as docs/compatibility.md says.
import type { Locator, Page } from 'playwright-core';

import { DEMO_NODES } from '../../../dev/playground/demoWorkflow';
import { describeErrorCode } from '../../../nodes/shared/bitrix24/errors/codes';
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

/**
 * Shows the output panel's JSON view and expects the items' json in it (it renders asynchronously).
 * The view renders only the lines in sight: a window tall enough for `lines` shows them all.
 */
async function expectOutputJson(expected: unknown, lines = 40): Promise<void> {
	const viewport = page.viewportSize();
	if (viewport !== null) await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, 200 + lines * 24) });
	try {
		const output = page.getByTestId('output-panel');
		await output.getByTestId('radio-button-json').click();
		await eventually(async () => {
			// The view indents with no-break spaces.
			const text = (await output.getByTestId('ndv-data-container').innerText()).replace(/\u00a0/g, ' ');
			expect(JSON.parse(text)).toEqual(expected);
		});
	} finally {
		if (viewport !== null) await page.setViewportSize(viewport);
	}
}

/** Opens a node's form from the canvas; the output panel shows its last run. */
async function openNode(name: string): Promise<Locator> {
	await page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`).dblclick();
	return page.getByTestId('output-panel').getByTestId('branches');
}

/** A payment of the demo's smart invoices as the Full output shows it (its timing varies). */
const payment = (entityId: number, paymentId: number, position: number, paid: string, paySystemId: number, paySystemName: string, settings: object) => ({
	entityTypeId: 31,
	entityId,
	paymentId,
	accountNumber: `${entityId}/${position}`,
	paid,
	sum: 100 * position,
	currency: 'USD',
	paySystemId,
	paySystemName,
	settings,
	time: expect.objectContaining({ operating: expect.any(Number) }),
});
const bankSettings = (paymentId: number) => ({ BANK_NAME: 'Example Bank', PAYMENT_ID: `INV-${paymentId}`, PS_WORK_MODE: 'TEST' });

/** An error item as the error output shows it on both n8n lines, the input item's fields merged in. */
function errorItem(input: object, error: string, details: { errorCode: string; hint: string } & Record<string, unknown>): object {
	return { ...input, error, details };
}

test('the node panel finds "Pay System Invoice Settings" by searching "Bitrix24"', async () => {
	await openWorkflow(page, editor.workflowUrl, Object.keys(DEMO_NODES).length);
	await page.getByTestId('node-creator-plus-button').click();
	await page.getByTestId('node-creator-search-bar').fill('Bitrix24');
	const entry = page.getByTestId('node-creator-item-name').filter({ hasText: DEMO_NODES.paySystem }).first();
	await entry.waitFor();
	await expect(entry.innerText()).resolves.toBe(DEMO_NODES.paySystem);
});

test('"Execute workflow" sends the found invoices and payments to "Settings" and "Payment settings", the failed ones to "Failed" and "Failed smart invoices"', async () => {
	await openWorkflow(page, editor.workflowUrl, Object.keys(DEMO_NODES).length);
	editor.portal.clearLog();
	await page.getByTestId('execute-workflow-button').click();

	await eventually(async () => expect(await edgeLabel(DEMO_NODES.payments, DEMO_NODES.failedSmartInvoices).innerText({ timeout: 1000 })).toBe('2 items'), 60_000);
	await eventually(async () => expect(await edgeLabel(DEMO_NODES.paySystem, DEMO_NODES.failed).innerText({ timeout: 1000 })).toBe('2 items'), 60_000);
	await expect(edgeLabel(DEMO_NODES.trigger, DEMO_NODES.invoices).innerText()).resolves.toBe('1 item');
	await expect(edgeLabel(DEMO_NODES.invoices, DEMO_NODES.paySystem).innerText()).resolves.toBe('5 items');
	await expect(edgeLabel(DEMO_NODES.paySystem, DEMO_NODES.settings).innerText()).resolves.toBe('3 items');
	await expect(edgeLabel(DEMO_NODES.trigger, DEMO_NODES.smartInvoices).innerText()).resolves.toBe('1 item');
	await expect(edgeLabel(DEMO_NODES.smartInvoices, DEMO_NODES.payments).innerText()).resolves.toBe('4 items');
	await expect(edgeLabel(DEMO_NODES.payments, DEMO_NODES.paymentSettings).innerText()).resolves.toBe('3 items');
	for (const node of Object.values(DEMO_NODES)) {
		await page.locator(`[data-test-id="canvas-node"][data-node-name="${node}"] [data-test-id="canvas-node-status-success"]`).waitFor();
	}
	// The legacy branch: one batch call with the four valid IDs (404 among them); "abc" is never sent.
	// The smart invoice branch: one batch call listing the payments of all four, one reading the four payments.
	expect(editor.portal.restCalls().map((call) => [call.restMethod, Object.values(call.params.cmd as Record<string, string>)])).toEqual([
		['batch', [10, 11, 404, 7].map((invoiceId) => `sale.paysystem.settings.invoice.get?INVOICE_ID=${invoiceId}&PAY_SYSTEM_ID=12`)],
		['batch', [5, 6, 7, 8].map((entityId) => `crm.item.payment.list?entityTypeId=31&entityId=${entityId}`)],
		[
			'batch',
			[
				[501, 11],
				[502, 12],
				[601, 12],
				[801, 13],
			].map(([paymentId, paySystemId]) => `sale.paysystem.settings.payment.get?PAYMENT_ID=${paymentId}&PAY_SYSTEM_ID=${paySystemId}`),
		],
	]);
	await dismissToasts(page);
	await screenshot(page, 'run-canvas');

	const branches = await openNode(DEMO_NODES.paySystem);
	await expect(branches.getByTestId('tab-0').innerText()).resolves.toBe('Success Branch (3 items)');
	await expect(branches.getByTestId('tab-1').innerText()).resolves.toBe('Error Branch (2 items)');

	await expectOutputJson([10, 11, 7].map((invoice) => ({ BANK_NAME: 'Example Bank', PAYMENT_ID: `INV-${invoice}`, PS_WORK_MODE: 'TEST' })));

	await branches.getByTestId('tab-1').click();
	await expectOutputJson([
		errorItem({ invoiceId: 404 }, 'Bitrix24 error ERROR_INTERNAL_INVOICE_NOT_FOUND: Invoice not found', {
			errorCode: 'ERROR_INTERNAL_INVOICE_NOT_FOUND',
			errorDescription: 'Invoice not found',
			httpCode: null,
			invoiceId: 404,
			hint: describeErrorCode('ERROR_INTERNAL_INVOICE_NOT_FOUND').hint,
		}),
		errorItem({ invoiceId: 'abc' }, 'INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got "abc"', {
			errorCode: 'INVALID_PARAMETER',
			errorDescription: null,
			httpCode: null,
			invoiceId: null,
			hint: describeErrorCode('INVALID_PARAMETER').hint,
		}),
	]);
	await dismissToasts(page);
	await screenshot(page, 'run-error-branch');
	await page.keyboard.press('Escape');
	await page.getByTestId('ndv').waitFor({ state: 'hidden' });

	const paymentBranches = await openNode(DEMO_NODES.payments);
	await expect(paymentBranches.getByTestId('tab-0').innerText()).resolves.toBe('Success Branch (3 items)');
	await expect(paymentBranches.getByTestId('tab-1').innerText()).resolves.toBe('Error Branch (2 items)');
	await expectOutputJson([
		payment(5, 501, 1, 'Y', 11, 'Card payment (REST)', { REST_SERVICE_ID_IFRAME: 'snum', REST_SERVICE_KEY_IFRAME: 'skey', PS_WORK_MODE_IFRAME: 'REGULAR' }),
		payment(5, 502, 2, 'N', 12, 'Bank transfer (REST)', bankSettings(502)),
		payment(6, 601, 1, 'N', 12, 'Bank transfer (REST)', bankSettings(601)),
	], 100);
	await paymentBranches.getByTestId('tab-1').click();
	await expectOutputJson([
		errorItem({ id: 7 }, 'PAYMENT_NOT_FOUND: The smart invoice 7 has no payment', {
			errorCode: 'PAYMENT_NOT_FOUND',
			errorDescription: null,
			httpCode: null,
			entityTypeId: 31,
			entityId: 7,
			hint: describeErrorCode('PAYMENT_NOT_FOUND').hint,
		}),
		errorItem({ id: 8 }, 'Bitrix24 error ACCESS_DENIED: Access denied', {
			errorCode: 'ACCESS_DENIED',
			errorDescription: 'Access denied',
			httpCode: null,
			entityTypeId: 31,
			entityId: 8,
			paymentId: 801,
			hint: describeErrorCode('ACCESS_DENIED').hint,
		}),
	]);
});
