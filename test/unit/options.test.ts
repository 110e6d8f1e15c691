// The shared options as a run reads them (run/options.ts, docs/contract.md#parameters): each number
// clamped into its range, a non-number or unknown preset back to the default.
import type { IDataObject } from 'n8n-workflow';

import { DEFAULT_CLIENT_SETTINGS, clientSettingsOf, optionsCollection, rangeOf } from '../../nodes/shared/bitrix24/run/options';

describe('clientSettingsOf', () => {
	it('gives the defaults for no options', () => {
		expect(DEFAULT_CLIENT_SETTINGS).toEqual({
			rateLimit: { drainPerSecond: 2, burst: 50 },
			parallelRequests: 3,
			maxLimitWaitMs: 30 * 60_000,
			retryPolicy: { baseDelayMs: 500, maxDelayMs: 30_000, maxTotalWaitMs: 11 * 60_000, maxRetries: 5 },
			timeoutMs: 60_000,
		});
	});

	it.each<[string, IDataObject, object]>([
		['the Enterprise preset', { rateLimit: 'enterprise' }, { rateLimit: { drainPerSecond: 5, burst: 250 } }],
		['no pacing', { rateLimit: 'none' }, { rateLimit: null }],
		['an unknown preset: standard', { rateLimit: 'fast' }, { rateLimit: { drainPerSecond: 2, burst: 50 } }],
		['a timeout below 100 ms: 100', { timeout: 5 }, { timeoutMs: 100 }],
		['a timeout above 600000 ms: 600000', { timeout: 10_000_000 }, { timeoutMs: 600_000 }],
		['a timeout as text', { timeout: '2500' }, { timeoutMs: 2_500 }],
		['a timeout that is not a number: the default', { timeout: 'soon' }, { timeoutMs: 60_000 }],
		['Max Retries above 10: 10', { maxRetries: 50 }, { retryPolicy: { ...DEFAULT_CLIENT_SETTINGS.retryPolicy, maxRetries: 10 } }],
		['Max Retries below 0: 0', { maxRetries: -1 }, { retryPolicy: { ...DEFAULT_CLIENT_SETTINGS.retryPolicy, maxRetries: 0 } }],
		['Max Retries of 2.9: 2', { maxRetries: 2.9 }, { retryPolicy: { ...DEFAULT_CLIENT_SETTINGS.retryPolicy, maxRetries: 2 } }],
		['Max Retries of Infinity: the default', { maxRetries: Number.POSITIVE_INFINITY }, { retryPolicy: { ...DEFAULT_CLIENT_SETTINGS.retryPolicy, maxRetries: 5 } }],
	])('%s', (_case, options, expected) => {
		expect(clientSettingsOf(options)).toEqual({ ...DEFAULT_CLIENT_SETTINGS, ...expected });
	});
});

describe('rangeOf and optionsCollection', () => {
	it('gives each whole-number option its default and range', () => {
		expect(['maxRetries', 'maxWaitMinutes', 'parallelRequests', 'timeout'].map(rangeOf)).toEqual([
			{ default: 5, min: 0, max: 10 },
			{ default: 30, min: 0, max: 1440 },
			{ default: 3, min: 1, max: 5 },
			{ default: 60_000, min: 100, max: 600_000 },
		]);
	});

	it('knows no other whole-number option', () => {
		expect(() => rangeOf('batch')).toThrow('No whole-number option "batch"');
		expect(() => rangeOf('rateLimit')).toThrow('No whole-number option "rateLimit"');
	});

	it('lists a node\'s own options among the shared ones by name', () => {
		const own = { displayName: 'Output', name: 'outputMode', type: 'string' as const, default: '' };
		const collection = optionsCollection([own]);
		expect([collection.displayName, collection.name, collection.type, collection.placeholder, collection.default]).toEqual(['Options', 'options', 'collection', 'Add option', {}]);
		expect((collection.options as Array<{ displayName: string }>).map((option) => option.displayName)).toEqual([
			'Batch Requests',
			'Max Retries',
			'Max Wait for Portal Limits',
			'Output',
			'Parallel Requests',
			'Portal Rate Limit',
			'Timeout',
		]);
	});
});
