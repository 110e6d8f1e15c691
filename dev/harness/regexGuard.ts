/**
 * n8n-workflow runs the regular expressions of node parameters (a resource locator's `validation`,
 * checked before every run) in a `vm` context with a 250 ms wall-clock limit, its guard against
 * catastrophic backtracking. That limit counts the machine's time, not the expression's: in CI, with
 * two n8n lines, Chromium and these tests sharing two cores, a scheduling or garbage-collection pause
 * inside one call passes it, and a run fails with "Regular expression execution timed out" before the
 * node starts. The engine tests keep the same guard, the same `vm` evaluation and the same answers,
 * with a limit sized for a busy machine.
 */
import vm from 'node:vm';

import * as workflow from 'n8n-workflow';

const LIMIT_MS = 10_000;

type Scripted = 'exec' | 'test' | 'replace' | 'matchAll' | 'split';

interface Context {
	pattern: string;
	flags: string;
	input: string;
	replacement: string;
	result: unknown;
}

function busyMachineEngine() {
	const context: Context = { pattern: '', flags: '', input: '', replacement: '', result: undefined };
	const sandbox = vm.createContext(context);
	const scripts: Record<Scripted, vm.Script> = {
		exec: new vm.Script('result = new RegExp(pattern, flags).exec(input)'),
		test: new vm.Script('result = new RegExp(pattern, flags).test(input)'),
		replace: new vm.Script('result = input.replace(new RegExp(pattern, flags), replacement)'),
		matchAll: new vm.Script('result = Array.from(input.matchAll(new RegExp(pattern, flags)))'),
		split: new vm.Script('result = input.split(new RegExp(pattern, flags))'),
	};
	const run = (script: Scripted, pattern: string, input: string, flags = '', replacement = '') => {
		Object.assign(context, { pattern, input, flags, replacement, result: undefined });
		scripts[script].runInContext(sandbox, { timeout: LIMIT_MS });
		return context.result;
	};
	const global = (flags?: string) => (flags?.includes('g') ? flags : `${flags ?? ''}g`);
	return {
		exec: (pattern: string, input: string, flags?: string) => run('exec', pattern, input, flags),
		test: (pattern: string, input: string, flags?: string) => run('test', pattern, input, flags),
		replace: (pattern: string, input: string, flags: string | undefined, replacement: string) => run('replace', pattern, input, flags, replacement),
		matchAll: (pattern: string, input: string, flags?: string) => run('matchAll', pattern, input, global(flags)),
		split: (pattern: string, input: string, flags?: string) => run('split', pattern, input, flags),
	};
}

// n8n-workflow 1.x has no such guard (and no setter): nothing to size there.
const setEngine = (workflow as unknown as { setSafeRegexEngine?: (engine: unknown) => void }).setSafeRegexEngine;
setEngine?.(busyMachineEngine());
