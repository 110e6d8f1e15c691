// The process-wide keyed lock (run/keyedLocks.ts): holders of a key go one after another, a stopped
// waiter gives up its place, and a run's items with the same key go in input order.
import { KeyedLocks, RunLocks } from '../../nodes/shared/bitrix24/run/keyedLocks';

const never = new Promise<void>(() => undefined);

describe('KeyedLocks', () => {
	it('lets the second holder of a key go only once the first released it; other keys do not wait', async () => {
		const locks = new KeyedLocks();
		const order: string[] = [];
		const first = await locks.acquire('https://a payment 501', never);
		const second = locks.acquire('https://a payment 501', never).then((release) => (order.push('second'), release));
		const other = await locks.acquire('https://a payment 502', never);
		order.push('other');
		await Promise.resolve();
		expect(order).toEqual(['other']);
		first!();
		(await second)!();
		other!();
		expect(order).toEqual(['other', 'second']);
		await new Promise((resolve) => setImmediate(resolve));
		expect(locks.size).toBe(0);
	});

	it('a waiter whose run stops gets null and gives its place up', async () => {
		const locks = new KeyedLocks();
		const first = await locks.acquire('k', never);
		let stop: () => void = () => undefined;
		const stopped = new Promise<void>((resolve) => (stop = resolve));
		const waiting = locks.acquire('k', stopped);
		stop();
		expect(await waiting).toBeNull();
		const third = locks.acquire('k', never);
		first!();
		expect(await third).not.toBeNull();
	});
});

describe('RunLocks', () => {
	it('holds each key once, blocks later items of the same key until the earlier are done, and releases after the last', async () => {
		const locks = new KeyedLocks();
		const run = new RunLocks(['k1', null, 'k1', 'k2'], locks);
		expect(await run.acquire(never)).toBe(true);
		expect([0, 1, 2, 3].map((index) => run.blocked(index))).toEqual([false, false, true, false]);
		const other = new RunLocks(['k1'], locks);
		let otherHolds = false;
		const otherAcquired = other.acquire(never).then(() => (otherHolds = true));
		run.done(0);
		expect(run.blocked(2)).toBe(false);
		await new Promise((resolve) => setImmediate(resolve));
		expect(otherHolds).toBe(false);
		run.done(2);
		await otherAcquired;
		expect(otherHolds).toBe(true);
		run.releaseAll();
		other.releaseAll();
	});
});
