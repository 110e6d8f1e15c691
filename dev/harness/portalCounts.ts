/**
 * What a portal counted of a run: requests, refusals for its two limits, calls, and (where the portal
 * keeps them) requests in flight at once and how long answers were held back. Read from the portal's
 * stats call when it has one, else from its request log, which has no word on the last two.
 */
import type { LoggedRequest, Portal } from '../emulator/portal';

export interface PortalCounts {
	/** REST requests the portal received. */
	requests: number;
	/** Requests refused with QUERY_LIMIT_EXCEEDED: the leaky bucket was full. */
	queryLimitExceeded: number;
	/** Requests answered OPERATION_TIME_LIMIT as a whole. */
	operatingLimitAnswers: number;
	/** Batch commands answered OPERATION_TIME_LIMIT inside a batch; null when the portal does not count them. */
	operatingLimitCommands: number | null;
	/** Method calls sent: each batch command, and each call outside a batch. */
	callsSent: number;
	/** The most requests the portal was answering at once; null when it does not count them. */
	maxInFlight: number | null;
	/** How long the portal held answers back for its latency, summed; null when it logs no latency. */
	heldBackMs: number | null;
}

/** The counts a portal's stats call gives, as far as they go beyond the log. */
interface StatsCall {
	stats(): { operationTimeLimitCommands?: number; maxInFlight?: number };
}

function hasStats(portal: Portal): portal is Portal & StatsCall {
	return typeof (portal as Partial<StatsCall>).stats === 'function';
}

const callsIn = (request: LoggedRequest) => (request.restMethod === 'batch' ? (request.batchCommands ?? 0) : 1);

export function portalCounts(portal: Portal): PortalCounts {
	const rest = portal.restCalls();
	const latencies = rest.map((request) => (request as LoggedRequest & { latencyMs?: number }).latencyMs);
	const stats = hasStats(portal) ? portal.stats() : {};
	return {
		requests: rest.length,
		queryLimitExceeded: rest.filter((request) => request.errorCode === 'QUERY_LIMIT_EXCEEDED').length,
		operatingLimitAnswers: rest.filter((request) => request.errorCode === 'OPERATION_TIME_LIMIT').length,
		operatingLimitCommands: stats.operationTimeLimitCommands ?? null,
		callsSent: rest.reduce((sum, request) => sum + callsIn(request), 0),
		maxInFlight: stats.maxInFlight ?? null,
		heldBackMs: latencies.some((ms) => typeof ms === 'number') ? latencies.reduce<number>((sum, ms) => sum + (ms ?? 0), 0) : null,
	};
}
