// "Connect my account" for the Bitrix24 OAuth2 credential: n8n's popup goes to the emulated portal's
// authorize page, which sends it straight back to n8n's OAuth callback with a code.
import type { Page } from 'playwright-core';

import { OAUTH2_CREDENTIAL } from '../../../dev/playground/demoWorkflow';
import { dismissToasts, listPaySystems, rest, screenshot, useSignedInEditor } from './browser';
import type { TestEditor } from './browser';

const session = useSignedInEditor();
let editor: TestEditor;
let page: Page;
beforeAll(() => {
	({ editor, page } = session);
});

/** Clicks "Connect" and follows the popup through the portal and n8n's callback until it closes. */
async function connectThroughPopup(): Promise<string[]> {
	const visited: string[] = [];
	const popupOpened = page.waitForEvent('popup');
	await page.getByTestId('quick-connect-button').click();
	const popup = await popupOpened;
	popup.on('request', (request) => {
		if (request.isNavigationRequest()) visited.push(request.url());
	});
	if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 60_000 });
	await page.getByTestId('oauth-connect-success-banner').waitFor({ state: 'visible' });
	return visited;
}

test('the imported OAuth2 credential is connected, and reconnects through the portal', async () => {
	await page.goto(`${editor.url}/home/credentials/${OAUTH2_CREDENTIAL.id}`);
	await page.getByTestId('editCredential-modal').waitFor();
	await page.getByTestId('oauth-connect-success-banner').waitFor({ state: 'visible' });
	await expect(page.getByTestId('credential-name').innerText()).resolves.toBe(OAUTH2_CREDENTIAL.name);

	await page.getByTestId('oauth-disconnect-button').click();
	await page.getByRole('dialog', { name: 'Disconnect account?' }).getByRole('button', { name: 'Disconnect' }).click();
	await page.getByTestId('oauth-not-connected-banner').waitFor({ state: 'visible' });
	editor.portal.clearLog();
	const visited = await connectThroughPopup();

	expect(visited.some((url) => url.startsWith(`${editor.portal.origin}/oauth/authorize/`))).toBe(true);
	expect(visited.some((url) => url.startsWith(`${editor.url}/rest/oauth2-credential/callback?code=`))).toBe(true);
	expect(editor.portal.tokenRequests().map((request) => [request.params.grant_type, request.status])).toEqual([['authorization_code', 200]]);
	await expect(listPaySystems(editor, 'oAuth2', OAUTH2_CREDENTIAL)).resolves.toEqual(['11', '12', '13', '14', '15']);
	await dismissToasts(page);
	await screenshot(page, 'oauth2-connected');
});

test('a new Bitrix24 OAuth2 credential, filled in the form, connects through the portal', async () => {
	await page.goto(`${editor.url}/home/credentials/create`);
	await page.getByTestId('new-credential-type-select').click();
	await page.keyboard.type('Bitrix24 OAuth2');
	await page.locator('[data-test-id="new-credential-type-select-option"]:visible').filter({ hasText: 'Bitrix24 OAuth2 API' }).click();
	await page.getByTestId('new-credential-type-button').click();
	await page.getByTestId('editCredential-modal').waitFor();

	const field = (name: string) => page.getByTestId(`parameter-input-${name}`).locator('input, textarea').first();
	await expect(page.getByTestId('copy-input').innerText()).resolves.toContain(`${editor.url}/rest/oauth2-credential/callback`);
	await expect(field('accessTokenUrl').inputValue()).resolves.toBe('https://oauth.bitrix.info/oauth/token/');
	await field('accessTokenUrl').fill(`${editor.portal.origin}/oauth/token/`);
	await field('clientId').fill(editor.portal.clientId);
	await field('clientSecret').fill(editor.portal.clientSecret);
	await field('domain').fill(editor.portal.origin);
	await page.getByTestId('oauth-not-connected-banner').waitFor({ state: 'visible' });
	editor.portal.clearLog();

	const visited = await connectThroughPopup();
	expect(visited.some((url) => url.startsWith(`${editor.portal.origin}/oauth/authorize/?`))).toBe(true);
	expect(editor.portal.tokenRequests().map((request) => [request.params.grant_type, request.status])).toEqual([['authorization_code', 200]]);

	const credentials = await rest<Array<{ id: string; name: string; type: string }>>(editor, 'GET', '/credentials');
	const created = credentials.filter((credential) => credential.type === 'bitrix24OAuth2Api' && credential.id !== OAUTH2_CREDENTIAL.id);
	expect(created).toHaveLength(1);
	await expect(listPaySystems(editor, 'oAuth2', created[0])).resolves.toEqual(['11', '12', '13', '14', '15']);
});
