/**
 * Two projects: `default`, the unit, emulator, engine and package tests (`npm test`), and `e2e`, the
 * package in a real n8n (`npm run e2e`, which builds first and puts n8n on PATH). `npx jest FILE` runs
 * one file in the project it belongs to; `npm run e2e -- test/e2e/browser` runs the browser tests alone.
 * @type {import('jest').Config}
 */
const transform = {
	'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.tooling.json' }],
};

module.exports = {
	// jest reads maxWorkers and testTimeout for the whole run, not per project. The scripts pass their
	// own workers after --selectProjects (which would take a path that follows it for a project name):
	// `npm test` three, as the engine tests spend most of their time waiting on their portal's pacing,
	// backoffs and storms (the whole run uses about half of one core), so a third file waiting beside
	// two others shortens it on a 2-core machine; `npm run e2e` one (--runInBand), since each e2e file
	// starts n8n processes of its own (CI runs the two n8n lines' suites beside npm test: .ci/run).
	maxWorkers: 2,
	testTimeout: 30000,
	projects: [
		{
			displayName: 'default',
			testEnvironment: 'node',
			roots: ['<rootDir>/test'],
			testMatch: ['**/*.test.ts'],
			testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/'],
			transform,
		},
		{
			displayName: 'e2e',
			testEnvironment: 'node',
			roots: ['<rootDir>/test/e2e'],
			testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
			transform,
			// Packs the package and migrates an empty n8n database once for the whole run.
			globalSetup: '<rootDir>/test/e2e/setup.ts',
			// Raises the time limit to 300 s for these tests alone.
			setupFilesAfterEnv: ['<rootDir>/test/e2e/timeout.ts'],
		},
	],
};
