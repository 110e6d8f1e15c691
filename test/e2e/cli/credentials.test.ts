// Credentials in a real n8n (`n8n execute`; 2.41.1, or 1.123.81 with N8N_VERSION): an expired OAuth2
// access token is refreshed once and the new token is saved in n8n's credential store; and no secret
// reaches what n8n keeps after a run (the stored execution, the files in its user folder, its log
// lines), even when the portal echoes one.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { Portal, TokenResponse } from '../../../dev/emulator/portal';
import { startPortal } from '../../../dev/emulator/portal';
import { describeErrorCode } from '../../../nodes/shared/bitrix24/errors/codes';
import { SETTINGS, STANDARD_PORTAL, byPaySystemId, oauthCredentials } from '../../support';
import {
	N8N_VERSION,
	createUserFolder,
	invoiceSettingsNode,
	itemsNode,
	manualTriggerNode,
	nodeOutput,
	oauth2CredentialEntity,
	webhookCredentialEntity,
	workflowEntity,
	onErrorOutput,
} from '../../../dev/harness/n8n';
import type { CliResult, ExecutedRun, ExportedCredential, N8nUserFolder } from '../../../dev/harness/n8n';
import { readDatabaseTables } from '../../../dev/harness/database';

const WEBHOOK = { id: 'bx24webhook0001', name: 'Bitrix24 webhook' };
const OAUTH2 = { id: 'bx24oauth200001', name: 'Bitrix24 OAuth2' };
const REFRESH_WORKFLOW = 'bx24e2eoauth2001';
const ECHO_WORKFLOW = 'bx24e2eechoing01';

const refreshWorkflow = workflowEntity({
	id: REFRESH_WORKFLOW,
	name: 'Pay system settings through OAuth2',
	nodes: [
		manualTriggerNode(),
		itemsNode('Invoices', [{ invoiceId: 10 }, { invoiceId: 11 }]),
		invoiceSettingsNode('OAuth2', { authentication: 'oAuth2', ...byPaySystemId('11') }, { credentials: { bitrix24OAuth2Api: OAUTH2 } }),
	],
	connections: [
		['Start', 'Invoices'],
		['Invoices', 'OAuth2'],
	],
});

// The webhook node sends one batch call, the OAuth2 node one single call per item: a fault on each
// method reaches exactly one of them.
const echoWorkflow = workflowEntity({
	id: ECHO_WORKFLOW,
	name: 'Pay system settings from a portal that echoes secrets',
	nodes: [
		manualTriggerNode(),
		itemsNode('Invoices', [{ invoiceId: 10 }, { invoiceId: 11 }]),
		invoiceSettingsNode('Webhook, batch', byPaySystemId('11'), { credentials: { bitrix24WebhookApi: WEBHOOK }, onError: 'continueErrorOutput' }),
		invoiceSettingsNode('OAuth2, single calls', { authentication: 'oAuth2', ...byPaySystemId('11', { batch: false }) }, {
			credentials: { bitrix24OAuth2Api: OAUTH2 },
			onError: 'continueErrorOutput',
		}),
	],
	connections: [
		['Start', 'Invoices'],
		['Invoices', 'Webhook, batch'],
		['Invoices', 'OAuth2, single calls'],
	],
});

/** Every file n8n wrote in its user folder: all of `.n8n` but nodes/, where the package is linked. */
function filesWrittenByN8n(folder: string): string[] {
	const walk = (directory: string): string[] =>
		readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
			const file = path.join(directory, entry.name);
			return entry.isDirectory() ? walk(file) : entry.isFile() ? [file] : [];
		});
	const n8nFolder = path.join(folder, '.n8n');
	return readdirSync(n8nFolder, { withFileTypes: true })
		.filter((entry) => entry.name !== 'nodes')
		.flatMap((entry) => (entry.isDirectory() ? walk(path.join(n8nFolder, entry.name)) : entry.isFile() ? [path.join(n8nFolder, entry.name)] : []));
}

const ECHO_HINT = describeErrorCode('ERROR_CHECK_FAILURE').hint;


describe(`Credentials in n8n ${N8N_VERSION} (CLI)`, () => {
	let portal: Portal;
	let n8n: N8nUserFolder;
	let issued: TokenResponse;
	let refreshRun: ExecutedRun;
	let saved: ExportedCredential;
	let echoRun: ExecutedRun;
	const outputs: CliResult[] = [];

	beforeAll(async () => {
		portal = await startPortal(STANDARD_PORTAL);
		issued = portal.issueTokens();
		portal.expireAccessTokens();
		n8n = createUserFolder();
		await n8n.importCredentials([
			webhookCredentialEntity(WEBHOOK, portal.webhookUrl),
			oauth2CredentialEntity(OAUTH2, oauthCredentials(portal, issued).bitrix24OAuth2Api),
		]);
		await n8n.importWorkflows([refreshWorkflow, echoWorkflow]);

		const refreshed = await n8n.executeWithOutput(REFRESH_WORKFLOW);
		refreshRun = refreshed.run;
		outputs.push(refreshed.output);
		saved = await n8n.exportCredential(OAUTH2.id);

		const token = (saved.data.oauthTokenData as TokenResponse | undefined)?.access_token ?? 'no token saved';
		const refreshToken = (saved.data.oauthTokenData as TokenResponse | undefined)?.refresh_token ?? 'no token saved';
		portal.addFault({
			restMethod: 'batch',
			times: 1,
			response: { status: 400, json: { error: 'ERROR_CHECK_FAILURE', error_description: `Failed ${portal.webhookUrl}batch.json for code ${portal.webhookCode}` } },
		});
		portal.addFault({
			restMethod: 'sale.paysystem.settings.invoice.get',
			times: 1,
			response: {
				status: 400,
				json: {
					error: 'ERROR_CHECK_FAILURE',
					error_description: `Failed auth=${token} with Bearer ${token}, token ${token}, refresh ${refreshToken}, client secret ${portal.clientSecret}`,
				},
			},
		});
		const echoed = await n8n.executeWithOutput(ECHO_WORKFLOW);
		echoRun = echoed.run;
		outputs.push(echoed.output);
	});

	afterAll(async () => {
		await portal?.stop();
		n8n?.remove();
	});

	describe('OAuth2: an access token the portal has expired', () => {
		it('the run succeeds: the call is repeated after the refresh', () => {
			expect(refreshRun.data.resultData.error).toBeUndefined();
			expect(nodeOutput(refreshRun, 'OAuth2')).toEqual([
				{ json: SETTINGS.card, pairedItem: { item: 0 } },
				{ json: SETTINGS.card, pairedItem: { item: 1 } },
			]);
		});

		it('n8n refreshed the token exactly once, with the stored refresh token, for the whole run and the next', () => {
			const refreshes = portal.tokenRequests();
			expect(refreshes).toHaveLength(1);
			expect(refreshes[0].params).toMatchObject({ grant_type: 'refresh_token', refresh_token: issued.refresh_token, client_id: portal.clientId });
			// The refresh run: refused once, repeated once. The echo run: no refusal for the saved token.
			expect(portal.restCalls('batch').filter((call) => call.auth === 'oauth').map((call) => call.errorCode)).toEqual(['expired_token', null]);
		});

		it('the new token is in n8n\'s credential store, the old one is gone', () => {
			const tokenData = saved.data.oauthTokenData as TokenResponse;
			expect(saved.type).toBe('bitrix24OAuth2Api');
			expect(tokenData.access_token).toMatch(/^[0-9a-f]{64}$/);
			expect(tokenData.access_token).not.toBe(issued.access_token);
			expect(tokenData.refresh_token).not.toBe(issued.refresh_token);
			// Both were issued by the portal's refresh, the only token request after the first issue.
			expect(portal.secrets()).toEqual(expect.arrayContaining([tokenData.access_token, tokenData.refresh_token]));
			expect(JSON.stringify(saved.data)).not.toContain(issued.access_token);
		});

		it('the next run works with the saved token without another refresh', () => {
			expect(nodeOutput(echoRun, 'OAuth2, single calls', 0)).toEqual([{ json: SETTINGS.card, pairedItem: { item: 1 } }]);
			const oauthSingleCalls = portal.restCalls('sale.paysystem.settings.invoice.get').filter((call) => call.auth === 'oauth');
			expect(oauthSingleCalls.map((call) => call.status)).toEqual([400, 200]);
			expect(portal.tokenRequests()).toHaveLength(1);
		});
	});

	describe('No secret in what n8n keeps: a portal that echoes the webhook code, the tokens and the client secret', () => {
		it('the error items show the portal\'s text with each secret redacted', () => {
			const description = `Failed ${portal.origin}/rest/1/***/batch.json for code ***`;
			const webhookFailure = {
				error: `Bitrix24 error ERROR_CHECK_FAILURE: ${description}`,
				details: { errorCode: 'ERROR_CHECK_FAILURE', errorDescription: description, httpCode: 400, invoiceId: 10, hint: ECHO_HINT },
			};
			expect(nodeOutput(echoRun, 'Webhook, batch', 0)).toEqual([]);
			expect(nodeOutput(echoRun, 'Webhook, batch', 1)).toEqual([
				{ json: onErrorOutput({ invoiceId: 10 }, webhookFailure), pairedItem: { item: 0 } },
				{ json: onErrorOutput({ invoiceId: 11 }, { ...webhookFailure, details: { ...webhookFailure.details, invoiceId: 11 } }), pairedItem: { item: 1 } },
			]);
			const tokenDescription = 'Failed auth=*** with Bearer ***, token ***, refresh ***, client secret ***';
			expect(nodeOutput(echoRun, 'OAuth2, single calls', 1)).toEqual([
				{
					json: onErrorOutput(
						{ invoiceId: 10 },
						{
							error: `Bitrix24 error ERROR_CHECK_FAILURE: ${tokenDescription}`,
							details: { errorCode: 'ERROR_CHECK_FAILURE', errorDescription: tokenDescription, httpCode: 400, invoiceId: 10, hint: ECHO_HINT },
						},
					),
					pairedItem: { item: 0 },
				},
			]);
		});

		it('no secret in the stored executions (execution_data), in any table, nor in any other file n8n wrote', () => {
			const secrets = portal.secrets();
			// The webhook code, the unused no-scope, no-crm and sales manager codes, the client secret, the first and the refreshed tokens.
			expect(secrets).toHaveLength(9);
			const stored = n8n.storedExecutions();
			expect(stored.map(({ workflowId, status }) => ({ workflowId, status }))).toEqual([
				{ workflowId: REFRESH_WORKFLOW, status: 'success' },
				{ workflowId: ECHO_WORKFLOW, status: 'success' },
			]);
			// The stored run is the one n8n printed: the redacted error items are in it.
			expect(stored[1].data).toContain('ERROR_CHECK_FAILURE');
			expect(stored[1].data).toContain('client secret ***');
			for (const execution of stored) {
				expect(secrets.filter((secret) => execution.data.includes(secret) || execution.workflowData.includes(secret))).toEqual([]);
			}
			// Every table, row by row (the credentials are encrypted there), and every other file n8n wrote.
			const tables = readDatabaseTables(n8n.databaseFile);
			expect(Object.keys(tables)).toEqual(expect.arrayContaining(['credentials_entity', 'execution_data', 'workflow_entity']));
			expect(tables.credentials_entity).toContain(OAUTH2.id);
			for (const [table, rows] of Object.entries(tables)) {
				expect({ table, secrets: secrets.filter((secret) => rows.includes(secret)) }).toEqual({ table, secrets: [] });
			}
			const files = filesWrittenByN8n(n8n.folder).filter((file) => !file.startsWith(n8n.databaseFile));
			expect(files.length).toBeGreaterThan(0);
			for (const file of files) {
				const content = readFileSync(file).toString('latin1');
				expect({ file, secrets: secrets.filter((secret) => content.includes(secret)) }).toEqual({ file, secrets: [] });
			}
		});

		it('no secret in what n8n printed while running', () => {
			const secrets = portal.secrets();
			expect(outputs).toHaveLength(2);
			for (const { stdout, stderr } of outputs) {
				expect(secrets.filter((secret) => stdout.includes(secret) || stderr.includes(secret))).toEqual([]);
			}
		});
	});
});
