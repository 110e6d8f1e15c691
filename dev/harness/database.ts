// n8n's SQLite database as the end-to-end tests read it: the executions it saved, every table's rows,
// and a copy of a database no process has open.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** A row of `execution_entity` with its `execution_data`: `data` is the run as n8n stored it (flatted JSON text). */
export interface StoredExecution {
	id: number;
	workflowId: string;
	mode: string;
	status: string;
	data: string;
	workflowData: string;
}

/**
 * Copies an n8n SQLite database that no process has open: its write-ahead log is folded into the
 * database file first, so that one file holds everything.
 */
export function copyDatabase(source: string, target: string): void {
	const db = new DatabaseSync(source);
	try {
		db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
	} finally {
		db.close();
	}
	mkdirSync(path.dirname(target), { recursive: true });
	copyFileSync(source, target);
}

/** Reads the executions n8n saved, with Node's own SQLite (n8n keeps the database in WAL mode; readers do not block it). */
export function readStoredExecutions(databaseFile: string): StoredExecution[] {
	const db = new DatabaseSync(databaseFile);
	try {
		return db
			.prepare(
				'SELECT e.id AS id, e.workflowId AS workflowId, e.mode AS mode, e.status AS status, d.data AS data, d.workflowData AS workflowData ' +
					'FROM execution_entity e JOIN execution_data d ON d.executionId = e.id ORDER BY e.id',
			)
			.all()
			.map((row) => ({ ...row }) as unknown as StoredExecution);
	} finally {
		db.close();
	}
}

/** Every row of every table in n8n's SQLite database, as text per table (blobs read as latin1). */
export function readDatabaseTables(databaseFile: string): Record<string, string> {
	const db = new DatabaseSync(databaseFile);
	try {
		const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
		return Object.fromEntries(
			tables.map(({ name }) => [
				name,
				JSON.stringify(db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).all(), (_key, value: unknown) =>
					value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : typeof value === 'bigint' ? String(value) : value,
				),
			]),
		);
	} finally {
		db.close();
	}
}
