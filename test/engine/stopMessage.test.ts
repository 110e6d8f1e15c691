import { startPortal } from '../../dev/emulator/portal';
import { runWorkflow } from '../../dev/harness/engine';
import { byPaySystemId, invoices, usePortal, webhookCredentials } from '../support';

// docs/contract.md#stop: the message that stops a run is the item's `error` followed by [item <i>, <subject>].
describe('Stop Workflow: a NETWORK_ERROR keeps its own message', () => {
	const portal = usePortal();

	it('an unreachable portal', async () => {
		const closed = await startPortal();
		const webhookUrl = closed.webhookUrl;
		await closed.stop();
		const { error } = await runWorkflow({ parameters: byPaySystemId(11, { batch: false }), items: invoices(10), credentials: webhookCredentials(webhookUrl) });
		expect(error?.message).toBe('NETWORK_ERROR: The Bitrix24 portal could not be reached (ECONNREFUSED) [item 0, invoice 10]');
	});

	it('a connection reset on every attempt', async () => {
		portal().addFault({ response: { reset: true } });
		const { error } = await runWorkflow({ parameters: byPaySystemId(11, { batch: false, maxRetries: 0 }), items: invoices(10), credentials: webhookCredentials(portal().webhookUrl) });
		expect(error?.message).toBe('NETWORK_ERROR: The Bitrix24 portal could not be reached (ECONNRESET) [item 0, invoice 10]');
	});
});
