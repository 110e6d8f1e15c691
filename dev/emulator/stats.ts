// What the portal counts of its REST requests for a benchmark: refusals, and how many requests it
// serves at once.
import type * as http from 'node:http';

import type { LoggedRequest, PortalStats } from './types';

export class RestStats {
	private counts: PortalStats = RestStats.empty(0);

	private static empty(inFlight: number): PortalStats {
		return { requests: 0, queryLimitExceeded: 0, operationTimeLimit: 0, operationTimeLimitCommands: 0, inFlight, maxInFlight: inFlight };
	}

	/**
	 * Counts a REST request in flight from its arrival; returns what ends it, to call once it is answered.
	 * A client that hangs up first ends it then: the portal may still be working, but nobody waits for it.
	 */
	arrive(response: http.ServerResponse, entry: LoggedRequest): () => void {
		this.counts.requests += 1;
		this.counts.inFlight += 1;
		this.counts.maxInFlight = Math.max(this.counts.maxInFlight, this.counts.inFlight);
		let ended = false;
		const end = () => {
			if (ended) return;
			ended = true;
			this.counts.inFlight -= 1;
			if (entry.errorCode === 'QUERY_LIMIT_EXCEEDED') this.counts.queryLimitExceeded += 1;
			if (entry.errorCode === 'OPERATION_TIME_LIMIT') this.counts.operationTimeLimit += 1;
			this.counts.operationTimeLimitCommands += entry.operatingLimitedCommands ?? 0;
		};
		response.once('close', end);
		return end;
	}

	snapshot(): PortalStats {
		return { ...this.counts };
	}

	reset(): void {
		this.counts = RestStats.empty(this.counts.inFlight);
	}
}
