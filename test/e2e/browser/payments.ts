// The payment operation in n8n's editor, as a user meets it: the node added from the panel, the
// operation "Get for Payment" picked, a pay system chosen from the searchable list (REST pay systems
// only), the payment ID typed in, and the step run with its settings in the output panel.
import type { Page } from 'playwright-core';

import { SETTINGS } from '../../../dev/harness/fixtures';
import { dismissToasts, eventually, screenshot, useSignedInEditor, visible } from './browser';
import type { TestEditor } from './browser';

const NODE_NAME = 'Pay System Invoice Settings';
const LEGACY_ACTION = 'Get pay system settings for an invoice';
// A list asks the portal through n8n: allow for a slow machine.
const LIST_LOADED = 30_000;

const session = useSignedInEditor();
let editor: TestEditor;
let page: Page;
beforeAll(() => {
	({ editor, page } = session);
});

const inputValue = (parameter: string) => page.getByTestId(`parameter-input-${parameter}`).locator('input').first().inputValue();

/** A new workflow with the node added from the panel by its first action; its form (NDV) open. */
async function addNodeToNewWorkflow(): Promise<void> {
	await page.goto(`${editor.url}/workflow/new`);
	await page.getByTestId('canvas-plus-button').click();
	await page.getByTestId('node-creator-search-bar').fill('Bitrix24');
	await page.getByTestId('node-creator-item-name').filter({ hasText: NODE_NAME }).first().click();
	await page.getByTestId('node-creator-item-name').filter({ hasText: LEGACY_ACTION }).first().click();
	await page.getByTestId('ndv').waitFor();
	await page.getByTestId('parameter-input-invoiceId').waitFor();
}

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

test('"Get for Payment": a REST pay system from the list, a payment ID, and the payment\'s settings in the output', async () => {
	await addNodeToNewWorkflow();
	await page.getByTestId('node-credentials-select').click();
	await visible(page, 'node-credentials-select-item-bx24DemoWebhook1').click();
	await eventually(async () => expect(await page.getByTestId('node-credentials-select').locator('input').first().inputValue()).toBe('Emulated portal (webhook)'));

	await page.getByTestId('parameter-input-operation').click();
	await eventually(async () =>
		expect(await visible(page, 'parameter-input-item').allInnerTexts()).toEqual([
			'Get for Legacy Invoice\nGet pay system settings for an invoice',
			'Get for Payment\nGet pay system settings for a payment',
			'Get for Smart Invoice or Deal\nGet pay system settings for every payment of a smart invoice or deal',
			// n8n's own entry: an HTTP Request with the node's credential.
			'Custom API Call',
		]),
	);
	await visible(page, 'parameter-input-item').filter({ hasText: 'Get for Payment' }).click();
	await eventually(async () => expect(await inputValue('operation')).toBe('Get for Payment'));
	await page.getByTestId('parameter-input-paymentId').waitFor();
	await eventually(async () => expect(await page.getByTestId('parameter-input-invoiceId').count()).toBe(0));
	await eventually(async () => expect(await page.getByTestId('parameter-input-paySystemBy').count()).toBe(0));

	// The portal refuses the settings of a pay system on a built-in handler: Cash (13) is not offered.
	editor.portal.clearLog();
	await page.getByTestId('resource-locator-paySystemId').getByTestId('rlc-input').click();
	await eventually(
		async () =>
			expect(await page.getByTestId('rlc-item').allInnerTexts()).toEqual([
				'Card payment (REST) (ID 11)',
				'Bank transfer (REST) (ID 12)',
				'Card payment, second shop (ID 14)',
				'Empty settings (REST) (ID 15)',
			]),
		LIST_LOADED,
	);
	expect(editor.portal.restCalls().map((call) => call.restMethod)).toEqual(['sale.paysystem.list', 'sale.paysystem.handler.list']);
	await page.getByTestId('rlc-search').locator('input').or(page.locator('input[data-test-id=rlc-search]')).first().fill('card');
	await eventually(
		async () => expect(await page.getByTestId('rlc-item').allInnerTexts()).toEqual(['Card payment (REST) (ID 11)', 'Card payment, second shop (ID 14)']),
		LIST_LOADED,
	);
	await page.getByTestId('rlc-item').filter({ hasText: 'second shop' }).click();
	await eventually(async () => expect(await page.getByTestId('resource-locator-paySystemId').getByTestId('rlc-input').inputValue()).toContain('Card payment, second shop'));

	const paymentId = page.getByTestId('parameter-input-paymentId').locator('input').first();
	await paymentId.fill('2002');
	await paymentId.press('Tab');
	await eventually(async () => expect(await inputValue('paymentId')).toBe('2002'));

	editor.portal.clearLog();
	await page.getByTestId('node-execute-button').click();
	await expectOutputJson([SETTINGS.cardSecondShop]);
	expect(editor.portal.restCalls().map((call) => [call.restMethod, call.params, call.status])).toEqual([
		['sale.paysystem.settings.payment.get', { PAYMENT_ID: 2002, PAY_SYSTEM_ID: 14 }, 200],
	]);

	await dismissToasts(page);
	await screenshot(page, 'payment-operation');
});
