import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';

import { startPortal } from '../../dev/emulator/portal';
import type { Portal } from '../../dev/emulator/portal';
import { CARD_INVOICE, METHOD, expectBetween, post, windowEnds } from './post';
import type { Reply } from './post';

/** Makes `count` calls one after another, as one client does, and returns their statuses. */
async function loop(count: number, call: () => Promise<Reply>): Promise<number[]> {
	const statuses: number[] = [];
	for (let index = 0; index < count; index++) statuses.push((await call()).status);
	return statuses;
}

const count = (statuses: number[], status: number) => statuses.filter((value) => value === status).length;

describe('several clients against one portal share its bucket and its run-time ledger', () => {
	let portal: Portal;
	let bearer: Record<string, string>;

	beforeAll(async () => {
		portal = await startPortal();
		bearer = { Authorization: `Bearer ${portal.issueTokens().access_token}` };
	});

	afterAll(async () => {
		await portal.stop();
	});

	beforeEach(() => {
		portal.resetStats();
		portal.setOptions({ limits: null, operatingBudgetSeconds: null });
	});

	it('refuses two clients calling at once as it refuses one client making all their calls', async () => {
		// A bucket that hardly drains: 5 requests fit, whoever sends them.
		portal.setOptions({ limits: { drainPerSecond: 0.001, burst: 5 } });
		const [webhook, oauth] = await Promise.all([
			loop(6, () => post(`${portal.webhookUrl}scope`)),
			loop(6, () => post(`${portal.origin}/rest/scope`, {}, bearer)),
		]);
		// Once the bucket is full each client is refused from then on.
		for (const statuses of [webhook, oauth]) expect(statuses).toEqual([...statuses].sort((left, right) => left - right));
		expect([count([...webhook, ...oauth], 200), count([...webhook, ...oauth], 503)]).toEqual([5, 7]);
		const shared = portal.stats();
		expect(shared).toMatchObject({ requests: 12, queryLimitExceeded: 7, inFlight: 0 });
		expect(shared.maxInFlight).toBeLessThanOrEqual(2);

		portal.resetStats();
		portal.setOptions({ limits: { drainPerSecond: 0.001, burst: 5 } });
		const alone = await loop(12, () => post(`${portal.webhookUrl}scope`));
		expect(alone).toEqual([200, 200, 200, 200, 200, 503, 503, 503, 503, 503, 503, 503]);
		expect(portal.stats()).toEqual({ ...shared, maxInFlight: 1 });
	});

	it('books a webhook and an OAuth token against the same run time of a method', async () => {
		portal.setOptions({ operatingBudgetSeconds: 0.02, processingSecondsPerCall: 0.01 });
		const viaWebhook = () => post(`${portal.webhookUrl}${METHOD}`, CARD_INVOICE);
		const viaToken = () => post(`${portal.origin}/rest/${METHOD}`, CARD_INVOICE, bearer);
		expect((await viaWebhook()).body.time.operating).toBe(0.01);
		expect((await viaToken()).body.time.operating).toBe(0.02);
		expect((await viaWebhook()).body.time.operating).toBe(0.03);
		const blocked = await viaToken();
		expect([blocked.status, blocked.body.error, blocked.body.time.operating]).toEqual([429, 'OPERATION_TIME_LIMIT', 0.03]);
		expect(portal.stats()).toMatchObject({ requests: 4, operationTimeLimit: 1 });
	});
});

describe('a standalone portal from npm run emulator, set up by its flags, shared by two clients', () => {
	const flags = ['--burst', '8', '--drain', '0.001', '--operating-budget', '0.02', '--operating-window', '30', '--processing-per-call', '0.01'];
	let child: ChildProcessWithoutNullStreams;
	let banner = '';

	beforeAll(async () => {
		const tsx = require.resolve('tsx/cli');
		child = spawn(process.execPath, [tsx, 'dev/emulator/main.ts', ...flags, '--latency-request-ms=50'], {
			cwd: path.resolve(__dirname, '../..'),
			env: { ...process.env, PORT: '0' },
		});
		child.stderr.setEncoding('utf8');
		child.stdout.setEncoding('utf8');
		await new Promise<void>((resolve, reject) => {
			child.stdout.on('data', (chunk: string) => {
				banner += chunk;
				if (banner.includes('Press Ctrl+C')) resolve();
			});
			child.stderr.on('data', (chunk: string) => reject(new Error(chunk)));
			child.once('exit', (code) => reject(new Error(`The emulator exited with ${code}`)));
		});
	});

	afterAll(async () => {
		if (child.exitCode !== null) return;
		const exited = new Promise((resolve) => child.once('exit', resolve));
		child.kill('SIGTERM');
		await exited;
	});

	const url = (label: string) => new RegExp(`${label}:\\s+(\\S+)`).exec(banner)?.[1] ?? '';

	it('says what its flags set', () => {
		expect(banner).toContain('Limits: 0.001 requests/s, burst 8; 0.02 s of run time per method in 30 s, 0.01 s a call\n');
		expect(banner).toContain('Latency: 50 ms a request + 0 ms a method call\n');
	});

	it('holds every answer, and counts both clients against one bucket and one budget', async () => {
		const [first, second] = [url('Webhook URL'), url('Without pay_system')];
		expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/rest\/1\/[0-9a-f]+\/$/);
		// Two calls each of one method: 0.03 s booked after three, so whichever comes fourth is refused.
		const both = await Promise.all([loop(2, () => post(`${first}scope`)), loop(2, () => post(`${second}scope`))]);
		expect(both.flat().sort()).toEqual([200, 200, 200, 429]);
		const times = [];
		for (let index = 0; index < 3; index++) times.push((await post(`${first}${METHOD}`, CARD_INVOICE)).body.time);
		expect(times.map((time) => time.operating)).toEqual([0.01, 0.02, 0.03]);
		for (const time of times) expect(time.duration).toBeGreaterThanOrEqual(0.045);
		const blocked = await post(`${first}${METHOD}`, CARD_INVOICE);
		expect([blocked.status, blocked.body.error]).toEqual([429, 'OPERATION_TIME_LIMIT']);
		expectBetween(blocked.body.time.operating_reset_at, windowEnds(times[0], 30));
		// The ninth request overflows the bucket of 8, from either client.
		const refused = await post(`${second}scope`);
		expect([refused.status, refused.body.error]).toEqual([503, 'QUERY_LIMIT_EXCEEDED']);
	});
});
