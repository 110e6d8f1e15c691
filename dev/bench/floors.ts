/**
 * The least wall time a portal's limits leave a run, each with how it was reached: the leaky bucket,
 * answers held back one at a time, and the operating-time budget of a method in its sliding window.
 */
import type { Latency } from '../emulator/portal';
import { formatCount, formatDuration } from '../harness/table';

export interface Floor {
	ms: number;
	/** How the floor follows from the figures, in a line. */
	how: string;
}

export interface BucketLimits {
	drainPerSecond: number;
	burst: number;
}

export interface OperatingBudget {
	windowSeconds: number;
	budgetSeconds: number;
	secondsPerCall: number;
}

/** The first `burst` requests go at once, each later one waits for the bucket to drain one unit. */
export function bucketFloor(requests: number, limits: BucketLimits): Floor {
	const atOnce = Math.min(requests, limits.burst);
	const paced = requests - atOnce;
	return {
		ms: (paced / limits.drainPerSecond) * 1000,
		how:
			paced === 0
				? `all ${formatCount(requests)} requests fit in the burst of ${formatCount(limits.burst)}`
				: `the first ${formatCount(atOnce)} of ${formatCount(requests)} requests at once, the other ${formatCount(paced)} at ${limits.drainPerSecond}/s`,
	};
}

/** Each request waits for its answer before the next one goes: the sum of what the portal holds each back. */
export function oneAtATimeFloor(callsPerRequest: number[], latency: Latency): Floor {
	const calls = callsPerRequest.reduce((sum, count) => sum + count, 0);
	const ms = callsPerRequest.length * latency.perRequestMs + calls * latency.perCallMs;
	return {
		ms,
		how: `${formatCount(callsPerRequest.length)} requests × ${latency.perRequestMs} ms + ${formatCount(calls)} calls × ${latency.perCallMs} ms, one after another`,
	};
}

/**
 * The portal runs a call while the method's calls in the last `windowSeconds` add up to no more than
 * the budget, so one window holds floor(budget / per call) + 1 calls. A run needing k windows' worth
 * can send its last share only once the calls of k − 1 windows have left the window behind them:
 * (k − 1) × window after its first call.
 */
export function budgetFloor(calls: number, budget: OperatingBudget): Floor {
	const perWindow = Math.floor(budget.budgetSeconds / budget.secondsPerCall + 1e-9) + 1;
	const windows = Math.ceil(calls / perWindow);
	const ms = (windows - 1) * budget.windowSeconds * 1000;
	const methodSeconds = calls * budget.secondsPerCall;
	return {
		ms,
		how:
			`${formatCount(calls)} calls × ${budget.secondsPerCall} s = ${methodSeconds.toFixed(1)} s of method time, ` +
			`${(methodSeconds / budget.budgetSeconds).toFixed(1)}× the ${budget.budgetSeconds} s budget; a ${formatDuration(budget.windowSeconds * 1000)} window ` +
			`holds ${formatCount(perWindow)} calls, so ${windows} windows: the last share goes ${windows - 1} × ${formatDuration(budget.windowSeconds * 1000)} after the first call`,
	};
}
