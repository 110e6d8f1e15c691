/**
 * The options every node of the package shares (docs/contract.md#parameters): how each looks in the
 * editor, its default and range, and how a run reads it. A range is written once, in the option's
 * description, and the run clamps to the same range the editor shows.
 */
import type { IDataObject, INodeProperties, NodeHint } from 'n8n-workflow';

import { BACKOFF } from '../limits/retryPolicy';
import { rateLimitOf } from '../limits/pacing';
import type { ClientSettings } from '../transport/client';

/** The shared options, for a node's Options collection (which lists its options by name). */
export const CLIENT_OPTIONS: readonly INodeProperties[] = [
	{
		displayName: 'Batch Requests',
		name: 'batch',
		type: 'boolean',
		default: true,
		description:
			'Whether to send up to 50 calls in one Bitrix24 batch call, which is far faster on rate-limited portals. The first input item decides for the whole run.',
	},
	{
		displayName: 'Max Retries',
		name: 'maxRetries',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 0, maxValue: 10, numberPrecision: 0 },
		description:
			'How many times to send a request again after a temporary failure (server error, connection reset or timeout), with growing waits. 0 turns retries off. Refusals for the portal\'s limits do not count: Max Wait for Portal Limits bounds them.',
	},
	// Two full 10-minute operating windows, and the pacing around them (docs/contract.md#bounds).
	{
		displayName: 'Max Wait for Portal Limits',
		name: 'maxWaitMinutes',
		type: 'number',
		default: 30,
		typeOptions: { minValue: 0, maxValue: 1440, numberPrecision: 0 },
		description:
			'How long, in minutes, the run may wait in all when the portal refuses requests for its rate limit or a method has used up its operating time (480 s per 10 minutes on cloud portals). The default covers two full operating windows. Past it, the items still waiting fail with the portal\'s error.',
	},
	// Three requests in flight hide a slow portal's latency (docs/contract.md#parallel-requests).
	{
		displayName: 'Parallel Requests',
		name: 'parallelRequests',
		type: 'number',
		default: 3,
		typeOptions: { minValue: 1, maxValue: 5, numberPrecision: 0 },
		description:
			'How many requests may be on their way to the portal at once, within its rate limit, to hide a slow portal\'s answer time. After the portal refuses one, the node sends one at a time until it has slowed down enough. 1 sends one request at a time.',
	},
	{
		displayName: 'Portal Rate Limit',
		name: 'rateLimit',
		type: 'options',
		options: [
			{
				name: 'Standard (2 Requests/s, Burst 50)',
				value: 'standard',
				description: 'The limit of Bitrix24 cloud plans other than Enterprise',
			},
			{
				name: 'Enterprise (5 Requests/s, Burst 250)',
				value: 'enterprise',
				description: 'The limit of Bitrix24 Enterprise plans',
			},
			{
				name: 'None (Self-Hosted Portal)',
				value: 'none',
				description: 'Send without pacing, for a self-hosted Bitrix24 that enforces no limit',
			},
		],
		default: 'standard',
		description:
			'The request limit of the portal. The node spaces its requests to stay within it, so runs do not meet QUERY_LIMIT_EXCEEDED.',
	},
	{
		displayName: 'Timeout',
		name: 'timeout',
		type: 'number',
		default: 60000,
		typeOptions: { minValue: 100, maxValue: 600000, numberPrecision: 0 },
		description:
			'How long to wait for the portal to answer one request, in milliseconds. A request that takes longer counts as timed out and is sent again while retries remain.',
	},
];

/** The editor's note after a run with batching off, for every node with the shared options. */
export const BATCH_OFF_HINT: NodeHint = {
	message:
		'Batch Requests is off: each call takes a request of its own, about 2 a second on a standard portal. Turn it on to send up to 50 calls per request.',
	type: 'info',
	location: 'outputPane',
	whenToDisplay: 'afterExecution',
	displayCondition: '={{ $parameter["options"]["batch"] === false }}',
};

/** A node's Options collection: the shared options and its own, in the order the editor lists them (by name). */
export function optionsCollection(own: readonly INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [...CLIENT_OPTIONS, ...own].sort((left, right) => left.displayName.localeCompare(right.displayName)),
	};
}

/** A whole-number option's default and the values it may take, as the editor shows them. */
export interface OptionRange {
	default: number;
	min: number;
	max: number;
}

export function rangeOf(name: string): OptionRange {
	const option = CLIENT_OPTIONS.find((candidate) => candidate.name === name && candidate.type === 'number');
	if (option === undefined) throw new Error(`No whole-number option "${name}"`);
	return { default: Number(option.default), min: Number(option.typeOptions?.minValue), max: Number(option.typeOptions?.maxValue) };
}

/** A whole number from an option, held within its range; the default when it is not a number. */
function wholeNumberOf(options: IDataObject, name: string): number {
	const range = rangeOf(name);
	const requested = Number(options[name] ?? range.default);
	return Number.isFinite(requested) ? Math.min(range.max, Math.max(range.min, Math.floor(requested))) : range.default;
}

/** The run's pacing, requests in flight, waiting, retry and timeout settings, from the first item's options. */
export function clientSettingsOf(options: IDataObject): ClientSettings {
	return {
		rateLimit: rateLimitOf(options.rateLimit ?? 'standard'),
		parallelRequests: wholeNumberOf(options, 'parallelRequests'),
		maxLimitWaitMs: wholeNumberOf(options, 'maxWaitMinutes') * 60_000,
		retryPolicy: { ...BACKOFF, maxRetries: wholeNumberOf(options, 'maxRetries') },
		timeoutMs: wholeNumberOf(options, 'timeout'),
	};
}

/** The settings of a run whose options are all left at their defaults (also the editor's list searches). */
export const DEFAULT_CLIENT_SETTINGS: Readonly<ClientSettings> = clientSettingsOf({});
