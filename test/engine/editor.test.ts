import { searchList, testCredential } from '../../dev/harness/panel';
import { startPortal } from '../../dev/emulator/portal';
import { HINTS } from '../contract/hints';
import { byHandler, byPaySystemId, oauthCredentials, resourceLocator, usePortal, webhookCredentials } from '../support';

const FOR_PAYMENT = { operation: 'getForPayment', paymentId: '={{ $json.paymentId }}', paySystemId: resourceLocator('list', '') };

describe('Searchable lists: pay systems from sale.paysystem.list, handlers from sale.paysystem.handler.list', () => {
	const portal = usePortal();

	it('lists every pay system by name and ID, with the ID as the value', async () => {
		const result = await searchList('searchPaySystems', byPaySystemId(11), webhookCredentials(portal().webhookUrl));
		expect(result.results).toEqual([
			{ name: 'Card payment (REST) (ID 11)', value: '11' },
			{ name: 'Bank transfer (REST) (ID 12)', value: '12' },
			{ name: 'Cash (ID 13)', value: '13' },
			{ name: 'Card payment, second shop (ID 14)', value: '14' },
			{ name: 'Empty settings (REST) (ID 15)', value: '15' },
		]);
		expect(portal().restCalls().map((call) => call.restMethod)).toEqual(['sale.paysystem.list']);
	});

	it('lists only the pay systems on a REST handler for Get for Payment: the portal refuses the others', async () => {
		const result = await searchList('searchPaySystems', FOR_PAYMENT, webhookCredentials(portal().webhookUrl));
		expect(result.results).toEqual([
			{ name: 'Card payment (REST) (ID 11)', value: '11' },
			{ name: 'Bank transfer (REST) (ID 12)', value: '12' },
			{ name: 'Card payment, second shop (ID 14)', value: '14' },
			{ name: 'Empty settings (REST) (ID 15)', value: '15' },
		]);
		expect(portal().restCalls().map((call) => call.restMethod)).toEqual(['sale.paysystem.list', 'sale.paysystem.handler.list']);
	});

	it('filters the pay systems of Get for Payment by name or ID, and never lists the cash one', async () => {
		const credentials = webhookCredentials(portal().webhookUrl);
		expect((await searchList('searchPaySystems', FOR_PAYMENT, credentials, 'bank')).results.map((r) => r.value)).toEqual(['12']);
		expect((await searchList('searchPaySystems', FOR_PAYMENT, credentials, 'cash')).results).toEqual([]);
		expect((await searchList('searchPaySystems', FOR_PAYMENT, credentials, '13')).results).toEqual([]);
	});

	it('filters pay systems by name or ID, ignoring case', async () => {
		const credentials = webhookCredentials(portal().webhookUrl);
		expect((await searchList('searchPaySystems', byPaySystemId(11), credentials, 'CARD')).results.map((r) => r.value)).toEqual(['11', '14']);
		expect((await searchList('searchPaySystems', byPaySystemId(11), credentials, '13')).results.map((r) => r.value)).toEqual(['13']);
	});

	it('lists handlers by name and code, with the code as the value', async () => {
		const result = await searchList('searchHandlers', byHandler('x'), webhookCredentials(portal().webhookUrl), 'handler');
		expect(result.results).toEqual([
			{ name: 'Card payment handler (resthandlercard)', value: 'resthandlercard' },
			{ name: 'Bank transfer handler (resthandlerbank)', value: 'resthandlerbank' },
			{ name: 'Empty handler (resthandlerempty)', value: 'resthandlerempty' },
			{ name: 'Unused handler (resthandlerunused)', value: 'resthandlerunused' },
		]);
	});

	it('works over OAuth2 too', async () => {
		const result = await searchList(
			'searchHandlers',
			{ authentication: 'oAuth2', ...byHandler('x') },
			oauthCredentials(portal(), portal().issueTokens()),
			'bank',
		);
		expect(result.results).toEqual([{ name: 'Bank transfer handler (resthandlerbank)', value: 'resthandlerbank' }]);
	});

	it('shows the portal error, its code and the hint when the list cannot be read', async () => {
		const failure = await searchList('searchPaySystems', byPaySystemId(11), webhookCredentials(portal().noScopeWebhookUrl)).catch(
			(error: unknown) => error as { name: string; message: string; description: string; httpCode: string },
		);
		expect(failure).toMatchObject({
			name: 'NodeApiError',
			message: 'Bitrix24 error insufficient_scope: The request requires higher privileges than provided by the webhook token',
			description:
				'Give the webhook or the application the scope the method needs: "pay_system" for pay system settings and confirmations, "crm" as well for the payments of smart invoices and deals and for legacy invoices, "sale" for the payment reads of Confirm Payment (Applications > Developer resources > Other > Inbound webhook > Permissions), then save it again. Without "sale", turn off "Check First": the node then confirms without reading the payment.',
			httpCode: '403',
		});
	});
});

describe('Credential test ("Test" button): says clearly what is wrong', () => {
	const portal = usePortal();

	it('accepts a working webhook', async () => {
		expect(await testCredential('bitrix24WebhookApi', { webhookUrl: portal().webhookUrl, allowInsecureHttp: false })).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
	});

	it('names a wrong webhook code', async () => {
		const wrong = portal().webhookUrl.replace(portal().webhookCode, 'wrongcode123');
		expect(await testCredential('bitrix24WebhookApi', { webhookUrl: wrong, allowInsecureHttp: false })).toEqual({
			status: 'Error',
			message:
				'NO_AUTH_FOUND: The webhook code or access token is wrong or was deleted. Copy the webhook URL again from Bitrix24, or reconnect the OAuth2 credential.',
		});
	});

	it('names a webhook without the pay_system scope', async () => {
		expect(await testCredential('bitrix24WebhookApi', { webhookUrl: portal().noScopeWebhookUrl, allowInsecureHttp: false })).toEqual({
			status: 'Error',
			message:
				'insufficient_scope: Give the webhook or the application the scope the method needs: "pay_system" for pay system settings and confirmations, "crm" as well for the payments of smart invoices and deals and for legacy invoices, "sale" for the payment reads of Confirm Payment (Applications > Developer resources > Other > Inbound webhook > Permissions), then save it again. Without "sale", turn off "Check First": the node then confirms without reading the payment.',
		});
	});

	it('names an unreachable portal', async () => {
		const closed = await startPortal();
		const webhookUrl = closed.webhookUrl;
		await closed.stop();
		expect(await testCredential('bitrix24WebhookApi', { webhookUrl, allowInsecureHttp: false })).toEqual({
			status: 'Error',
			message: 'ECONNREFUSED',
		});
	});

	it('names a malformed webhook URL without sending anything', async () => {
		const result = await testCredential('bitrix24WebhookApi', { webhookUrl: `${portal().origin}/crm/`, allowInsecureHttp: false });
		expect(result).toEqual({
			status: 'Error',
			message: 'The webhook URL does not point to a Bitrix24 incoming webhook. It should look like https://<portal>/rest/<user id>/<webhook code>/',
		});
		expect(portal().requests).toEqual([]);
	});

	// 0.0.0.0 reaches the emulator on this machine, but is not a loopback name the rule lets through.
	const overPlainHttp = () => portal().webhookUrl.replace('http://127.0.0.1', 'http://0.0.0.0');

	it('refuses an http:// webhook URL to a host that is not loopback, without sending anything (docs/contract.md#http-rule)', async () => {
		expect(await testCredential('bitrix24WebhookApi', { webhookUrl: overPlainHttp(), allowInsecureHttp: false })).toEqual({
			status: 'Error',
			message:
				'The webhook URL uses http:// to 0.0.0.0, which would send the secret unencrypted. Use https://, or turn on "Allow Insecure HTTP" in the credential if the portal is on a network you trust.',
		});
		expect(portal().requests).toEqual([]);
	});

	it('sends over http:// to a host that is not loopback when Allow Insecure HTTP is on', async () => {
		expect(await testCredential('bitrix24WebhookApi', { webhookUrl: overPlainHttp(), allowInsecureHttp: true })).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(portal().restCalls().map((call) => call.restMethod)).toEqual(['sale.paysystem.settings.invoice.get']);
	});

	// Every refusal docs/contract.md#credential-test lists, as the portal answers the Test's request.
	it.each([
		['NO_AUTH_FOUND', 401],
		['insufficient_scope', 403],
		['ACCESS_DENIED', 403],
		['INVALID_CREDENTIALS', 403],
		['user_access_error', 403],
		['expired_token', 401],
		['invalid_token', 401],
		['ERROR_METHOD_NOT_FOUND', 404],
		['INVALID_REQUEST', 400],
		['PORTAL_DELETED', 500],
		['OVERLOAD_LIMIT', 503],
		['QUERY_LIMIT_EXCEEDED', 503],
	])('fails for %s (HTTP %i) with the code and its hint', async (code, status) => {
		portal().addFault({ response: { status, json: { error: code, error_description: `Text for ${code}` } } });
		expect(await testCredential('bitrix24WebhookApi', { webhookUrl: portal().webhookUrl, allowInsecureHttp: false })).toEqual({
			status: 'Error',
			message: `${code}: ${HINTS[code]}`,
		});
	});

	it('calls a portal that answers ERROR_CHECK_FAILURE (no pay system given) a working credential', async () => {
		portal().addFault({ response: { status: 400, json: { error: 'ERROR_CHECK_FAILURE', error_description: 'Empty field PAY_SYSTEM_ID!' } } });
		expect(await testCredential('bitrix24WebhookApi', { webhookUrl: portal().webhookUrl, allowInsecureHttp: false })).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(portal().restCalls().map((call) => [call.restMethod, call.params])).toEqual([['sale.paysystem.settings.invoice.get', {}]]);
	});

	it('accepts a connected OAuth2 credential', async () => {
		expect(await testCredential('bitrix24OAuth2Api', oauthCredentials(portal(), portal().issueTokens()).bitrix24OAuth2Api)).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
	});

	it('names an OAuth2 application without the pay_system scope', async () => {
		const tokens = portal().issueTokens(['crm']);
		expect(await testCredential('bitrix24OAuth2Api', oauthCredentials(portal(), tokens).bitrix24OAuth2Api)).toEqual({
			status: 'Error',
			message:
				'insufficient_scope: Give the webhook or the application the scope the method needs: "pay_system" for pay system settings and confirmations, "crm" as well for the payments of smart invoices and deals and for legacy invoices, "sale" for the payment reads of Confirm Payment (Applications > Developer resources > Other > Inbound webhook > Permissions), then save it again. Without "sale", turn off "Check First": the node then confirms without reading the payment.',
		});
	});

	it('names an access token the portal does not know', async () => {
		const tokens = { ...portal().issueTokens(), access_token: 'unknown-token-0000' };
		expect(await testCredential('bitrix24OAuth2Api', oauthCredentials(portal(), tokens).bitrix24OAuth2Api)).toEqual({
			status: 'Error',
			message: 'invalid_token: The portal does not know this access token. Reconnect the OAuth2 credential.',
		});
	});
});
