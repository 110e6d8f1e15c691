// Jest helpers for the tests; the fixtures they share with the tools live in dev/harness/fixtures.ts.
import { dirname } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import type { Portal, PortalOptions } from '../dev/emulator/portal';
import { startPortal } from '../dev/emulator/portal';
import { runWorkflow } from '../dev/harness/engine';
import { SETTINGS, STANDARD_PORTAL, byPaySystemId, invoices, jsonOf, pairingOf, webhookCredentials } from '../dev/harness/fixtures';
import { resetPortalPacing } from '../dev/harness/package';

export * from '../dev/harness/fixtures';

/**
 * Starts a fresh emulated portal for each test, with the standard limits unless told otherwise, and
 * empties the node's pacing registry: each test meets an empty leaky bucket on both sides.
 */
export function usePortal(options: PortalOptions = {}): () => Portal {
	let portal: Portal | undefined;
	beforeEach(async () => {
		resetPortalPacing();
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

/**
 * Runs the node over these invoices with pay system 12 (bank transfer), these options and the error
 * output on, and expects exactly each invoice's settings, in input order and paired with its item.
 */
export async function expectBankSettingsFor(portal: Portal, ids: number[], options: IDataObject = {}): Promise<void> {
	const { output, errorOutput } = await runWorkflow({
		parameters: byPaySystemId(12, options),
		items: invoices(...ids),
		credentials: webhookCredentials(portal.webhookUrl),
		onError: 'continueErrorOutput',
	});
	expect(errorOutput).toEqual([]);
	expect(jsonOf(output)).toEqual(ids.map((id) => SETTINGS.bank(id)));
	expect(pairingOf(output)).toEqual(ids.map((_, item) => ({ item })));
}

/** n8n's logger, as the engine's execution contexts hand it to the node (n8n-core's own copy of the container). */
export function n8nLogger(): { info: (message: string) => void } {
	const fromCore = (id: string) => require(require.resolve(id, { paths: [dirname(require.resolve('n8n-core'))] })) as Record<string, unknown>;
	const container = fromCore('@n8n/di').Container as { get(type: unknown): { info: (message: string) => void } };
	return container.get(fromCore('@n8n/backend-common').Logger);
}
