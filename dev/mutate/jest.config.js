/**
 * The tests a mutation testing pass runs (stryker.config.mjs): the files MUTATE_TESTS lists (comma
 * separated, set by dev/mutate/run.mjs from dev/mutate/folders.mjs), on the TypeScript sources (the
 * harness loads them instead of dist/ when BITRIX24_PACKAGE_FROM=sources, which run.mjs sets too).
 * @type {import('jest').Config}
 */
const tests = (process.env.MUTATE_TESTS ?? '').split(',').filter((test) => test !== '');
if (tests.length === 0) throw new Error('MUTATE_TESTS lists no test file: run mutation testing with `npm run mutate`');

module.exports = {
	rootDir: '../..',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: tests.map((test) => `<rootDir>/${test}`),
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.tooling.json' }] },
	testTimeout: 30000,
};
