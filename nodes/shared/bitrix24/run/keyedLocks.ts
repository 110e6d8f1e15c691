/**
 * Writes that must not overlap (docs/contract.md#confirm): two runs confirming the same payment at
 * once would each read it unpaid and each send a confirmation. So a run holds the keys of what its
 * items change (the portal's origin and e.g. "payment 501") while it works on them, and a run of the
 * same n8n process that needs one of those keys waits until it is released. One registry per process,
 * like the token gates (transport/tokenGate.ts): every run of the process shares it. Across processes
 * (queue mode workers) nothing holds: Bitrix24 offers no lock.
 */

/** Lets the next holder of a key go; calling it more than once does nothing. */
export type Release = () => void;

/** The holders of each key in line: each waits for the one before it. */
export class KeyedLocks {
	private readonly tails = new Map<string, Promise<void>>();

	/**
	 * Waits until every earlier holder of `key` has released it, then holds it. Null when `stopped`
	 * settles first (the run was cancelled or stopped): the place in line is given up at once.
	 */
	async acquire(key: string, stopped: Promise<void>): Promise<Release | null> {
		const before = this.tails.get(key) ?? Promise.resolve();
		let open: () => void = () => undefined;
		const mine = new Promise<void>((resolve) => (open = resolve));
		const tail = before.then(async () => await mine);
		this.tails.set(key, tail);
		let released = false;
		const release: Release = () => {
			if (released) return;
			released = true;
			open();
			void tail.then(() => {
				if (this.tails.get(key) === tail) this.tails.delete(key);
			});
		};
		const turn = await Promise.race([before.then(() => true), stopped.then(() => false)]);
		if (turn) return release;
		release();
		return null;
	}

	/** The keys someone holds or waits for. */
	get size(): number {
		return this.tails.size;
	}

	/** Forgets every key (tests start each case with an empty registry). */
	clear(): void {
		this.tails.clear();
	}
}

export const PROCESS_KEYED_LOCKS = new KeyedLocks();

/**
 * The keys of one run's items: every distinct key is acquired before the run sends anything (in sorted
 * order, so that two runs never wait for each other), and released once every item holding it is done.
 * Items of the run with the same key go one after another, in input order.
 */
export class RunLocks {
	/** For each key, the indexes of the items holding it that are not done yet, in input order. */
	private readonly waiting = new Map<string, number[]>();
	private readonly releases = new Map<string, Release>();

	constructor(
		private readonly keys: ReadonlyArray<string | null>,
		private readonly locks: KeyedLocks = PROCESS_KEYED_LOCKS,
	) {
		keys.forEach((key, itemIndex) => {
			if (key !== null) this.waiting.set(key, [...(this.waiting.get(key) ?? []), itemIndex]);
		});
	}

	/** Holds every key of the run; false when the run stopped while it waited. */
	async acquire(stopped: Promise<void>): Promise<boolean> {
		for (const key of [...this.waiting.keys()].sort()) {
			const release = await this.locks.acquire(key, stopped);
			if (release === null) return false;
			this.releases.set(key, release);
		}
		return true;
	}

	/** True while an earlier item of the run with the same key is not done. */
	blocked(itemIndex: number): boolean {
		const key = this.keys[itemIndex];
		return key !== null && this.waiting.get(key)?.[0] !== itemIndex;
	}

	/** The item is done: the next item with its key may go, and after the last one the key is released. */
	done(itemIndex: number): void {
		const key = this.keys[itemIndex];
		const line = key === null ? undefined : this.waiting.get(key);
		if (key === null || line === undefined) return;
		const rest = line.filter((index) => index !== itemIndex);
		if (rest.length > 0) {
			this.waiting.set(key, rest);
			return;
		}
		this.waiting.delete(key);
		this.releases.get(key)?.();
		this.releases.delete(key);
	}

	/** Releases every key still held (the run ended, or stopped). */
	releaseAll(): void {
		for (const release of this.releases.values()) release();
		this.releases.clear();
	}
}
