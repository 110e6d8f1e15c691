// "Connect my account" for the Bitrix24 OAuth2 credential: n8n's popup goes to the emulated portal's
// authorize page, which sends it straight back to n8n's OAuth callback with a code.
import type { Page, Request } from 'playwright-core';

import { IS_N8N_1 } from '../../../dev/harness/n8n';
import { OAUTH2_CREDENTIAL } from '../../../dev/playground/demoWorkflow';
import { dismissToasts, listPaySystems, rest, screenshot, useSignedInEditor } from './browser';
import type { TestEditor } from './browser';

const session = useSignedInEditor();
let editor: TestEditor;
let page: Page;
beforeAll(() => {
	({ editor, page } = session);
});

/**
 * The button that connects a credential not connected yet: on n8n 2.41 in the "not connected" banner,
 * on 1.123 "Connect my account" below the fields. Its editor has no "not connected" banner.
 */
const connectButton = () => (IS_N8N_1 ? page.getByTestId('oauth-connect-button').getByRole('button', { name: 'Connect my account' }) : page.getByTestId('quick-connect-button'));

/** Waits until the credential shows it is not connected, ready to connect. */
async function notConnected(): Promise<void> {
	await (IS_N8N_1 ? connectButton() : page.getByTestId('oauth-not-connected-banner')).waitFor({ state: 'visible' });
}

/**
 * Connects a connected credential again: n8n 2.41 disconnects it first (and asks to confirm), 1.123
 * has "Reconnect" on its "Account connected" banner. Returns the button that starts the connection.
 */
async function readyToReconnect() {
	if (IS_N8N_1) return page.getByTestId('oauth-connect-success-banner').getByRole('button', { name: 'Reconnect' });
	await page.getByTestId('oauth-disconnect-button').click();
	await page.getByRole('dialog', { name: 'Disconnect account?' }).getByRole('button', { name: 'Disconnect' }).click();
	await notConnected();
	return connectButton();
}

/** Clicks `button` and follows the popup through the portal and n8n's callback until it closes; returns the addresses it went to. */
async function connectThroughPopup(button: ReturnType<Page['locator']>): Promise<string[]> {
	const visited: string[] = [];
	// Every page's navigations, listened for on the browser context from before the click (the editor
	// itself stays where it is): n8n 1.123 opens the popup at the portal's address at once, before a
	// listener on the popup could see that first navigation.
	const onRequest = (request: Request) => {
		if (request.isNavigationRequest()) visited.push(request.url());
	};
	page.context().on('request', onRequest);
	try {
		const popupOpened = page.waitForEvent('popup');
		await button.click();
		const popup = await popupOpened;
		if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 60_000 });
	} finally {
		page.context().off('request', onRequest);
	}
	await page.getByTestId('oauth-connect-success-banner').waitFor({ state: 'visible' });
	return visited;
}

test('the imported OAuth2 credential is connected, and reconnects through the portal', async () => {
	await page.goto(`${editor.url}/home/credentials/${OAUTH2_CREDENTIAL.id}`);
	await page.getByTestId('editCredential-modal').waitFor();
	await page.getByTestId('oauth-connect-success-banner').waitFor({ state: 'visible' });
	await expect(page.getByTestId('credential-name').innerText()).resolves.toBe(OAUTH2_CREDENTIAL.name);

	const reconnect = await readyToReconnect();
	editor.portal.clearLog();
	const visited = await connectThroughPopup(reconnect);

	expect(visited.some((url) => url.startsWith(`${editor.portal.origin}/oauth/authorize/`))).toBe(true);
	expect(visited.some((url) => url.startsWith(`${editor.url}/rest/oauth2-credential/callback?code=`))).toBe(true);
	expect(editor.portal.tokenRequests().map((request) => [request.params.grant_type, request.status])).toEqual([['authorization_code', 200]]);
	await expect(listPaySystems(editor, 'oAuth2', OAUTH2_CREDENTIAL)).resolves.toEqual(['11', '12', '13', '14', '15']);
	await dismissToasts(page);
	// The callback URL and the token URL name the editor's and the portal's ports, free ones each run.
	await screenshot(page, 'oauth2-connected', [page.getByTestId('copy-input'), page.getByTestId('parameter-input-accessTokenUrl')]);
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
	await notConnected();
	editor.portal.clearLog();

	const visited = await connectThroughPopup(connectButton());
	expect(visited.some((url) => url.startsWith(`${editor.portal.origin}/oauth/authorize/?`))).toBe(true);
	expect(editor.portal.tokenRequests().map((request) => [request.params.grant_type, request.status])).toEqual([['authorization_code', 200]]);

	const credentials = await rest<Array<{ id: string; name: string; type: string }>>(editor, 'GET', '/credentials');
	const created = credentials.filter((credential) => credential.type === 'bitrix24OAuth2Api' && credential.id !== OAUTH2_CREDENTIAL.id);
	expect(created).toHaveLength(1);
	await expect(listPaySystems(editor, 'oAuth2', created[0])).resolves.toEqual(['11', '12', '13', '14', '15']);
});
