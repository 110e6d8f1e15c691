// The node in n8n's editor, as a user meets it: the node panel, the form, the searchable list.
import type { Page } from 'playwright-core';

import { HANDLERS, PAY_SYSTEMS } from '../../../dev/emulator/seed';
import { IS_N8N_1 } from '../../../dev/harness/n8n';
import { eventually, openWorkflow, screenshot, useSignedInEditor, visible } from './browser';
import type { TestEditor } from './browser';

const NODE_NAME = 'Pay System Invoice Settings';
const ACTION = 'Get pay system settings for an invoice';
// A list asks the portal through n8n: allow for a slow machine.
const LIST_LOADED = 30_000;

const session = useSignedInEditor();
let editor: TestEditor;
let page: Page;
beforeAll(() => {
	({ editor, page } = session);
});

/** Searches the node panel for `query` and returns our node's entry in the results. */
async function searchNodePanel(query: string) {
	await page.getByTestId('node-creator-search-bar').fill(query);
	return page.getByTestId('node-creator-item-name').filter({ hasText: NODE_NAME }).first();
}

/** A new workflow with the node added from the panel; its form (NDV) open. */
async function addNodeToNewWorkflow(): Promise<void> {
	await page.goto(`${editor.url}/workflow/new`);
	await page.getByTestId('canvas-plus-button').click();
	await (await searchNodePanel('Bitrix24')).click();
	await page.getByTestId('node-creator-item-name').filter({ hasText: ACTION }).first().click();
	await page.getByTestId('ndv').waitFor();
	await page.getByTestId('parameter-input-invoiceId').waitFor();
}

async function chooseCredential(id: string): Promise<void> {
	await page.getByTestId('node-credentials-select').click();
	await page.getByTestId(`node-credentials-select-item-${id}`).click();
	await page.getByTestId('node-credentials-select').locator('input').first().press('Escape').catch(() => undefined);
}

/** The options' "Add option" control: n8n 2.41 a button, 1.123 a select with that placeholder. */
function addOptionControl() {
	return IS_N8N_1 ? page.getByTestId('node-parameters').getByPlaceholder('Add option') : page.getByTestId('collection-parameter-add');
}

async function chooseOption(parameter: string, option: string): Promise<void> {
	await page.getByTestId(`parameter-input-${parameter}`).click();
	await visible(page, 'parameter-input-item').filter({ hasText: option }).first().click();
}

describe('the node panel', () => {
	test('finds "Pay System Invoice Settings" by searching "Bitrix24", "pay system", "invoice" and "payment"', async () => {
		await openWorkflow(page, editor.workflowUrl, 5);
		await page.getByTestId('node-creator-plus-button').click();
		for (const query of ['pay system', 'invoice', 'payment', 'Bitrix24']) {
			await expectVisible(await searchNodePanel(query));
		}
		const entry = page.getByTestId('item-iterator-item').filter({ hasText: NODE_NAME }).first();
		// n8n 2.41 shows the node's description under its name; 1.123 shows the name alone, beside the
		// community-node mark.
		if (IS_N8N_1) await expect(entry.innerText()).resolves.toBe(NODE_NAME);
		else {
			await expect(entry.innerText()).resolves.toContain(
				'Read the pay system settings of Bitrix24 legacy invoices, of payments, and of the payments of smart invoices and deals',
			);
		}
		await screenshot(page, 'node-panel');

		await entry.click();
		await expectVisible(page.getByTestId('node-creator-item-name').filter({ hasText: ACTION }).first());
	});
});

describe('the node form', () => {
	test('shows every parameter of the contract, the REST handler locator and the options', async () => {
		await addNodeToNewWorkflow();
		const form = page.getByTestId('node-parameters');

		// n8n shows the "Authentication" parameter as one credential picker over both credential types.
		await page.getByTestId('node-credentials-select').click();
		await eventually(async () => expect(await visible(page, 'node-credentials-select-item-bx24DemoWebhook1').innerText()).toContain('Bitrix24 Webhook API'));
		await eventually(async () => expect(await visible(page, 'node-credentials-select-item-bx24DemoOAuth201').innerText()).toContain('Bitrix24 OAuth2 API'));
		await visible(page, 'node-credentials-select-item-bx24DemoWebhook1').click();
		await eventually(async () => expect(await page.getByTestId('node-credentials-select').locator('input').first().inputValue()).toBe('Emulated portal (webhook)'));

		await eventually(async () => expect(await page.getByTestId('parameter-input-operation').locator('input').first().inputValue()).toBe('Get for Legacy Invoice'));
		await expectVisible(page.getByTestId('parameter-input-invoiceId'));
		await eventually(async () => expect(await page.getByTestId('parameter-input-paySystemBy').locator('input').first().inputValue()).toBe('ID'));
		await expectVisible(page.getByTestId('resource-locator-paySystemId'));
		// n8n 1.123 labels the credential picker "Credential to connect with", 2.41 "Credential".
		for (const label of [IS_N8N_1 ? 'Credential to connect with' : 'Credential', 'Operation', 'Invoice ID', 'Pay System By', 'Pay System', 'Options']) {
			await expectVisible(form.getByText(label, { exact: true }).first());
		}
		await page.getByTestId('resource-locator-paySystemId').getByTestId('rlc-mode-selector').click();
		await eventually(async () => expect(await visible(page, 'mode-list').innerText()).toBe('From list'));
		await eventually(async () => expect(await visible(page, 'mode-id').innerText()).toBe('By ID'));
		await page.keyboard.press('Escape');

		await page.getByTestId('parameter-input-paySystemBy').click();
		await eventually(async () => expect(await visible(page, 'parameter-input-item').allInnerTexts()).toEqual([
			'ID\nUse the pay system with this ID',
			'REST Handler Code\nUse the first pay system that runs this REST handler',
		]));
		await page.keyboard.press('Escape');

		await addOptionControl().click();
		await eventually(async () => expect(await visible(page, 'collection-parameter-option').allInnerTexts()).toEqual(['Batch Requests', 'Max Retries', 'Max Wait for Portal Limits', 'Output', 'Parallel Requests', 'Portal Rate Limit', 'Timeout']));
		await page.keyboard.press('Escape');
		for (const option of ['Batch Requests', 'Output', 'Portal Rate Limit', 'Parallel Requests', 'Max Retries', 'Max Wait for Portal Limits', 'Timeout']) {
			await addOptionControl().click();
			await visible(page, 'collection-parameter-option').filter({ hasText: option }).click();
		}
		await eventually(async () => expect(await page.getByTestId('parameter-input-outputMode').locator('input').first().inputValue()).toBe('Settings'));
		await eventually(async () => expect(await page.getByTestId('parameter-input-rateLimit').locator('input').first().inputValue()).toBe('Standard (2 Requests/s, Burst 50)'));
		await eventually(async () => expect(await page.getByTestId('parameter-input-parallelRequests').locator('input').first().inputValue()).toBe('3'));
		await eventually(async () => expect(await page.getByTestId('parameter-input-maxRetries').locator('input').first().inputValue()).toBe('5'));
		await eventually(async () => expect(await page.getByTestId('parameter-input-maxWaitMinutes').locator('input').first().inputValue()).toBe('30'));
		await eventually(async () => expect(await page.getByTestId('parameter-input-timeout').locator('input').first().inputValue()).toBe('60000'));
		await eventually(async () => expect(await page.getByTestId('parameter-input-batch').locator('.is-checked, [aria-checked="true"]').count()).toBeGreaterThan(0));
		// The form follows the options added down to its end only some of the time: scroll there, as a
		// user would, and take the pointer off the form (to the empty input panel), for a picture of them
		// all without a hover.
		await page.mouse.wheel(0, 2000);
		await page.mouse.move(250, 700);
		await screenshot(page, 'node-form');

		await chooseOption('paySystemBy', 'REST Handler Code');
		await expectVisible(page.getByTestId('resource-locator-bxRestHandler'));
		await eventually(async () => expect(await page.getByTestId('resource-locator-paySystemId').count()).toBe(0));
		await page.getByTestId('resource-locator-bxRestHandler').getByTestId('rlc-mode-selector').click();
		await eventually(async () => expect(await visible(page, 'mode-list').innerText()).toBe('From list'));
		await eventually(async () => expect(await visible(page, 'mode-code').innerText()).toBe('By Code'));
		await page.keyboard.press('Escape');
	});
});

describe('the searchable lists', () => {
	test('lists the portal\'s pay systems, filters them and picks one', async () => {
		await addNodeToNewWorkflow();
		await chooseCredential('bx24DemoWebhook1');

		await page.getByTestId('resource-locator-paySystemId').getByTestId('rlc-input').click();
		await eventually(async () => expect(await page.getByTestId('rlc-item').allInnerTexts()).toEqual(PAY_SYSTEMS.map((paySystem) => `${paySystem.NAME} (ID ${paySystem.ID})`)), LIST_LOADED);
		await screenshot(page, 'pay-system-list');

		await page.getByTestId('rlc-search').locator('input').or(page.locator('input[data-test-id=rlc-search]')).first().fill('bank');
		await eventually(async () => expect(await page.getByTestId('rlc-item').allInnerTexts()).toEqual(['Bank transfer (REST) (ID 12)']), LIST_LOADED);
		await page.getByTestId('rlc-item').first().click();
		await eventually(async () => expect(await page.getByTestId('resource-locator-paySystemId').getByTestId('rlc-input').inputValue()).toContain('Bank transfer (REST)'));
	});

	test('lists the portal\'s REST handlers', async () => {
		await addNodeToNewWorkflow();
		await chooseCredential('bx24DemoWebhook1');
		await chooseOption('paySystemBy', 'REST Handler Code');

		await page.getByTestId('resource-locator-bxRestHandler').getByTestId('rlc-input').click();
		await eventually(async () => expect(await page.getByTestId('rlc-item').allInnerTexts()).toEqual(HANDLERS.map((handler) => `${handler.NAME} (${handler.CODE})`)), LIST_LOADED);
		await page.getByTestId('rlc-item').filter({ hasText: 'resthandlercard' }).click();
		await eventually(async () => expect(await page.getByTestId('resource-locator-bxRestHandler').getByTestId('rlc-input').inputValue()).toContain('Card payment handler'));
	});
});

async function expectVisible(locator: ReturnType<Page['locator']>): Promise<void> {
	await locator.waitFor({ state: 'visible' });
}
