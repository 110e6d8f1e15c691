/**
 * What a portal counted of a run: requests, refusals for its two limits, calls sent, the most requests
 * in flight at once, and how long its answers were held back for its latency.
 */
import type { LoggedRequest, Portal } from '../emulator/portal';

export interface PortalCounts {
	/** REST requests the portal received. */
	requests: number;
	/** Requests refused with QUERY_LIMIT_EXCEEDED: the leaky bucket was full. */
	queryLimitExceeded: number;
	/** Requests answered OPERATION_TIME_LIMIT as a whole. */
	operatingLimitAnswers: number;
	/** Batch commands answered OPERATION_TIME_LIMIT inside a batch. */
	operatingLimitCommands: number;
	/** Batch requests whose answer refused one command or more with OPERATION_TIME_LIMIT. */
	operatingLimitBatches: number;
	/** Method calls sent: each batch command, and each call outside a batch. */
	callsSent: number;
	/** The most REST requests the portal was answering at once. */
	maxInFlight: number;
	/** How long the portal held answers back for its latency, summed; null when it has no latency. */
	heldBackMs: number | null;
}

const callsIn = (request: LoggedRequest) => (request.restMethod === 'batch' ? (request.batchCommands ?? 0) : 1);

export function portalCounts(portal: Portal): PortalCounts {
	const rest = portal.restCalls();
	const stats = portal.stats();
	const held = rest.flatMap((request) => (request.latencyMs === undefined ? [] : [request.latencyMs]));
	return {
		requests: stats.requests,
		queryLimitExceeded: stats.queryLimitExceeded,
		operatingLimitAnswers: stats.operationTimeLimit,
		operatingLimitCommands: stats.operationTimeLimitCommands,
		operatingLimitBatches: rest.filter((request) => (request.operatingLimitedCommands ?? 0) > 0).length,
		callsSent: rest.reduce((sum, request) => sum + callsIn(request), 0),
		maxInFlight: stats.maxInFlight,
		heldBackMs: held.length === 0 ? null : held.reduce((sum, ms) => sum + ms, 0),
	};
}
