// Jest helpers for the tests; the fixtures they share with the tools live in dev/harness/fixtures.ts.
import type { Portal, PortalOptions } from '../dev/emulator/portal';
import { startPortal } from '../dev/emulator/portal';
import { STANDARD_PORTAL } from '../dev/harness/fixtures';

export * from '../dev/harness/fixtures';

/**
 * Starts a fresh emulated portal for each test, with the standard limits unless told otherwise: each
 * test meets an empty leaky bucket and a new address, so pacing state never carries between tests.
 */
export function usePortal(options: PortalOptions = {}): () => Portal {
	let portal: Portal | undefined;
	beforeEach(async () => {
		portal = await startPortal({ ...STANDARD_PORTAL, ...options });
	});
	afterEach(async () => {
		await portal?.stop();
		portal = undefined;
	});
	return () => {
		if (portal === undefined) throw new Error('The portal has not started');
		return portal;
	};
}
