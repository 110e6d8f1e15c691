/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.tooling.json' }],
	},
	testTimeout: 30000,
	// Engine tests start their own portal on loopback; two workers keep this 2-core machine responsive.
	maxWorkers: 2,
};
