/**
 * The browser tests alone: `npx jest -c e2e/browser/jest.config.js` after `npm run build` and
 * `. scripts/node24.sh && . scripts/n8n.sh`. Each file starts its own portal and n8n on free ports.
 * @type {import('jest').Config}
 */
module.exports = {
	rootDir: '../..',
	testEnvironment: 'node',
	roots: ['<rootDir>/e2e/browser'],
	testMatch: ['<rootDir>/e2e/browser/**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.tooling.json' }],
	},
	// A test walks several editor pages; each is slow to load on a busy 2-core machine.
	testTimeout: 300_000,
	// One file at a time: each runs an n8n and a Chromium, and two in parallel starve each other.
	maxWorkers: 1,
};
