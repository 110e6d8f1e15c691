/** Plain-text tables and the number formats the benchmark and the soak print. */

/** A row is either its cells, or its first cells and a note that spans the rest. */
export type Row = { cells: string[] } | { lead: string[]; note: string };

export function formatTable(headers: string[], rows: Row[], rightAligned: ReadonlySet<number> = new Set()): string {
	const widths = headers.map((header) => header.length);
	for (const row of rows) {
		const cells = 'cells' in row ? row.cells : row.lead;
		cells.forEach((cell, column) => (widths[column] = Math.max(widths[column], cell.length)));
	}
	const pad = (cell: string, column: number) =>
		rightAligned.has(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column]);
	const line = (cells: string[]) => cells.map(pad).join('  ');
	const lines = [line(headers), widths.map((width) => '-'.repeat(width)).join('  ')];
	for (const row of rows) {
		lines.push('cells' in row ? line(row.cells) : `${line(row.lead)}  ${row.note}`);
	}
	return lines.map((text) => text.trimEnd()).join('\n');
}

export const formatCount = (value: number): string => value.toLocaleString('en-US');

export function formatDuration(ms: number): string {
	if (ms < 1000) return `${ms.toFixed(0)} ms`;
	if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
	const seconds = Math.round(ms / 1000);
	return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

export function formatRate(items: number, ms: number): string {
	const perSecond = items / (ms / 1000);
	return perSecond >= 100 ? formatCount(Math.round(perSecond)) : perSecond.toFixed(1);
}

export function formatMegabytes(bytes: number): string {
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatBytes(bytes: number): string {
	return Math.abs(bytes) < 10 * 1024 ? `${bytes.toFixed(0)} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

export function formatRatio(ratio: number): string {
	return ratio >= 10 ? `${Math.round(ratio)}×` : `${ratio.toFixed(2)}×`;
}

export function median(values: number[]): number {
	const sorted = [...values].sort((left, right) => left - right);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
