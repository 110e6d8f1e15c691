// The provider calls back twice at once with the same transactions, in queue mode (2.41.1, or 1.123.81
// with N8N_VERSION): a main takes both production webhook calls and queues them; two workers, each
// taking one job at a time, run one each, and their Bitrix24 Pay System nodes confirm the same payments
// against one portal at the same time. The in-process wait of confirmations for the same payment does
// not reach across processes, and Bitrix24 offers no atomic read-and-write. The portal holds its answers
// until both workers' first reads have arrived, so both read every payment unpaid, the worst case: both
// send pay.payment for the same transaction, which the portal applies twice (harmless: the same
// transaction written over itself). What must hold: every item ends `confirmed` or `alreadyConfirmed`,
// never on the error output; every payment is paid and names its transaction; and the portal applied
// exactly as many pay.payment calls per payment as items came out `confirmed` for it.
import type { Portal } from '../../../dev/emulator/portal';
import { startPortal } from '../../../dev/emulator/portal';
import { createUserFolder, paySystemNode, webhookCredentialEntity, workflowEntity } from '../../../dev/harness/n8n';
import type { N8nServer, N8nUserFolder } from '../../../dev/harness/n8n';
import { activateWorkflow, bodyListNode, callWebhook, settledExecutions, startQueue, startRedis, webhookTriggerNode, workerThatRan } from '../../../dev/harness/queue';
import type { QueueProcesses, Redis, WebhookAnswer } from '../../../dev/harness/queue';
import { storedNodeRun, storedRunError } from '../../../dev/harness/storedRun';
import type { StoredItem } from '../../../dev/harness/storedRun';
import { STANDARD_PORTAL, confirmPayment, paymentCallback } from '../../support';

const WEBHOOK = { id: 'bx24webhook0003', name: 'Bitrix24 webhook' };
const WORKFLOW_ID = 'bx24e2equeue0003';
const WEBHOOK_PATH = 'bx24-payment-callbacks';
const NODE = 'Confirm';

/** Generated smart invoices 1000..1019: the second payment of each is unpaid, 200 USD on pay system 12. */
const N = 20;
const CALLBACKS = Array.from({ length: N }, (_, index) => paymentCallback(10_000_000 + (1000 + index) * 10 + 2, 12, 200));
const BODY = { callbacks: CALLBACKS };
/** How long the portal waits for both workers' first reads before it answers anyway. */
const BOTH_READS_MS = 60_000;

const workflow = workflowEntity({
	id: WORKFLOW_ID,
	name: 'Pay System: confirm the provider\'s callbacks on a webhook call',
	nodes: [
		webhookTriggerNode('5b0e9c1a-7d3f-4a2e-8b6c-9f1e2d3c4b5a', WEBHOOK_PATH, 'noData'),
		bodyListNode('Callbacks', 'callbacks'),
		paySystemNode(NODE, confirmPayment(), { credentials: { bitrix24WebhookApi: WEBHOOK }, onError: 'continueErrorOutput' }),
	],
	connections: [
		['Webhook', 'Callbacks'],
		['Callbacks', NODE],
	],
});

interface Outcome {
	status: string;
	worker: string | null;
	error: string | null;
	items: StoredItem[];
	errorItems: StoredItem[];
}

describe('Queue mode, two workers: the same callbacks confirmed twice at once', () => {
	let portal: Portal;
	let redis: Redis;
	let n8n: N8nUserFolder;
	let processes: QueueProcesses | undefined;
	let main: N8nServer;
	let workers: Record<string, N8nServer>;
	let answers: WebhookAnswer[];
	let outcomes: Outcome[];

	beforeAll(async () => {
		portal = await startPortal({ ...STANDARD_PORTAL, webhookScopes: ['pay_system', 'crm', 'sale'], maxEntityId: 1000 + N - 1 });
		redis = await startRedis();
		n8n = createUserFolder();
		await n8n.importCredentials([webhookCredentialEntity(WEBHOOK, portal.webhookUrl)]);
		await n8n.importWorkflows([workflow]);
		await activateWorkflow(n8n, WORKFLOW_ID);

		processes = await startQueue(n8n, redis.port, { workers: 2, concurrency: 1 });
		({ main, workers } = processes);
		const startedAt = performance.now();
		const release = portal.holdAnswers();
		const answered = Promise.all([BODY, BODY].map((body) => callWebhook(main, WEBHOOK_PATH, body)));
		// Each worker's first request is its batch read of the 20 payments.
		const deadline = Date.now() + BOTH_READS_MS;
		while (portal.restCalls().length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
		const readsHeld = portal.restCalls().length;
		release();
		answers = await answered;
		const wallSeconds = (performance.now() - startedAt) / 1000;
		const executions = await settledExecutions(n8n, 2);
		outcomes = executions.map((execution) => {
			const node = storedNodeRun(execution, NODE);
			return {
				status: execution.status,
				worker: workerThatRan(main, workers, execution.id),
				error: node?.error ?? storedRunError(execution),
				items: node?.outputs[0] ?? [],
				errorItems: node?.outputs[1] ?? [],
			};
		});
		const sentTwice = CALLBACKS.filter(({ paymentId }) => portal.payments.payCalls(paymentId as number) === 2).length;
		process.stdout.write(
			`queue mode, 2 workers, 2 executions x ${N} callbacks: ${readsHeld} reads held, ${sentTwice} of ${N} payments confirmed by both workers, ` +
				`${portal.restCalls().length} requests, wall ${wallSeconds.toFixed(1)} s\n`,
		);
	});

	afterAll(async () => {
		await processes?.stop();
		await redis?.stop();
		await portal?.stop();
		n8n?.remove();
	});

	it('the main queued both calls, and each worker ran one', () => {
		expect(answers.map(({ status }) => status)).toEqual([200, 200]);
		expect(outcomes.map(({ status, error }) => ({ status, error }))).toEqual([
			{ status: 'success', error: null },
			{ status: 'success', error: null },
		]);
		expect(outcomes.map(({ worker }) => worker).sort()).toEqual(['worker 1', 'worker 2']);
		expect(main.log()).not.toContain('Worker started execution');
		expect([main, ...Object.values(workers)].map((server) => server.log()).join('\n')).not.toMatch(/SQLITE_BUSY|database is locked/i);
	});

	it('every item of both executions is confirmed or alreadyConfirmed, in input order; none on the error output', () => {
		for (const { items, errorItems } of outcomes) {
			expect(errorItems.map(({ json }) => json)).toEqual([]);
			expect(items.map(({ json }) => ({ ...json, status: 'confirmed or alreadyConfirmed' }))).toEqual(
				CALLBACKS.map(({ paymentId, paySystemId, transactionId }) => ({ paymentId, paySystemId, transactionId, sum: 200, currency: 'USD', status: 'confirmed or alreadyConfirmed' })),
			);
			expect(items.filter(({ json }) => json.status !== 'confirmed' && json.status !== 'alreadyConfirmed')).toEqual([]);
		}
	});

	it('both workers read every payment unpaid before either wrote: both confirmed all of them', () => {
		expect(outcomes.map(({ items }) => items.map(({ json }) => json.status))).toEqual([CALLBACKS.map(() => 'confirmed'), CALLBACKS.map(() => 'confirmed')]);
	});

	it('every payment is paid and names its transaction; the portal applied one pay.payment per confirmed item, two per payment', () => {
		const confirmedItems = (paymentId: unknown) => outcomes.flatMap(({ items }) => items).filter(({ json }) => json.paymentId === paymentId && json.status === 'confirmed').length;
		expect(
			CALLBACKS.map(({ paymentId }) => {
				const record = portal.payments.get(paymentId as number);
				return { paymentId, paid: record?.paid, psInvoiceId: record?.psInvoiceId, payCalls: portal.payments.payCalls(paymentId as number) };
			}),
		).toEqual(CALLBACKS.map(({ paymentId, transactionId }) => ({ paymentId, paid: 'Y', psInvoiceId: transactionId, payCalls: confirmedItems(paymentId) })));
		expect(CALLBACKS.map(({ paymentId }) => portal.payments.payCalls(paymentId as number))).toEqual(CALLBACKS.map(() => 2));
	});
});
