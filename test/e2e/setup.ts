// Once before the end-to-end files (jest's globalSetup for the e2e project): packs the package, and has
// n8n migrate an empty database. Every n8n folder the files create then installs that one tarball and
// starts from a copy of that database (dev/harness/n8n.ts: createUserFolder), instead of each packing
// again and each folder's first command running all of n8n's migrations (some seconds each time).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { copyDatabase } from '../../dev/harness/database';
import { createUserFolder, packedPackage } from '../../dev/harness/n8n';

export default async function setup(): Promise<void> {
	process.env.PACKED_PACKAGE = packedPackage();
	const folder = mkdtempSync(path.join(tmpdir(), 'bx24-e2e-run-'));
	process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
	const migrated = createUserFolder({ folder: path.join(folder, 'migrated'), linkPackage: false });
	const result = await migrated.cli(['list:workflow']);
	if (result.code !== 0) throw new Error(`n8n could not set up an empty database (exit ${result.code}): ${result.stdout}${result.stderr}`);
	const template = path.join(folder, 'database.sqlite');
	copyDatabase(migrated.databaseFile, template);
	process.env.N8N_DATABASE_TEMPLATE = template;
}
