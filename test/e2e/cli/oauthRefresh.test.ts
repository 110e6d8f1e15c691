// One execution in a real n8n (`n8n execute`; 2.41.1, or 1.123.81 with N8N_VERSION) whose first three
// requests are in flight together (Parallel Requests 3, single calls) when they meet an expired
// OAuth2 token. The portal, like Bitrix24, takes a refresh token back when it grants a refresh. n8n
// 2.41 refreshes once for all three; n8n 1.x lets each refresh with the refresh token it read, so two
// of its three refreshes are refused, and the node sends those two requests again with the token
// the granted refresh saved (docs/contract.md#oauth2). Every item comes back right on both.
import type { Portal, TokenResponse } from '../../../dev/emulator/portal';
import { startPortal } from '../../../dev/emulator/portal';
import { SETTINGS, STANDARD_PORTAL, byPaySystemId, oauthCredentials } from '../../support';
import {
	IS_N8N_1,
	N8N_VERSION,
	createUserFolder,
	invoiceSettingsNode,
	itemsNode,
	manualTriggerNode,
	nodeOutput,
	oauth2CredentialEntity,
	workflowEntity,
} from '../../../dev/harness/n8n';
import type { CliResult, ExecutedRun, ExportedCredential, N8nUserFolder } from '../../../dev/harness/n8n';

const OAUTH2 = { id: 'bx24oauth200002', name: 'Bitrix24 OAuth2' };
const WORKFLOW = 'bx24e2eoauth2002';
const NODE = 'OAuth2, 3 in flight';
const IDS = [10, 11, 12, 13, 14, 15, 16, 17, 18];
const SENT_AGAIN = /a request met an OAuth2 access token that another request or process had already renewed, and was sent again with the saved token/g;

const workflow = workflowEntity({
	id: WORKFLOW,
	name: 'Pay system settings through OAuth2, three requests at once',
	nodes: [
		manualTriggerNode(),
		itemsNode('Invoices', IDS.map((invoiceId) => ({ invoiceId }))),
		// Single calls, Parallel Requests at its default (3), no retries: a request sent again after a
		// refused refresh spends none. A failed item would go to the error output.
		invoiceSettingsNode(NODE, { authentication: 'oAuth2', ...byPaySystemId('12', { batch: false, maxRetries: 0 }) }, {
			credentials: { bitrix24OAuth2Api: OAUTH2 },
			onError: 'continueErrorOutput',
		}),
	],
	connections: [
		['Start', 'Invoices'],
		['Invoices', NODE],
	],
});

describe(`OAuth2 in n8n ${N8N_VERSION} (CLI): three requests in flight meet an expired token`, () => {
	let portal: Portal;
	let n8n: N8nUserFolder;
	let issued: TokenResponse;
	let run: ExecutedRun;
	let output: CliResult;
	let saved: ExportedCredential;
	let wallSeconds: number;

	beforeAll(async () => {
		portal = await startPortal(STANDARD_PORTAL);
		issued = portal.issueTokens();
		portal.expireAccessTokens();
		n8n = createUserFolder();
		await n8n.importCredentials([oauth2CredentialEntity(OAUTH2, oauthCredentials(portal, issued).bitrix24OAuth2Api)]);
		await n8n.importWorkflows([workflow]);
		// The portal answers none of the first three until all three have arrived: all are in flight
		// with the expired token, whatever the machine's speed.
		const release = portal.holdAnswers();
		const startedAt = performance.now();
		const executed = n8n.executeWithOutput(WORKFLOW);
		const deadline = Date.now() + 120_000;
		while (portal.restCalls().length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
		release();
		({ run, output } = await executed);
		wallSeconds = (performance.now() - startedAt) / 1000;
		saved = await n8n.exportCredential(OAUTH2.id);
		const { granted, refused } = portal.refreshes();
		process.stdout.write(
			`n8n ${N8N_VERSION} CLI, 3 in flight on an expired token: ${granted} refreshes granted, ${refused} refused, ` +
				`${output.stdout.match(SENT_AGAIN)?.length ?? 0} requests sent again, wall ${wallSeconds.toFixed(1)} s\n`,
		);
	});

	afterAll(async () => {
		await portal?.stop();
		n8n?.remove();
	});

	it('every item is right, in order, and none failed', () => {
		expect(run.data.resultData.error).toBeUndefined();
		expect(nodeOutput(run, NODE, 1)).toEqual([]);
		expect(nodeOutput(run, NODE)).toEqual(IDS.map((id, item) => ({ json: SETTINGS.bank(id), pairedItem: { item } })));
	});

	it(`the portal granted one refresh and refused ${IS_N8N_1 ? 'two' : 'none'}; the node sent ${IS_N8N_1 ? 'those two requests' : 'nothing'} again`, () => {
		expect(portal.refreshes()).toEqual({ granted: 1, refused: IS_N8N_1 ? 2 : 0 });
		expect(portal.tokenRequests().every((request) => request.params.refresh_token === issued.refresh_token)).toBe(true);
		expect(output.stdout.match(SENT_AGAIN) ?? []).toHaveLength(IS_N8N_1 ? 2 : 0);
		// The three with the expired token, then nine answered: each item once.
		const codes = portal.restCalls('sale.paysystem.settings.invoice.get').map((call) => call.errorCode);
		expect(codes).toEqual([...Array(3).fill('expired_token'), ...Array(IDS.length).fill(null)]);
	});

	it('n8n saved the granted token, and no secret reached what n8n printed', () => {
		const tokenData = saved.data.oauthTokenData as TokenResponse;
		expect(tokenData.access_token).not.toBe(issued.access_token);
		expect(portal.secrets()).toEqual(expect.arrayContaining([tokenData.access_token, tokenData.refresh_token]));
		const secrets = portal.secrets();
		expect(secrets.filter((secret) => output.stdout.includes(secret) || output.stderr.includes(secret))).toEqual([]);
	});
});
