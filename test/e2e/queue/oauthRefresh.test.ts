// Two executions at once on one OAuth2 credential, in queue mode (2.41.1, or 1.123.81 with
// N8N_VERSION): a main takes two production webhook calls and queues both; two workers, each taking
// one job at a time, run one each. Each execution reads 30 invoices in single calls, three in flight,
// and the saved access token has expired: its `expires` is a minute past. In each worker the node's
// token gate lets one request go with it and holds the other two (docs/contract.md#refresh-race); the
// portal answers neither of the two that went until both have arrived (and a second more, in which no
// other arrives), so both processes meet the expired token together. No gate reaches across
// processes. The portal, like Bitrix24, takes a refresh token back when it grants a refresh. n8n 2.41
// holds a Redis lock for the refresh and reads the saved token again under it, so it refreshes once;
// n8n 1.x lets each worker's request refresh with the refresh token it read, so one of the two is
// refused, and the node sends that request again with the token the granted refresh saved. Every
// item comes back right on both.
import type { Portal, TokenResponse } from '../../../dev/emulator/portal';
import { startPortal } from '../../../dev/emulator/portal';
import {
	IS_N8N_1,
	N8N_VERSION,
	createUserFolder,
	invoiceSettingsNode,
	oauth2CredentialEntity,
	workflowEntity,
} from '../../../dev/harness/n8n';
import type { N8nServer, N8nUserFolder } from '../../../dev/harness/n8n';
import { activateWorkflow, callWebhook, invoiceRangeNode, rangeOutcomeOf, settledExecutions, startQueue, startRedis, webhookTriggerNode } from '../../../dev/harness/queue';
import type { QueueProcesses, RangeOutcome, Redis, WebhookAnswer } from '../../../dev/harness/queue';
import { SETTINGS, oauthCredentials } from '../../support';

const OAUTH2 = { id: 'bx24oauth200003', name: 'Bitrix24 OAuth2' };
const WORKFLOW_ID = 'bx24e2equeue0003';
const WEBHOOK_PATH = 'bx24-oauth2-invoice-settings';
const NODE = 'Pay System Invoice Settings';
const N = 30;
const CALLS = [
	{ first: 1, count: N },
	{ first: 5001, count: N },
];
/** Requests in flight in each execution: Parallel Requests (its default). */
const IN_FLIGHT = 3;
/** Of those, the ones that meet the expired token: the one each worker's gate lets go. */
const MET_EXPIRED = CALLS.length;
/** Refreshes granted and refused, and requests the workers sent again. */
const EXPECTED = IS_N8N_1 ? { granted: 1, refused: 1, sentAgain: 1 } : { granted: 1, refused: 0, sentAgain: 0 };
const SENT_AGAIN = /a request met an OAuth2 access token that another request or process had already renewed, and was sent again with the saved token/g;

const workflow = workflowEntity({
	id: WORKFLOW_ID,
	name: 'Pay system settings through OAuth2 on a webhook call',
	nodes: [
		webhookTriggerNode('5b7e0c2a-9d41-4f3e-8a6b-2c1d0e9f8a7b', WEBHOOK_PATH, 'noData'),
		invoiceRangeNode(),
		// Single calls, three in flight, no retries (a request sent again after a refused refresh spends
		// none); a failed item goes to the error output, so it is counted and the run goes on.
		invoiceSettingsNode(
			NODE,
			{
				authentication: 'oAuth2',
				invoiceId: '={{ $json.invoiceId }}',
				paySystemBy: 'id',
				paySystemId: { __rl: true, mode: 'id', value: '12' },
				options: { batch: false, maxRetries: 0, parallelRequests: IN_FLIGHT },
			},
			{ credentials: { bitrix24OAuth2Api: OAUTH2 }, onError: 'continueErrorOutput' },
		),
	],
	connections: [
		['Webhook', 'Invoices'],
		['Invoices', NODE],
	],
});

describe(`Queue mode in n8n ${N8N_VERSION}, two workers: two executions at once meet one expired OAuth2 token`, () => {
	let portal: Portal;
	let redis: Redis;
	let n8n: N8nUserFolder;
	let processes: QueueProcesses | undefined;
	let main: N8nServer;
	let workers: Record<string, N8nServer>;
	let issued: TokenResponse;
	let answers: WebhookAnswer[];
	let outcomes: RangeOutcome[];
	let sentAgain: Record<string, number>;
	let arrivedWhileHeld: number;

	beforeAll(async () => {
		// No bucket: the refresh is what this test is about, not the portal's rate limit.
		portal = await startPortal({ limits: null, missingInvoiceIds: [] });
		issued = portal.issueTokensExpiringIn(-60);
		redis = await startRedis();
		n8n = createUserFolder();
		await n8n.importCredentials([oauth2CredentialEntity(OAUTH2, oauthCredentials(portal, issued).bitrix24OAuth2Api)]);
		await n8n.importWorkflows([workflow]);
		await activateWorkflow(n8n, WORKFLOW_ID);

		processes = await startQueue(n8n, redis.port, { workers: 2, concurrency: 1 });
		({ main, workers } = processes);

		const release = portal.holdAnswers();
		const startedAt = performance.now();
		const calls = Promise.all(CALLS.map((call) => callWebhook(main, WEBHOOK_PATH, call)));
		const deadline = Date.now() + 120_000;
		while (portal.restCalls().length < MET_EXPIRED && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
		// Time for any other request to arrive that a gate did not hold.
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		arrivedWhileHeld = portal.restCalls().length;
		release();
		answers = await calls;
		const wallSeconds = (performance.now() - startedAt) / 1000;
		const executions = await settledExecutions(n8n, CALLS.length);
		outcomes = executions.map((execution) => rangeOutcomeOf(execution, NODE, { main, workers }));
		sentAgain = Object.fromEntries(Object.entries(workers).map(([name, worker]) => [name, worker.log().match(SENT_AGAIN)?.length ?? 0]));
		const { granted, refused } = portal.refreshes();
		const errorItems = outcomes.reduce((sum, outcome) => sum + outcome.errorItems.length, 0);
		process.stdout.write(
			`n8n ${N8N_VERSION} queue mode, 2 workers x ${N} items on an expired token: ${errorItems} error items, ${granted} refreshes granted, ${refused} refused, ` +
				`sent again ${Object.entries(sentAgain).map(([name, count]) => `${count} on ${name}`).join(', ')}, wall ${wallSeconds.toFixed(1)} s\n`,
		);
	});

	afterAll(async () => {
		await processes?.stop();
		await redis?.stop();
		await portal?.stop();
		n8n?.remove();
	});

	it(`the two executions ran on the two workers, one request of each meeting the expired token; every item right; refreshes and requests sent again: ${JSON.stringify(EXPECTED)}`, () => {
		expect(outcomes.map(({ first }) => first).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(CALLS.map(({ first }) => first));
		expect(new Set(outcomes.map(({ worker }) => worker))).toEqual(new Set(Object.keys(workers)));
		// Of the CALLS.length * IN_FLIGHT set out, each worker's gate let one go and held the others.
		expect(arrivedWhileHeld).toBe(MET_EXPIRED);
		const codes = portal.restCalls().map((call) => call.errorCode);
		expect(codes.slice(0, MET_EXPIRED)).toEqual(Array(MET_EXPIRED).fill('expired_token'));
		// After those two, each item once, answered.
		expect(codes.slice(MET_EXPIRED)).toEqual(Array(CALLS.length * N).fill(null));

		for (const { execution, first, items, errorItems, error } of outcomes) {
			expect({ status: execution.status, error, errorItems: errorItems.slice(0, 3).map(({ json }) => json) }).toEqual({ status: 'success', error: null, errorItems: [] });
			expect(items.map(({ json }) => json)).toEqual(Array.from({ length: N }, (_, offset) => SETTINGS.bank((first ?? 0) + offset)));
		}
		expect(answers.map(({ status }) => status)).toEqual(CALLS.map(() => 200));

		const { granted, refused } = portal.refreshes();
		expect({ granted, refused, sentAgain: Object.values(sentAgain).reduce((sum, count) => sum + count, 0) }).toEqual(EXPECTED);
		const secrets = portal.secrets();
		const logs = [main, ...Object.values(workers)].map((server) => server.log()).join('\n');
		expect(secrets.filter((secret) => logs.includes(secret))).toEqual([]);
	});
});
