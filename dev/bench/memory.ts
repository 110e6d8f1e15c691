/** Memory figures of the current process. Run it with --expose-gc so baselines are taken after a full collection. */

export function collectGarbage(): void {
	if (typeof globalThis.gc !== 'function') throw new Error('Run the scenario with node --expose-gc');
	globalThis.gc();
}

export function heapUsedBytes(): number {
	return process.memoryUsage().heapUsed;
}

/** The process's peak resident set so far, as the OS counts it (maxRSS is in KiB). */
export function peakRssBytes(): number {
	return process.resourceUsage().maxRSS * 1024;
}

/** V8 keeps no high-water mark of the heap: sample it every few milliseconds while the run lasts. */
export function startHeapPeakSampler(intervalMs = 5): { stop(): number } {
	let peak = heapUsedBytes();
	const timer = setInterval(() => {
		peak = Math.max(peak, heapUsedBytes());
	}, intervalMs);
	return {
		stop() {
			clearInterval(timer);
			return Math.max(peak, heapUsedBytes());
		},
	};
}
