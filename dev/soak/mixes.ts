/** The fault mixes a soak run meets: each one a way a portal misbehaves at 3 a.m. */
import type { FaultMix } from '../emulator/faults';

export interface SoakMix {
	name: string;
	/** What the mix does, in a line for the report. */
	summary: string;
	faults: FaultMix | null;
	authentication: 'webhook' | 'oAuth2';
	/** What the items ask for: an invoice's settings each (`get`, the default), or every payment's of a smart invoice or deal. */
	operation?: 'get' | 'getForCrmItem';
	/** Node options beside the defaults (batch on, 5 retries, standard pacing). */
	options?: Record<string, unknown>;
}

/** The request timeout the soak gives the node, and how late a slow answer comes. */
export const SOAK_TIMEOUT_MS = 1000;
const SLOW_DELAY_MS = 1500;

/** Every kind of fault at a low share, all at once. */
const EVERYTHING: FaultMix = {
	serverError: 0.02,
	reset: 0.02,
	slow: 0.01,
	slowDelayMs: SLOW_DELAY_MS,
	truncated: 0.02,
	badGateway: 0.01,
	unavailable: 0.01,
	operatingLimit: 0.01,
	operatingResetSeconds: 2,
	queryLimitStorm: 0.01,
	stormSeconds: 3,
	expireTokensEvery: 30,
	commandFaults: 0.02,
};

export const SOAK_MIXES: readonly SoakMix[] = [
	{ name: 'clean', summary: 'no faults: the baseline', faults: null, authentication: 'webhook' },
	{
		name: 'server errors',
		summary: '20% of requests: HTTP 500 INTERNAL_SERVER_ERROR',
		faults: { seed: 11, serverError: 0.2 },
		authentication: 'webhook',
	},
	{
		name: 'connection resets',
		summary: '20% of requests: the connection closes without an answer',
		faults: { seed: 12, reset: 0.2 },
		authentication: 'webhook',
	},
	{
		name: 'slow answers',
		summary: `10% of requests: the answer comes after ${SLOW_DELAY_MS} ms, past the ${SOAK_TIMEOUT_MS} ms timeout`,
		faults: { seed: 13, slow: 0.1, slowDelayMs: SLOW_DELAY_MS },
		authentication: 'webhook',
		options: { timeout: SOAK_TIMEOUT_MS },
	},
	{
		name: 'truncated JSON',
		summary: '20% of requests: HTTP 200 with half of the JSON',
		faults: { seed: 14, truncated: 0.2 },
		authentication: 'webhook',
	},
	{
		name: 'HTML 502/503',
		summary: '10% HTML 502 and 10% HTML 503 pages from a proxy',
		faults: { seed: 15, badGateway: 0.1, unavailable: 0.1 },
		authentication: 'webhook',
	},
	{
		name: '503 storms',
		summary: '5% of requests start 3 s in which every request gets 503 QUERY_LIMIT_EXCEEDED',
		faults: { seed: 16, queryLimitStorm: 0.05, stormSeconds: 3 },
		authentication: 'webhook',
	},
	{
		name: '429 with reset',
		summary: '10% of requests: 429 OPERATION_TIME_LIMIT, reset 2 s ahead',
		faults: { seed: 17, operatingLimit: 0.1, operatingResetSeconds: 2 },
		authentication: 'webhook',
	},
	{
		name: 'expiring token',
		summary: 'OAuth2: the access token expires before every 10th request',
		faults: { seed: 18, expireTokensEvery: 10 },
		authentication: 'oAuth2',
	},
	{
		name: 'mixed batch answers',
		summary: '5% of batch commands: QUERY_LIMIT_EXCEEDED, INTERNAL_SERVER_ERROR or left out',
		faults: { seed: 19, commandFaults: 0.05 },
		authentication: 'webhook',
	},
	{
		name: 'everything',
		summary: 'OAuth2, all of the above at lower shares at once',
		faults: { seed: 20, ...EVERYTHING },
		authentication: 'oAuth2',
		options: { timeout: SOAK_TIMEOUT_MS },
	},
	{
		name: 'getForCrmItem clean',
		summary: 'getForCrmItem, no faults: every payment of smart invoices with 2 payments each, and a few seeded objects',
		faults: null,
		authentication: 'webhook',
		operation: 'getForCrmItem',
	},
	{
		name: 'getForCrmItem everything',
		summary: 'getForCrmItem, OAuth2, every fault of "everything" at its share, the full output',
		faults: { seed: 21, ...EVERYTHING },
		authentication: 'oAuth2',
		operation: 'getForCrmItem',
		options: { timeout: SOAK_TIMEOUT_MS, outputMode: 'full' },
	},
];
