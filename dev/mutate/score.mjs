/**
 * The mutation score per folder, from the JSON reports Stryker writes (reports/mutation/<folder>.json).
 * `node dev/mutate/score.mjs` prints the table; `--survivors` lists every mutant that survived or was
 * covered by no test, with its place and its change.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { FOLDERS } from './folders.mjs';

export const REPORTS = 'reports/mutation';

/** True when the report `name` was written after `than` (or `than` is missing): a run stopped midway. */
function isNewer(root, name, than) {
	const path = join(root, REPORTS, `${name}.json`);
	const other = join(root, REPORTS, `${than}.json`);
	if (!existsSync(path)) return false;
	return !existsSync(other) || statSync(path).mtimeMs > statSync(other).mtimeMs + 60_000;
}

function readReport(root, name) {
	const path = join(root, REPORTS, `${name}.json`);
	return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')).files : {};
}

const placeOf = (file, { location: { start, end } }, mutatorName, replacement) =>
	`${file}:${start.line}:${start.column}-${end.line}:${end.column} ${mutatorName} ${replacement}`;

/**
 * Every mutant of a folder, with its file: from the folder's first pass, each static mutant (ignored
 * there) with its outcome in the static pass (reports/mutation/<folder>.static.json). A static mutant
 * the static pass has not tested stays ignored.
 */
export function mutantsOf(folder, root = process.cwd()) {
	const staticOutcomes = new Map();
	for (const [file, { mutants }] of Object.entries(readReport(root, `${folder}.static`))) {
		for (const mutant of mutants) staticOutcomes.set(placeOf(file, mutant, mutant.mutatorName, mutant.replacement), mutant);
	}
	let files = readReport(root, folder);
	let partial = false;
	if (Object.keys(files).length === 0 || isNewer(root, `${folder}.incremental`, folder)) {
		// A run stopped before its end leaves what it tested so far in its incremental file only.
		files = readReport(root, `${folder}.incremental`);
		partial = true;
	}
	if (Object.keys(files).length === 0) return undefined;
	return Object.entries(files).flatMap(([file, { mutants }]) =>
		mutants.map((mutant) => {
			const outcome = mutant.status === 'Ignored' ? staticOutcomes.get(placeOf(file, mutant, mutant.mutatorName, mutant.replacement)) : undefined;
			return { ...(outcome ?? mutant), file, static: mutant.status === 'Ignored', partial };
		}),
	);
}

export function mutantsByFolder(root = process.cwd()) {
	const byFolder = new Map();
	for (const folder of Object.keys(FOLDERS)) {
		const mutants = mutantsOf(folder, root);
		if (mutants !== undefined) byFolder.set(folder, mutants);
	}
	return byFolder;
}

/** Killed, survived, no coverage, timeout (and the rest), and the score as Stryker counts it. */
export function tally(mutants) {
	const count = (status) => mutants.filter((mutant) => mutant.status === status).length;
	const row = {
		killed: count('Killed'),
		survived: count('Survived'),
		noCoverage: count('NoCoverage'),
		timeout: count('Timeout'),
		errors: count('CompileError') + count('RuntimeError'),
		ignored: count('Ignored'),
	};
	const detected = row.killed + row.timeout;
	const valid = detected + row.survived + row.noCoverage;
	return { ...row, score: valid === 0 ? null : (100 * detected) / valid };
}

function printTable(byFolder) {
	const header = ['folder', 'killed', 'survived', 'no coverage', 'timeout', 'errors', 'ignored', 'score'];
	const rows = Object.keys(FOLDERS).map((folder) => {
		const mutants = byFolder.get(folder);
		if (mutants === undefined) return [folder, '-', '-', '-', '-', '-', '-', 'not run'];
		const t = tally(mutants);
		// A stopped run's static mutants it never tested stay ignored; its untested mutants are not listed at all.
		const name = mutants.some((mutant) => mutant.partial) ? `${folder} (stopped midway)` : folder;
		return [name, t.killed, t.survived, t.noCoverage, t.timeout, t.errors, t.ignored, t.score === null ? 'n/a' : `${t.score.toFixed(2)} %`].map(String);
	});
	const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
	const line = (cells) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
	console.log(line(header));
	for (const row of rows) console.log(line(row));
}

function printSurvivors(byFolder) {
	for (const [folder, mutants] of byFolder) {
		const left = mutants.filter((mutant) => mutant.status === 'Survived' || mutant.status === 'NoCoverage');
		if (left.length === 0) continue;
		console.log(`\n${folder}:`);
		for (const mutant of left.sort((a, b) => a.file.localeCompare(b.file) || a.location.start.line - b.location.start.line)) {
			const replacement = (mutant.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100);
			console.log(`  ${mutant.file}:${mutant.location.start.line}:${mutant.location.start.column} ${mutant.status}${mutant.static ? ' (static)' : ''} ${mutant.mutatorName}: ${replacement}`);
		}
	}
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const byFolder = mutantsByFolder();
	printTable(byFolder);
	if (process.argv.includes('--survivors')) printSurvivors(byFolder);
}
