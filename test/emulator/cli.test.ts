import { USAGE, describeFlags, optionsFromFlags } from '../../dev/emulator/cli';

const DEFAULTS = {
	latency: null,
	limits: { drainPerSecond: 2, burst: 50 },
	operatingBudgetSeconds: 480,
	operatingWindowSeconds: 600,
	processingSecondsPerCall: 0.01,
};

describe('the flags of npm run emulator', () => {
	it('sets up a Bitrix24 portal without latency when none are given', () => {
		expect(optionsFromFlags([])).toEqual(DEFAULTS);
		expect(describeFlags(DEFAULTS)).toEqual([
			'Limits: 2 requests/s, burst 50; 480 s of run time per method in 600 s, 0.01 s a call',
			'Latency: none',
		]);
	});

	it('reads every flag, as --flag value or --flag=value', () => {
		const options = optionsFromFlags([
			'--latency-request-ms',
			'200',
			'--latency-call-ms=30',
			'--drain',
			'0.5',
			'--burst=10',
			'--operating-budget',
			'1.5',
			'--operating-window',
			'5',
			'--processing-per-call=0.25',
		]);
		expect(options).toEqual({
			latency: { perRequestMs: 200, perCallMs: 30 },
			limits: { drainPerSecond: 0.5, burst: 10 },
			operatingBudgetSeconds: 1.5,
			operatingWindowSeconds: 5,
			processingSecondsPerCall: 0.25,
		});
		expect(describeFlags(options!)).toEqual([
			'Limits: 0.5 requests/s, burst 10; 1.5 s of run time per method in 5 s, 0.25 s a call',
			'Latency: 200 ms a request + 30 ms a method call',
		]);
	});

	it('sets a latency when either part is given, and no budget for none', () => {
		const options = optionsFromFlags(['--latency-call-ms', '30', '--operating-budget', 'none']);
		expect(options).toEqual({ ...DEFAULTS, latency: { perRequestMs: 0, perCallMs: 30 }, operatingBudgetSeconds: null });
		expect(describeFlags(options!)[0]).toBe('Limits: 2 requests/s, burst 50; no run-time budget');
	});

	it('refuses a flag it does not know, or a value that is not a number in range, naming it', () => {
		expect(() => optionsFromFlags(['--latency', '5'])).toThrow(new RangeError(`Unknown flag --latency\n${USAGE}`));
		expect(() => optionsFromFlags(['200'])).toThrow(new RangeError(`Unexpected argument "200"\n${USAGE}`));
		expect(() => optionsFromFlags(['--drain'])).toThrow(new RangeError(`--drain takes a value\n${USAGE}`));
		expect(() => optionsFromFlags(['--drain', 'fast'])).toThrow(new RangeError('--drain takes a non-negative number, got "fast"'));
		expect(() => optionsFromFlags(['--latency-request-ms', '-1'])).toThrow(new RangeError('--latency-request-ms takes a non-negative number, got "-1"'));
		expect(() => optionsFromFlags(['--burst', '0'])).toThrow(new RangeError('--burst takes a positive number, got "0"'));
		expect(() => optionsFromFlags(['--operating-window='])).toThrow(new RangeError('--operating-window takes a positive number, got ""'));
		expect(() => optionsFromFlags(['--operating-budget', '--burst', '5'])).toThrow(new RangeError('--operating-budget takes a non-negative number, got "--burst"'));
	});

	it('asks for the usage with --help', () => {
		expect(optionsFromFlags(['--help'])).toBeNull();
		for (const flag of ['latency-request-ms', 'latency-call-ms', 'drain', 'burst', 'operating-budget', 'operating-window', 'processing-per-call', 'help']) {
			expect(USAGE).toContain(`\n  --${flag} `);
		}
	});
});
