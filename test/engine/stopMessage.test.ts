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

// docs/contract.md#stop: the first failing item in input order stops the run, and no group that begins
// after it is sent.
describe('Stop Workflow: nothing is sent for the groups after the first failing item', () => {
	const portal = usePortal({ limits: { drainPerSecond: 5, burst: 250 } });
	const range = (from: number, count: number) => Array.from({ length: count }, (_, index) => from + index);

	it('an invalid item in the first group: that group is sent, the next two are not, though three may be in flight', async () => {
		const ids: unknown[] = range(1, 150);
		ids[3] = 'abc';
		const { error, output } = await runWorkflow({
			parameters: byPaySystemId(11, { parallelRequests: 3, rateLimit: 'enterprise' }),
			items: invoices(...ids),
			credentials: webhookCredentials(portal().webhookUrl),
		});
		expect(output).toEqual([]);
		expect(error?.message).toBe('INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got "abc" [item 3]');
		// 149 valid items: the first group (items 0 to 50 but 3) began before item 3; the groups of items 51 on did not.
		expect(portal().restCalls('batch').map((call) => call.batchCommands)).toEqual([50]);
	});

	it('a portal error in the second group, one group at a time: the third is not sent', async () => {
		portal().addFault({ restMethod: 'batch', skip: 1, times: 1, response: { status: 500, json: { error: 'PORTAL_DELETED', error_description: 'Portal deleted' } } });
		const { error } = await runWorkflow({
			parameters: byPaySystemId(11, { parallelRequests: 1, rateLimit: 'enterprise' }),
			items: invoices(...range(1, 150)),
			credentials: webhookCredentials(portal().webhookUrl),
		});
		expect(error?.message).toBe('Bitrix24 error PORTAL_DELETED: Portal deleted [item 50, invoice 51]');
		expect(portal().restCalls('batch').map((call) => call.batchCommands)).toEqual([50, 50]);
	});

	it('with Continue (using error output) every group is sent and every item answered', async () => {
		const ids: unknown[] = range(1, 150);
		ids[3] = 'abc';
		const { output, errorOutput } = await runWorkflow({
			parameters: byPaySystemId(11, { rateLimit: 'enterprise' }),
			items: invoices(...ids),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect([output.length, errorOutput.length]).toEqual([149, 1]);
		expect(portal().restCalls('batch').map((call) => call.batchCommands)).toEqual([50, 50, 49]);
	});
});
