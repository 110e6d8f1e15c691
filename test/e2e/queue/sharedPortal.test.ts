// Two executions at once against one portal, in queue mode on n8n 2.41.1: a main takes two production
// webhook calls sent together and queues both; two workers, each taking one job at a time, run one
// each. Every execution turns its call into N invoices and reads their settings in batch calls, so
// both draw from the portal's one leaky bucket at the same time. Each worker is its own process and
// paces by its own count of that bucket: neither sees the other's requests, so the portal refuses
// some with QUERY_LIMIT_EXCEEDED. The node must still bring every item home. The bucket here is
// tighter than the standard plan the node assumes (2/s with a burst of 10 instead of 50), so the two
// contend from their first requests on. The refusals are reported, not asserted: the summary line
// gives them per webhook call, with the most that one batch call met, against the 1 + 5 sends after
// which its 50 items fail.
import type { LoggedRequest, Portal } from '../../../dev/emulator/portal';
import { startPortal } from '../../../dev/emulator/portal';
import { createUserFolder, invoiceSettingsNode, webhookCredentialEntity, workflowEntity } from '../../../dev/harness/n8n';
import type { N8nServer, N8nUserFolder } from '../../../dev/harness/n8n';
import { activateWorkflow, callWebhook, invoiceRangeNode, rangeOutcomeOf, settledExecutions, startQueue, startRedis, webhookTriggerNode } from '../../../dev/harness/queue';
import type { QueueProcesses, RangeOutcome, Redis, WebhookAnswer } from '../../../dev/harness/queue';
import { BATCH_LIMIT } from '../../../nodes/shared/bitrix24/transport/calls';
import { SETTINGS, STANDARD_PORTAL } from '../../support';

const WEBHOOK = { id: 'bx24webhook0002', name: 'Bitrix24 webhook' };
const WORKFLOW_ID = 'bx24e2equeue0002';
const WEBHOOK_PATH = 'bx24-many-invoice-settings';
const NODE = 'Pay System Invoice Settings';

/** Invoices per execution: 40 batch calls each, 80 in all against a burst of 10. */
const N = 2000;
const PORTAL_LIMITS = { drainPerSecond: 2, burst: 10 };
/** What each webhook call asks for: N invoices from `first` on, the two ranges apart. */
const CALLS = [
	{ first: 1, count: N },
	{ first: 5001, count: N },
];
const MIN_REQUESTS = CALLS.length * Math.ceil(N / BATCH_LIMIT);
const REFUSED = 'QUERY_LIMIT_EXCEEDED';

const workflow = workflowEntity({
	id: WORKFLOW_ID,
	name: 'Pay system settings of many invoices on a webhook call',
	nodes: [
		// Answers once the worker has run the execution, so both calls end with their executions.
		webhookTriggerNode('8c1d2b4e-3f5a-4e6b-9c7d-1a2b3c4d5e6f', WEBHOOK_PATH, 'noData'),
		invoiceRangeNode(),
		// Default options: batching on, the standard plan's pacing (adapting to refusals), 3 requests in
		// flight, 30 minutes of waiting for the portal's limits. A failed item goes to the error output, so
		// the run goes on and the failures are counted.
		invoiceSettingsNode(
			NODE,
			{ invoiceId: '={{ $json.invoiceId }}', paySystemBy: 'id', paySystemId: { __rl: true, mode: 'id', value: '12' }, options: {} },
			{ credentials: { bitrix24WebhookApi: WEBHOOK }, onError: 'continueErrorOutput' },
		),
	],
	connections: [
		['Webhook', 'Invoices'],
		['Invoices', NODE],
	],
});

/** The first invoice of the batch call this request carried, or null for a request without one. */
function firstInvoiceOf(params: Record<string, unknown>): number | null {
	const match = /INVOICE_ID=(\d+)/.exec(JSON.stringify(params));
	return match ? Number(match[1]) : null;
}

/** The portal's view of one webhook call's execution: its requests (told apart by their invoices) and their times. */
interface Traffic {
	requests: number;
	refusals: number;
	/** The most times the portal refused one batch call (the same first invoice): refusals use no retry, so this has no cap but the wait bound. */
	mostRefusalsOfOneCall: number;
	from: number;
	to: number;
}

function trafficOf(requests: LoggedRequest[], { first, count }: (typeof CALLS)[number]): Traffic {
	const own = requests.filter(({ params }) => {
		const invoice = firstInvoiceOf(params);
		return invoice !== null && invoice >= first && invoice < first + count;
	});
	const refusalsByCall = new Map<number | null, number>();
	for (const { params, errorCode } of own) {
		const key = firstInvoiceOf(params);
		if (errorCode === REFUSED) refusalsByCall.set(key, (refusalsByCall.get(key) ?? 0) + 1);
	}
	return {
		requests: own.length,
		refusals: own.filter(({ errorCode }) => errorCode === REFUSED).length,
		mostRefusalsOfOneCall: Math.max(0, ...refusalsByCall.values()),
		from: Math.min(...own.map(({ at }) => at)),
		to: Math.max(...own.map(({ at }) => at)),
	};
}

describe('Queue mode, two workers: two executions at once read many invoices from one portal', () => {
	let portal: Portal;
	let redis: Redis;
	let n8n: N8nUserFolder;
	let processes: QueueProcesses | undefined;
	let main: N8nServer;
	let workers: Record<string, N8nServer>;
	let answers: WebhookAnswer[];
	let outcomes: RangeOutcome[];
	let traffic: Traffic[];
	let wallSeconds: number;

	beforeAll(async () => {
		portal = await startPortal({ ...STANDARD_PORTAL, limits: PORTAL_LIMITS, missingInvoiceIds: [] });
		redis = await startRedis();
		n8n = createUserFolder();
		await n8n.importCredentials([webhookCredentialEntity(WEBHOOK, portal.webhookUrl)]);
		await n8n.importWorkflows([workflow]);
		await activateWorkflow(n8n, WORKFLOW_ID);

		processes = await startQueue(n8n, redis.port, { workers: 2, concurrency: 1 });
		({ main, workers } = processes);

		// Both calls leave together; while the main is still registering the webhook, both wait in step.
		const startedAt = performance.now();
		answers = await Promise.all(CALLS.map((call) => callWebhook(main, WEBHOOK_PATH, call)));
		wallSeconds = (performance.now() - startedAt) / 1000;
		const executions = await settledExecutions(n8n, CALLS.length);
		outcomes = executions.map((execution) => rangeOutcomeOf(execution, NODE, { main, workers }));

		const requests = portal.restCalls();
		traffic = CALLS.map((call) => trafficOf(requests, call));
		const refusals = requests.filter(({ errorCode }) => errorCode === REFUSED).length;
		const errorItems = outcomes.reduce((sum, { errorItems: failed }) => sum + failed.length, 0);
		const perCall = CALLS.map(({ first, count }, index) => {
			const ran = outcomes.find((outcome) => outcome.first === first);
			const where = ran === undefined ? 'no execution' : `execution ${ran.execution.id} ${ran.execution.status} on ${ran.worker ?? 'no worker found'}`;
			const { refusals: refused, requests: sent, mostRefusalsOfOneCall } = traffic[index];
			return `invoices ${first}-${first + count - 1}: ${where}, ${refused} refusals of ${sent} requests, at most ${mostRefusalsOfOneCall} refusals of one batch call`;
		});
		const workersUsed = new Set(outcomes.map(({ worker }) => worker));
		const sameWorker = outcomes.length > 1 && workersUsed.size === 1 && !workersUsed.has(null) ? '; both ran on one worker' : '';
		process.stdout.write(
			`queue mode, 2 workers, ${CALLS.length} executions x ${N} items: ${errorItems} error items, ${refusals} refusals of ${requests.length} requests, ` +
				`wall ${wallSeconds.toFixed(1)} s (${perCall.join('; ')}${sameWorker})\n`,
		);
	});

	afterAll(async () => {
		await processes?.stop();
		await redis?.stop();
		await portal?.stop();
		n8n?.remove();
	});

	it('the main queued both calls and the workers ran them, at the same time against the one portal', () => {
		expect(outcomes.map(({ execution: { workflowId, mode }, first }) => ({ workflowId, mode, first })).sort((a, b) => (a.first ?? 0) - (b.first ?? 0))).toEqual(
			CALLS.map(({ first }) => ({ workflowId: WORKFLOW_ID, mode: 'webhook', first })),
		);
		for (const { worker } of outcomes) expect(Object.keys(workers)).toContain(worker);
		expect(main.log()).not.toContain('Worker started execution');

		expect(portal.restCalls().length).toBeGreaterThanOrEqual(MIN_REQUESTS);
		// Each execution's requests span a stretch of time; the two stretches overlap.
		expect(traffic[0].from).toBeLessThan(traffic[1].to);
		expect(traffic[1].from).toBeLessThan(traffic[0].to);
		// Three processes on one SQLite file (WAL): none met a locked database.
		expect([main, ...Object.values(workers)].map((server) => server.log()).join('\n')).not.toMatch(/SQLITE_BUSY|database is locked/i);
	});

	it('each execution succeeded with all N invoices\' bank settings, in order, and no error items', () => {
		for (const { execution, first, items, errorItems, error } of outcomes) {
			const start = first ?? 0;
			expect({ id: execution.id, status: execution.status, error, errorItems: errorItems.length, firstErrors: errorItems.slice(0, 3).map(({ json }) => json) }).toEqual({
				id: execution.id,
				status: 'success',
				error: null,
				errorItems: 0,
				firstErrors: [],
			});
			expect(items.map(({ json }) => json)).toEqual(Array.from({ length: N }, (_, offset) => SETTINGS.bank(start + offset)));
		}
		expect(answers.map(({ status }) => status)).toEqual(CALLS.map(() => 200));
	});
});
