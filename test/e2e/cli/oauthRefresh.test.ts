// Executions in a real n8n (`n8n execute`; 2.41.1, or 1.123.81 with N8N_VERSION) whose first K
// requests set out together (Parallel Requests K, single calls, K = 1..5) on an OAuth2 credential whose
// saved token has expired: its `expires` is a minute past. The portal, like Bitrix24, takes a refresh
// token back when it grants a refresh, and takes 200 ms to answer, so the K would all meet the expired
// token. n8n 2.41 refreshes once for them; n8n 1.x lets each request refresh with the refresh token it
// read. The node's token gate lets one request go and holds the others until n8n has saved the renewed
// token (docs/contract.md#refresh-race): one refresh, none refused, nothing sent again, on both lines.
// Every item comes back right.
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

const IDS = [10, 11, 12, 13, 14, 15, 16, 17, 18];
const METHOD = 'sale.paysystem.settings.invoice.get';
const SENT_AGAIN = /a request met an OAuth2 access token that another request or process had already renewed, and was sent again with the saved token/g;

interface Counts {
	granted: number;
	refused: number;
	sentAgain: number;
}
const counts = (granted: number, refused: number, sentAgain: number): Counts => ({ granted, refused, sentAgain });

/** Refreshes granted and refused, and requests sent again, for K in flight: [K, n8n 2.41, n8n 1.x]. */
const EXPECTED: Array<[k: number, n8n2: Counts, n8n1: Counts]> = [
	[1, counts(1, 0, 0), counts(1, 0, 0)],
	[2, counts(1, 0, 0), counts(1, 0, 0)],
	[3, counts(1, 0, 0), counts(1, 0, 0)],
	[4, counts(1, 0, 0), counts(1, 0, 0)],
	[5, counts(1, 0, 0), counts(1, 0, 0)],
];
const KS = EXPECTED.map(([k]) => k);

const credentialOf = (k: number) => ({ id: `bx24oauthk${k}0002`, name: `Bitrix24 OAuth2, ${k} in flight` });
const workflowIdOf = (k: number) => `bx24e2eoauthk${k}02`;
const nodeOf = (k: number) => `OAuth2, ${k} in flight`;

function workflowOf(k: number) {
	return workflowEntity({
		id: workflowIdOf(k),
		name: `Pay system settings through OAuth2, ${k} requests at once`,
		nodes: [
			manualTriggerNode(),
			itemsNode('Invoices', IDS.map((invoiceId) => ({ invoiceId }))),
			// Single calls, K in flight, no retries: a request sent again after a refused refresh spends
			// none. A failed item would go to the error output.
			invoiceSettingsNode(nodeOf(k), { authentication: 'oAuth2', ...byPaySystemId('12', { batch: false, maxRetries: 0, parallelRequests: k }) }, {
				credentials: { bitrix24OAuth2Api: credentialOf(k) },
				onError: 'continueErrorOutput',
			}),
		],
		connections: [
			['Start', 'Invoices'],
			['Invoices', nodeOf(k)],
		],
	});
}

describe(`OAuth2 in n8n ${N8N_VERSION} (CLI): K requests in flight on a saved token whose \`expires\` has passed`, () => {
	let portal: Portal;
	let n8n: N8nUserFolder;
	const issued = new Map<number, TokenResponse>();

	beforeAll(async () => {
		portal = await startPortal({ ...STANDARD_PORTAL, latency: { perRequestMs: 200, perCallMs: 0 } });
		n8n = createUserFolder();
		for (const k of KS) issued.set(k, portal.issueTokensExpiringIn(-60));
		await n8n.importCredentials(KS.map((k) => oauth2CredentialEntity(credentialOf(k), oauthCredentials(portal, issued.get(k) as TokenResponse).bitrix24OAuth2Api)));
		await n8n.importWorkflows(KS.map(workflowOf));
	});

	afterAll(async () => {
		await portal?.stop();
		n8n?.remove();
	});

	describe.each(EXPECTED)('K = %i', (k, n8n2, n8n1) => {
		let run: ExecutedRun;
		let output: CliResult;
		let saved: ExportedCredential;
		let measured: Counts;
		/** The REST calls' error codes in the order they arrived (null: answered). */
		let restCodes: Array<string | null>;
		/** The refresh token of each refresh n8n asked for. */
		let refreshedWith: unknown[];

		beforeAll(async () => {
			portal.clearLog();
			const startedAt = performance.now();
			({ run, output } = await n8n.executeWithOutput(workflowIdOf(k)));
			const wallSeconds = (performance.now() - startedAt) / 1000;
			measured = { ...portal.refreshes(), sentAgain: output.stdout.match(SENT_AGAIN)?.length ?? 0 };
			restCodes = portal.restCalls(METHOD).map((call) => call.errorCode);
			refreshedWith = portal.tokenRequests().map((request) => request.params.refresh_token);
			saved = await n8n.exportCredential(credentialOf(k).id);
			process.stdout.write(
				`n8n ${N8N_VERSION} CLI, ${k} in flight on an expired token: ${measured.granted} refreshes granted, ${measured.refused} refused, ` +
					`${measured.sentAgain} requests sent again, wall ${wallSeconds.toFixed(1)} s\n`,
			);
		});

		it(`every item is right; refreshes and requests sent again: ${JSON.stringify(IS_N8N_1 ? n8n1 : n8n2)}; one request met the expired token; n8n saved the granted token, and no secret reached what it printed`, () => {
			expect(run.data.resultData.error).toBeUndefined();
			expect(nodeOutput(run, nodeOf(k), 1)).toEqual([]);
			expect(nodeOutput(run, nodeOf(k))).toEqual(IDS.map((id, item) => ({ json: SETTINGS.bank(id), pairedItem: { item } })));

			expect(measured).toEqual(IS_N8N_1 ? n8n1 : n8n2);
			expect(refreshedWith).toEqual(Array(measured.granted + measured.refused).fill(issued.get(k)?.refresh_token));
			// The one that went with the expired token, then nine answered: each item once.
			expect(restCodes).toEqual(['expired_token', ...Array(IDS.length).fill(null)]);

			const tokenData = saved.data.oauthTokenData as TokenResponse;
			expect(tokenData.access_token).not.toBe(issued.get(k)?.access_token);
			expect(portal.secrets()).toEqual(expect.arrayContaining([tokenData.access_token, tokenData.refresh_token]));
			expect(portal.secrets().filter((secret) => output.stdout.includes(secret) || output.stderr.includes(secret))).toEqual([]);
		});
	});
});
