// The command-line flags of `npm run emulator`: the portal's latency, bucket and run-time budget, so
// several processes can run against one standalone portal set up as a test or benchmark needs.
import { parseArgs } from 'node:util';

import type { PortalOptions } from './types';

export const USAGE = `Usage: npm run emulator -- [flags]   (PORT sets the port, 8080 by default)
  --latency-request-ms MS    every REST answer waits MS (0)
  --latency-call-ms MS       and MS more for each method call it ran, a batch's commands each (0)
  --drain N                  the leaky bucket drains N requests a second (2)
  --burst N                  and refuses a request past N (50)
  --operating-budget S|none  seconds of run time a method may use in the window (480)
  --operating-window S       the window the budget covers, in seconds (600)
  --processing-per-call S    the run time one call books, in seconds (0.01)
  --help                     prints this`;

/** The options the flags set; the defaults are a Bitrix24 portal's, with no latency. */
export interface FlagOptions extends Required<Pick<PortalOptions, 'latency' | 'operatingBudgetSeconds' | 'operatingWindowSeconds' | 'processingSecondsPerCall'>> {
	limits: { drainPerSecond: number; burst: number };
}

const FLAGS: readonly string[] = [
	'latency-request-ms',
	'latency-call-ms',
	'drain',
	'burst',
	'operating-budget',
	'operating-window',
	'processing-per-call',
];

function numberFlag(name: string, value: string | undefined, fallback: number, positive = false): number {
	if (value === undefined) return fallback;
	const parsed = Number(value);
	if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0 || (positive && parsed === 0)) {
		throw new RangeError(`--${name} takes a ${positive ? 'positive' : 'non-negative'} number, got ${JSON.stringify(value)}`);
	}
	return parsed;
}

/** Reads the flags; null when --help asks for the usage instead. Throws a RangeError naming a bad flag. */
export function optionsFromFlags(args: readonly string[]): FlagOptions | null {
	const { values, positionals } = parseArgs({
		args: [...args],
		options: { ...Object.fromEntries(FLAGS.map((flag) => [flag, { type: 'string' as const }])), help: { type: 'boolean' } },
		strict: false,
		allowPositionals: true,
	});
	if (values.help === true) return null;
	for (const [name, value] of Object.entries(values)) {
		if (!FLAGS.includes(name)) throw new RangeError(`Unknown flag --${name}\n${USAGE}`);
		if (typeof value !== 'string') throw new RangeError(`--${name} takes a value\n${USAGE}`);
	}
	const text = (flag: string) => values[flag] as string | undefined;
	const perRequestMs = numberFlag('latency-request-ms', text('latency-request-ms'), 0);
	const perCallMs = numberFlag('latency-call-ms', text('latency-call-ms'), 0);
	const budget = text('operating-budget');
	const options: FlagOptions = {
		latency: perRequestMs > 0 || perCallMs > 0 ? { perRequestMs, perCallMs } : null,
		limits: { drainPerSecond: numberFlag('drain', text('drain'), 2), burst: numberFlag('burst', text('burst'), 50, true) },
		operatingBudgetSeconds: budget === 'none' ? null : numberFlag('operating-budget', budget, 480),
		operatingWindowSeconds: numberFlag('operating-window', text('operating-window'), 600, true),
		processingSecondsPerCall: numberFlag('processing-per-call', text('processing-per-call'), 0.01),
	};
	// After the values: a flag missing its value leaves the next flag's value behind as an argument.
	if (positionals.length > 0) throw new RangeError(`Unexpected argument ${JSON.stringify(positionals[0])}\n${USAGE}`);
	return options;
}

/** The lines that say what the flags set, for the banner. */
export function describeFlags(options: FlagOptions): string[] {
	const { latency, limits, operatingBudgetSeconds: budget } = options;
	const operating =
		budget === null
			? 'no run-time budget'
			: `${budget} s of run time per method in ${options.operatingWindowSeconds} s, ${options.processingSecondsPerCall} s a call`;
	return [
		`Limits: ${limits.drainPerSecond} requests/s, burst ${limits.burst}; ${operating}`,
		latency === null ? 'Latency: none' : `Latency: ${latency.perRequestMs} ms a request + ${latency.perCallMs} ms a method call`,
	];
}
