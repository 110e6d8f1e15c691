import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { parse } from 'yaml';

// How a version reaches npm: the workflows, the tag check, the changelog and the release scripts.
// A mistake here shows only on the day of a release, so the values that matter are pinned.

const ROOT = path.resolve(__dirname, '../..');
const CHECK_SCRIPT = path.join(ROOT, '.github/scripts/check-release-tag.sh');

interface Step {
	name?: string;
	uses?: string;
	run?: string;
	with?: Record<string, unknown>;
	env?: Record<string, unknown>;
}

interface Job {
	'runs-on': string;
	permissions?: Record<string, string>;
	env?: Record<string, unknown>;
	steps: Step[];
}

interface Workflow {
	on: unknown;
	permissions?: unknown;
	env?: Record<string, unknown>;
	jobs: Record<string, Job>;
}

const readText = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const readWorkflow = (file: string) => parse(readText(file)) as Workflow;
const packageJson = JSON.parse(readText('package.json')) as { version: string; scripts: Record<string, string> };

/** The index of the one step whose `run` or `uses` satisfies the test; fails on none or several. */
function stepIndex(steps: Step[], matches: (step: Step) => boolean): number {
	const found = steps.flatMap((step, index) => (matches(step) ? [index] : []));
	expect(found).toHaveLength(1);
	return found[0];
}

const runs = (command: string) => (step: Step) => step.run?.trim() === command;
const runsLastly = (command: string) => (step: Step) => step.run?.trim().split('\n').pop()?.trim() === command;
const uses = (action: string) => (step: Step) => step.uses === action;

/** GitHub's tag filter: `*` matches any characters but `/`. */
function matchesTagFilter(filter: string, tag: string): boolean {
	const pattern = filter.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
	return new RegExp(`^${pattern}$`).test(tag);
}

/** Released sections of a Keep a Changelog file, newest first: `## [1.0.0] - 2026-11-28`. */
function releasedSections(changelog: string): Array<{ version: string; date: string | null }> {
	return [...changelog.matchAll(/^## \[([^\]]+)\](?: - (\S+))?\s*$/gm)]
		.filter((match) => match[1] !== 'Unreleased')
		.map((match) => ({ version: match[1], date: match[2] ?? null }));
}

describe('The publish workflow (.github/workflows/publish.yml)', () => {
	const workflow = readWorkflow('.github/workflows/publish.yml');
	const job = workflow.jobs.publish;
	const steps = job.steps;

	it('runs on a pushed version tag, and on nothing else', () => {
		expect(workflow.on).toEqual({ push: { tags: ['*.*.*'] } });
	});

	it('accepts the bare versions package.json holds, including pre-releases', () => {
		for (const tag of ['1.0.0', '1.2.10', '2.0.0-rc.1', packageJson.version]) {
			expect([tag, matchesTagFilter('*.*.*', tag)]).toEqual([tag, true]);
		}
		expect(matchesTagFilter('*.*.*', 'release-1')).toBe(false);
	});

	it('has a single job on ubuntu-latest', () => {
		expect(Object.keys(workflow.jobs)).toEqual(['publish']);
		expect(job['runs-on']).toBe('ubuntu-latest');
	});

	it('grants the job exactly id-token: write and contents: read, and nothing at workflow level', () => {
		expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
		expect(workflow.permissions).toBeUndefined();
	});

	it('checks out first, then sets up Node.js 24 for the public npm registry without a cache', () => {
		expect(steps[0].uses).toBe('actions/checkout@v4');
		const setup = steps[stepIndex(steps, uses('actions/setup-node@v4'))];
		expect(setup.with).toEqual({ 'node-version': 24, 'registry-url': 'https://registry.npmjs.org/' });
	});

	it('uses only actions pinned by major tag: checkout and setup-node', () => {
		expect(steps.flatMap((step) => (step.uses ? [step.uses] : []))).toEqual(['actions/checkout@v4', 'actions/setup-node@v4']);
	});

	it('checks the tag with the release check script, before installing or publishing anything', () => {
		const check = stepIndex(steps, runs('bash .github/scripts/check-release-tag.sh "$RELEASE_TAG"'));
		expect(steps[check].env).toEqual({ RELEASE_TAG: '${{ github.ref_name }}' });
		expect(check).toBeGreaterThan(stepIndex(steps, uses('actions/setup-node@v4')));
		expect(check).toBeLessThan(stepIndex(steps, runs('npm ci --no-audit --no-fund')));
		expect(check).toBeLessThan(stepIndex(steps, runsLastly('npm run release')));
	});

	it('installs from the lock file, tests, then releases, in that order', () => {
		const install = stepIndex(steps, runs('npm ci --no-audit --no-fund'));
		const test = stepIndex(steps, runs('npm test'));
		const release = stepIndex(steps, runsLastly('npm run release'));
		expect([install < test, test < release]).toEqual([true, true]);
		expect(release).toBe(steps.length - 1);
	});

	it('publishes with Trusted Publishing first, and with the NPM_TOKEN secret only when it is set', () => {
		const release = steps[stepIndex(steps, runsLastly('npm run release'))];
		expect(release.env).toEqual({ NPM_TOKEN: '${{ secrets.NPM_TOKEN }}' });
		expect(release.run?.trim().split('\n').map((line) => line.trim())).toEqual([
			'if [ -n "$NPM_TOKEN" ]; then',
			'npm config set //registry.npmjs.org/:_authToken "$NPM_TOKEN"',
			'fi',
			'npm run release',
		]);
	});

	it('never turns provenance off', () => {
		const everyEnv = [workflow.env, job.env, ...steps.map((step) => step.env)].filter((env) => env !== undefined);
		for (const env of everyEnv) {
			expect(Object.keys(env as object).filter((name) => /provenance/i.test(name))).toEqual([]);
		}
		for (const step of steps) {
			expect([step.run ?? '', /--no-provenance|provenance[= ]*false/i.test(step.run ?? '')]).toEqual([step.run ?? '', false]);
		}
	});
});

describe('The CI workflow (.github/workflows/ci.yml)', () => {
	const workflow = readWorkflow('.github/workflows/ci.yml');
	const jobs = Object.values(workflow.jobs);

	it('runs on every pull request and on pushes to main', () => {
		expect(workflow.on).toEqual({ pull_request: null, push: { branches: ['main'] } });
	});

	it('runs .ci/run with CI=true on ubuntu-latest after a checkout', () => {
		expect(jobs).toHaveLength(1);
		const [job] = jobs;
		expect(job['runs-on']).toBe('ubuntu-latest');
		expect(job.steps[0].uses).toBe('actions/checkout@v4');
		const ci = job.steps[stepIndex(job.steps, runs('bash .ci/run'))];
		expect(ci.env).toEqual({ CI: 'true' });
	});

	it('installs Redis for the queue-mode tests before .ci/run, with fresh apt lists', () => {
		const [job] = jobs;
		const redis = stepIndex(job.steps, (step) => /apt-get install .*redis-server/.test(step.run ?? ''));
		expect(job.steps[redis].run).toMatch(/^sudo apt-get update/);
		expect(redis).toBeLessThan(stepIndex(job.steps, runs('bash .ci/run')));
	});
});

describe('The release tag check (.github/scripts/check-release-tag.sh)', () => {
	let dir: string;

	beforeEach(() => {
		dir = mkdtempSync(path.join(tmpdir(), 'bx24-release-'));
		writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'example', version: '1.2.0' }));
		writeFileSync(
			path.join(dir, 'CHANGELOG.md'),
			'# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2026-12-01\n\n### Added\n\n- Something.\n\n## [1.1.0] - 2026-11-30\n',
		);
	});

	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	function check(...args: string[]) {
		// The script reads package.json with node: the one running these tests.
		const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };
		const result = spawnSync('bash', [CHECK_SCRIPT, ...args], { env, encoding: 'utf8' });
		return { code: result.status, stdout: result.stdout, stderr: result.stderr };
	}

	it('passes a tag that is the version in package.json with a CHANGELOG.md section', () => {
		expect(check('1.2.0', dir)).toEqual({
			code: 0,
			stdout: 'Tag 1.2.0 matches package.json and has a CHANGELOG.md section.\n',
			stderr: '',
		});
	});

	it('refuses a tag that is not the version in package.json', () => {
		expect(check('1.2.1', dir)).toEqual({
			code: 1,
			stdout: '',
			stderr: 'Tag 1.2.1 does not match the version in package.json (1.2.0). Tag the commit as 1.2.0.\n',
		});
	});

	it('refuses a v-prefixed tag: tags are the bare version', () => {
		expect(check('v1.2.0', dir)).toEqual({
			code: 1,
			stdout: '',
			stderr: 'Tag v1.2.0 does not match the version in package.json (1.2.0). Tag the commit as 1.2.0.\n',
		});
	});

	it.each([
		['a changelog whose only 1.2.0 section is a pre-release', '# Changelog\n\n## [1.2.0-rc.1] - 2026-11-29\n\n## [1.1.0] - 2026-11-30\n'],
		['no changelog at all', null],
	])('refuses a version without a CHANGELOG.md section: %s', (_case, changelog) => {
		const file = path.join(dir, 'CHANGELOG.md');
		if (changelog === null) rmSync(file);
		else writeFileSync(file, changelog);
		expect(check('1.2.0', dir)).toEqual({
			code: 1,
			stdout: '',
			stderr: 'CHANGELOG.md has no section for 1.2.0. Add a "## [1.2.0] - YYYY-MM-DD" heading.\n',
		});
	});

	it('refuses a folder without package.json', () => {
		rmSync(path.join(dir, 'package.json'));
		expect(check('1.2.0', dir)).toEqual({ code: 1, stdout: '', stderr: `No package.json in ${dir}.\n` });
	});

	it('says how to call it when the tag is missing', () => {
		expect(check()).toEqual({ code: 2, stdout: '', stderr: 'Usage: check-release-tag.sh TAG [PACKAGE_DIR]\n' });
	});

	it("passes this repository's own version", () => {
		expect(check(packageJson.version, ROOT)).toEqual({
			code: 0,
			stdout: `Tag ${packageJson.version} matches package.json and has a CHANGELOG.md section.\n`,
			stderr: '',
		});
	});
});

describe('CHANGELOG.md', () => {
	const sections = releasedSections(readText('CHANGELOG.md'));

	it("has package.json's version as its newest section", () => {
		expect(sections[0]?.version).toBe(packageJson.version);
	});

	it('dates every released section as YYYY-MM-DD, newest first', () => {
		expect(sections.length).toBeGreaterThan(0);
		for (const { version, date } of sections) expect([version, date]).toEqual([version, expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/)]);
		const dates = sections.map(({ date }) => date);
		expect(dates).toEqual([...dates].sort().reverse());
	});
});

describe('The release scripts in package.json', () => {
	it('publish only through n8n-node release, which adds provenance in GitHub Actions', () => {
		expect(packageJson.scripts.release).toBe('n8n-node release');
	});

	it('refuse a plain npm publish', () => {
		expect(packageJson.scripts.prepublishOnly).toBe('n8n-node prerelease');
	});
});
