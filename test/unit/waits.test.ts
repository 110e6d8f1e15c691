// The end of a run's waiting (limits/waits.ts): a pause ends at once, with the error users read, when the
// execution is cancelled or the run stops (docs/contract.md#bounds).
import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { RunStop } from '../../nodes/shared/bitrix24/limits/waits';

const NODE: INode = { id: 'n', name: 'Pay System Invoice Settings', type: 'n8n-nodes-bitrix24-paysystem.bitrix24PaySystemInvoiceSettings', typeVersion: 1, position: [0, 0], parameters: {} };
const CANCELLED = 'The execution was cancelled while the node waited for the Bitrix24 portal';
const STOPPED = 'The run stopped while the node waited for the Bitrix24 portal';

describe('RunStop', () => {
	it('pauses for the time asked, and not at all for 0', async () => {
		const stop = new RunStop(NODE, new AbortController().signal);
		const started = Date.now();
		await stop.pause(0);
		await stop.pause(30);
		expect(Date.now() - started).toBeGreaterThanOrEqual(25);
		expect(stop.signal.aborted).toBe(false);
	});

	it('ends a pause at once when the execution is cancelled, with the cancel error', async () => {
		const cancel = new AbortController();
		const stop = new RunStop(NODE, cancel.signal);
		const waiting = stop.pause(60_000);
		setTimeout(() => cancel.abort(), 10);
		const error = await waiting.catch((thrown: unknown) => thrown);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as Error).message).toBe(CANCELLED);
		expect(stop.signal.aborted).toBe(true);
		await expect(stop.stopped).resolves.toBeUndefined();
	});

	it('ends a pause at once when the run stops, with its own message', async () => {
		const stop = new RunStop(NODE, undefined);
		const waiting = stop.pause(60_000);
		setTimeout(() => stop.halt(), 10);
		await expect(waiting).rejects.toThrow(STOPPED);
		expect(() => stop.throwIfStopped()).toThrow(STOPPED);
		await expect(stop.pause(0)).rejects.toThrow(STOPPED);
	});

	it('an execution cancelled before the run began stops every pause, even one of 0', async () => {
		const cancel = new AbortController();
		cancel.abort();
		const stop = new RunStop(NODE, cancel.signal);
		expect(stop.signal.aborted).toBe(true);
		expect(() => stop.throwIfStopped()).toThrow(CANCELLED);
		await expect(stop.pause(0)).rejects.toThrow(CANCELLED);
	});

	it('nothing stops a run that is neither cancelled nor halted', () => {
		const stop = new RunStop(NODE, new AbortController().signal);
		expect(() => stop.throwIfStopped()).not.toThrow();
	});
});
