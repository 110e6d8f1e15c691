/**
 * End-to-end tests against a real n8n (installed by scripts/n8n.sh) that loads the built package from
 * dist/: run them with `npm run e2e`, which builds first and puts n8n on PATH.
 * @type {import('jest').Config}
 */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/e2e'],
	testMatch: ['<rootDir>/e2e/**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.tooling.json' }],
	},
	// Every n8n CLI command boots n8n (10-20 s on a busy 2-core machine); a suite boots it several times.
	testTimeout: 300_000,
	// One file at a time: each starts n8n processes of its own, and two in parallel starve each other.
	maxWorkers: 1,
};
