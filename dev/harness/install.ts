// The ways a user installs the package into n8n, run for real against a registry: n8n's editor
// installer, step by step, and shell commands such as the README's.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// Asynchronous on purpose: the registry these commands ask may answer from this very process.
const run = promisify(execFile);

/** npm's environment for an install from `registry` alone, with no user or global npm settings of this machine. */
export function npmEnvironment(registry: string, home: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, npm_config_registry: registry, npm_config_update_notifier: 'false', npm_config_cache: path.join(home, '.npm') };
	// npm run exports its own settings as npm_config_*; a user's shell has none of them.
	for (const key of Object.keys(env)) if (/^npm_config_/i.test(key) && !['npm_config_registry', 'npm_config_update_notifier', 'npm_config_cache'].includes(key)) delete env[key];
	for (const key of ['npm_package_json', 'npm_lifecycle_event', 'npm_lifecycle_script', 'npm_command', 'INIT_CWD']) delete env[key];
	return env;
}

/** Runs a shell script as a user would type it, in `cwd`; throws with its output when it fails. */
export async function runShell(script: string, env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
	try {
		return (await run('bash', ['-euo', 'pipefail', '-c', script], { cwd, env, encoding: 'utf8' })).stdout;
	} catch (error) {
		const failed = error as { stdout?: string; stderr?: string; message: string };
		throw new Error(`${script}\nfailed: ${failed.message}\n${failed.stdout ?? ''}${failed.stderr ?? ''}`);
	}
}

/**
 * Settings > Community Nodes > Install, as n8n's CommunityPackagesService.downloadPackage does it in
 * n8n 1.123 and 2.41 alike: `npm pack <name>@<version>` from the registry, the tarball unpacked into
 * `nodes/node_modules/<name>`, its dev, peer and optional dependencies dropped from its package.json,
 * `npm install` with n8n's flags inside it, and the package listed in `nodes/package.json`. n8n itself
 * only asks npm for another registry than npmjs.org under an enterprise licence, so the steps are run
 * here with the registry given to npm.
 */
export async function installAsTheEditorDoes(nodesFolder: string, name: string, version: string, env: NodeJS.ProcessEnv): Promise<void> {
	const download = mkdtempSync(path.join(tmpdir(), 'bx24-download-'));
	try {
		const tarball = (await run('npm', ['pack', `${name}@${version}`, '--quiet'], { cwd: download, env, encoding: 'utf8' })).stdout.trim();
		const target = path.join(nodesFolder, 'node_modules', name);
		mkdirSync(target, { recursive: true });
		await run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], { cwd: download });
		const manifestFile = path.join(target, 'package.json');
		const { devDependencies: _dev, peerDependencies: _peer, optionalDependencies: _optional, ...manifest } = JSON.parse(readFileSync(manifestFile, 'utf8'));
		writeFileSync(manifestFile, JSON.stringify(manifest, null, 2), 'utf8');
		await run('npm', ['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false'], { cwd: target, env });
		writeFileSync(path.join(nodesFolder, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [name]: manifest.version } }));
	} finally {
		rmSync(download, { recursive: true, force: true });
	}
}
