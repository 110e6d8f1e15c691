// The Bitrix24 Pay System node in n8n's editor, as a user meets it: the node panel finds it by the words
// a user would search for, and its default form, Payment > Confirm, shows the confirmation's parameters
// and options.
import type { Locator, Page } from 'playwright-core';

import { IS_N8N_1 } from '../../../dev/harness/n8n';
import { eventually, openWorkflow, screenshot, useSignedInEditor, visible } from './browser';
import type { TestEditor } from './browser';

const NODE_NAME = 'Bitrix24 Pay System';
const ACTION = 'Confirm a payment';

const session = useSignedInEditor();
let editor: TestEditor;
let page: Page;
beforeAll(() => {
	({ editor, page } = session);
});

const inputValue = (parameter: string) => page.getByTestId(`parameter-input-${parameter}`).locator('input').first().inputValue();

/** Searches the node panel for `query` and returns the Pay System node's entry in the results. */
async function searchNodePanel(query: string): Promise<Locator> {
	await page.getByTestId('node-creator-search-bar').fill(query);
	return page.getByTestId('node-creator-item-name').filter({ hasText: NODE_NAME }).first();
}

/** The options' "Add option" control: n8n 2.41 a button, 1.123 a select with that placeholder. */
function addOptionControl(): Locator {
	return IS_N8N_1 ? page.getByTestId('node-parameters').getByPlaceholder('Add option') : page.getByTestId('collection-parameter-add');
}

describe('the Bitrix24 Pay System node', () => {
	test('the node panel finds it by "Bitrix24", "pay system", "payment" and "confirm", with its Confirm action', async () => {
		await openWorkflow(page, editor.workflowUrl, 5);
		await page.getByTestId('node-creator-plus-button').click();
		for (const query of ['Bitrix24', 'pay system', 'payment', 'confirm']) {
			await (await searchNodePanel(query)).waitFor({ state: 'visible' });
		}
		await (await searchNodePanel('Bitrix24')).click();
		await page.getByTestId('node-creator-item-name').filter({ hasText: ACTION }).first().waitFor({ state: 'visible' });
	});

	test('Payment > Confirm: the payment, its pay system, the provider\'s transaction, amount and currency, and the confirmation\'s options', async () => {
		await page.goto(`${editor.url}/workflow/new`);
		await page.getByTestId('canvas-plus-button').click();
		await (await searchNodePanel('Bitrix24')).click();
		await page.getByTestId('node-creator-item-name').filter({ hasText: ACTION }).first().click();
		await page.getByTestId('ndv').waitFor();
		await page.getByTestId('parameter-input-paymentId').waitFor();

		await page.getByTestId('node-credentials-select').click();
		await visible(page, 'node-credentials-select-item-bx24DemoWebhook1').click();
		await eventually(async () => expect(await page.getByTestId('node-credentials-select').locator('input').first().inputValue()).toBe('Emulated portal (webhook)'));

		await eventually(async () => expect(await inputValue('resource')).toBe('Payment'));
		await eventually(async () => expect(await inputValue('operation')).toBe('Confirm'));
		const form = page.getByTestId('node-parameters');
		for (const label of ['Resource', 'Operation', 'Payment ID', 'Pay System', 'Transaction ID', 'Amount', 'Currency', 'Options']) {
			await form.getByText(label, { exact: true }).first().waitFor({ state: 'visible' });
		}
		for (const parameter of ['paymentId', 'transactionId', 'amount', 'currency']) await page.getByTestId(`parameter-input-${parameter}`).waitFor({ state: 'visible' });
		await page.getByTestId('resource-locator-paySystemId').waitFor({ state: 'visible' });

		await page.getByTestId('parameter-input-resource').click();
		await eventually(async () =>
			expect((await visible(page, 'parameter-input-item').allInnerTexts()).map((text) => text.split('\n')[0])).toEqual([
				'Handler',
				'Legacy Invoice',
				'Pay System',
				'Payment',
				'Settings',
				// n8n's own entry: an HTTP Request with the node's credential.
				'Custom API Call',
			]),
		);
		await page.keyboard.press('Escape');

		const options = ['Batch Requests', 'Check First', 'Max Retries', 'Max Wait for Portal Limits', 'Parallel Requests', 'Portal Rate Limit', 'Status Code', 'Status Description', 'Status Message', 'Timeout'];
		await addOptionControl().click();
		await eventually(async () => expect(await visible(page, 'collection-parameter-option').allInnerTexts()).toEqual(options));
		await page.keyboard.press('Escape');
		for (const option of ['Check First', 'Status Code', 'Status Description', 'Status Message']) {
			await addOptionControl().click();
			await visible(page, 'collection-parameter-option').filter({ hasText: option }).click();
		}
		await eventually(async () => expect(await page.getByTestId('parameter-input-checkFirst').locator('.is-checked, [aria-checked="true"]').count()).toBeGreaterThan(0));
		for (const parameter of ['statusCode', 'statusDescription', 'statusMessage']) await page.getByTestId(`parameter-input-${parameter}`).waitFor({ state: 'visible' });
		// As in the first node's form picture: scrolled to the options' end, the pointer off the form.
		await page.mouse.wheel(0, 2000);
		await page.mouse.move(250, 700);
		await screenshot(page, 'pay-system-node-form');
	});
});
