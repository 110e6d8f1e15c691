// @ts-check
/**
 * Mutation testing (`npm run mutate`, dev/mutate/run.mjs): StrykerJS changes the product code under
 * nodes/ and credentials/ one small bug at a time and runs the tests that reached the change; a mutant
 * the tests do not fail on has survived. Not part of `npm test` nor of CI: run.mjs takes one folder at
 * a time, in two passes, with the environment it sets:
 *
 * - MUTATE_FOLDER: errors, limits, transport, run, credentials or node (dev/mutate/folders.mjs).
 * - MUTATE_PASS=dynamic: every mutant of the folder but the static ones (code that runs when a module
 *   loads: tables, patterns, descriptions), with the folder's tests, each mutant with the tests that
 *   reached it.
 * - MUTATE_PASS=static: only the static mutants, whose places MUTATE_RANGES names (the first pass
 *   reports them ignored). No test in particular reaches them, so each runs every test of the
 *   folder's `staticTests`, the unit tests that check those tables and texts.
 */
import { FOLDERS } from './dev/mutate/folders.mjs';

const folder = process.env.MUTATE_FOLDER ?? '';
const pass = process.env.MUTATE_PASS ?? 'dynamic';
if (!Object.hasOwn(FOLDERS, folder)) throw new Error(`MUTATE_FOLDER must be one of ${Object.keys(FOLDERS).join(', ')}: run \`npm run mutate\``);
const isStatic = pass === 'static';
const name = isStatic ? `${folder}.static` : folder;
const mutate = isStatic ? (process.env.MUTATE_RANGES ?? '').split(',').filter((range) => range !== '') : FOLDERS[folder].mutate;
process.env.MUTATE_TESTS = (isStatic ? FOLDERS[folder].staticTests : FOLDERS[folder].tests).join(',');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
	testRunner: 'jest',
	// The engine tests load the package by a path built at run time, which jest's search for related
	// tests cannot follow: every test of the list is a candidate, and coverage picks.
	jest: { projectType: 'custom', configFile: 'dev/mutate/jest.config.js', enableFindRelatedTests: false },
	mutate,
	coverageAnalysis: 'perTest',
	ignoreStatic: !isStatic,
	// The TypeScript checker would cost more time than the mutants it rules out save: a mutant that does
	// not compile fails in ts-jest, which counts as killed.
	checkers: [],
	// Two cores, shared: one test runner on each (MUTATE_CONCURRENCY=1 leaves one to another run).
	concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 2),
	// Engine tests wait for pacing and backoff; a busy machine stretches them.
	timeoutMS: 20000,
	timeoutFactor: 2,
	dryRunTimeoutMinutes: 20,
	// A later run of the folder tests again only the mutants whose code or tests changed.
	incremental: true,
	incrementalFile: `reports/mutation/${name}.incremental.json`,
	reporters: ['clear-text', 'progress-append-only', 'json'],
	clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0, reportScoreTable: true },
	jsonReporter: { fileName: `reports/mutation/${name}.json` },
	// One per folder and pass: a run deletes its own when it ends, and two runs may share the machine.
	tempDirName: `.stryker-tmp-${name}`,
	ignorePatterns: ['.cache', 'coverage', 'reports', 'dev/bench/results', '.stryker-tmp*'],
	cleanTempDir: 'always',
};
