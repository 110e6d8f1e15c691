import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { ICredentialType, INodeType } from 'n8n-workflow';

/** The package's folder: dev/harness/ is two levels below it. */
export const PACKAGE_ROOT = resolve(__dirname, '..', '..');

interface PackageManifest {
	name: string;
	n8n: { nodes: string[]; credentials: string[] };
}

export interface LoadedPackage {
	name: string;
	/** Node types by the name n8n gives them: `<package>.<node name>`. */
	nodes: Record<string, INodeType>;
	/** Credential types by their `name`. */
	credentials: Record<string, ICredentialType>;
}

/**
 * The file a built file's code is read from: the built file itself, or with BITRIX24_PACKAGE_FROM=sources
 * its TypeScript source, which jest compiles. Mutation testing (dev/mutate) changes the sources and
 * never builds, so the engine tests must run the changed sources to see a change.
 */
export function packageFile(built: string): string {
	if (process.env.BITRIX24_PACKAGE_FROM !== 'sources') return join(PACKAGE_ROOT, built);
	return join(PACKAGE_ROOT, built.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
}

function instancesOf<T>(file: string): T[] {
	const path = packageFile(file);
	if (!existsSync(path)) {
		throw new Error(`${file} is missing: run "npm run build" first`);
	}
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const exported = require(path) as Record<string, new () => T>;
	return Object.values(exported)
		.filter((value) => typeof value === 'function')
		.map((Class) => new Class());
}

/**
 * Loads the built package the way n8n's community-package loader does: the files listed in the
 * `n8n` section of package.json, each exporting a node or credential class.
 */
export function loadPackage(): LoadedPackage {
	const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageManifest;
	const nodes: Record<string, INodeType> = {};
	for (const file of manifest.n8n.nodes) {
		for (const node of instancesOf<INodeType>(file)) nodes[`${manifest.name}.${node.description.name}`] = node;
	}
	const credentials: Record<string, ICredentialType> = {};
	for (const file of manifest.n8n.credentials) {
		for (const credential of instancesOf<ICredentialType>(file)) credentials[credential.name] = credential;
	}
	return { name: manifest.name, nodes, credentials };
}

/**
 * Empties the built package's process-wide registries (the buckets, the methods' operating time and
 * the OAuth2 tokens every run of this process shares), so a case starts against a fresh portal even on
 * an address an earlier case used.
 */
export function resetPortalPacing(): void {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const pacing = require(packageFile('dist/nodes/shared/bitrix24/limits/pacing.js')) as { PROCESS_PORTAL_BUCKETS: { clear(): void } };
	pacing.PROCESS_PORTAL_BUCKETS.clear();
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const budgets = require(packageFile('dist/nodes/shared/bitrix24/limits/operatingBudget.js')) as { PROCESS_OPERATING_BUDGETS: { clear(): void } };
	budgets.PROCESS_OPERATING_BUDGETS.clear();
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const tokens = require(join(PACKAGE_ROOT, 'dist/nodes/shared/bitrix24/transport/tokenGate.js')) as { PROCESS_TOKEN_GATES: { clear(): void } };
	tokens.PROCESS_TOKEN_GATES.clear();
}
