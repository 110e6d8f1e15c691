// The runner (run/runner.ts) with a stand-in client: which operation runs, the progress a long wait's log
// line gives (docs/contract.md, "(300 of 1000 items done)"), and an item whose planning breaks for a
// reason other than a refused parameter.
import type { IDataObject, IExecuteFunctions, INodeParameters } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Operation, Step } from '../../nodes/shared/bitrix24/run/operation';
import { settle } from '../../nodes/shared/bitrix24/run/operation';
import { runOperation } from '../../nodes/shared/bitrix24/run/runner';
import type { BatchOutcome, ClientSettings } from '../../nodes/shared/bitrix24/transport/client';
import { Bitrix24Client } from '../../nodes/shared/bitrix24/transport/client';
import type { Call } from '../../nodes/shared/bitrix24/transport/calls';

/** A node context with these parameters and `items` input items. */
function contextOf(parameters: INodeParameters, items: number): IExecuteFunctions {
	return {
		getNode: () => ({ name: 'Bitrix24', type: 'n8n-nodes-bitrix24-paysystem.bitrix24PaySystem', typeVersion: 1, parameters }),
		getNodeParameter: (name: string, _itemIndex: number, fallback: unknown) => parameters[name] ?? fallback,
		getInputData: () => Array.from({ length: items }, (_, index) => ({ json: { index } })),
		continueOnFail: () => false,
	} as unknown as IExecuteFunctions;
}

/** An operation named `get` that plans each item with `plan`. */
function operationOf(plan: (itemIndex: number) => Step): Operation {
	return { value: 'get', ids: {}, subject: () => null, noSubject: 'no subject', plan: (input) => plan(input.itemIndex) };
}

const oneCall = (itemIndex: number): Step => ({
	calls: [{ method: 'sale.paysystem.settings.invoice.get', params: { BX_INVOICE_ID: itemIndex } }],
	next: () => ({ items: [{ item: itemIndex }] }),
});

/** A stand-in client: each request notes the run's progress as it stands when the request goes. */
function standInClient() {
	const progressAtRequest: string[] = [];
	let settings: ClientSettings | undefined;
	const client = {
		baseUrl: 'https://example.bitrix24.com/rest/1/',
		halt: () => undefined,
		call: async () => {
			progressAtRequest.push(settings?.progress?.() ?? 'none');
			return { ok: true, result: {}, time: null, httpCode: 200 };
		},
		batch: async (calls: readonly Call[]): Promise<BatchOutcome> => {
			progressAtRequest.push(settings?.progress?.() ?? 'none');
			return { ok: true, outcomes: calls.map(() => ({ ok: true, result: {}, time: null, httpCode: 200 })) } as BatchOutcome;
		},
	};
	const open = jest.spyOn(Bitrix24Client, 'open').mockImplementation(async (_context, _authentication, given) => {
		settings = given;
		return client as unknown as Bitrix24Client;
	});
	return { open, progressAtRequest, progress: () => settings?.progress?.() };
}

afterEach(() => jest.restoreAllMocks());

describe('runOperation', () => {
	it('refuses an operation the node does not have, before it opens a connection', async () => {
		const { open } = standInClient();
		const run = runOperation(contextOf({ operation: 'delete' }, 1), [operationOf(oneCall)]);
		await expect(run).rejects.toThrow(NodeOperationError);
		await expect(run).rejects.toThrow('Unknown operation "delete"');
		expect(open).not.toHaveBeenCalled();
	});

	it('gives a long wait the items done so far out of all the input items', async () => {
		const { progressAtRequest, progress } = standInClient();
		// Item 0 is done at once (no call); items 1 to 3 go in one batch, then item 3's second call alone.
		const secondCall: Step = { calls: [{ method: 'sale.payment.get', params: { id: 3 } }], next: () => ({ items: [{ item: 3 }] }) };
		const plan = (itemIndex: number): Step => {
			if (itemIndex === 0) return { items: [{ item: 0 }] };
			if (itemIndex === 3) return { calls: [{ method: 'sale.payment.get', params: { id: 3 } }], next: () => secondCall };
			return oneCall(itemIndex);
		};
		const output = await runOperation(contextOf({ operation: 'get' }, 4), [operationOf(plan)]);
		expect(output[0].map((item) => item.json)).toEqual<IDataObject[]>([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(progressAtRequest).toEqual(['1 of 4 items done', '3 of 4 items done']);
		expect(progress()).toBe('4 of 4 items done');
	});

	it('stops on an item whose planning breaks for another reason than a refused value, naming that item', async () => {
		standInClient();
		const plan = (itemIndex: number): Step => {
			if (itemIndex === 1) throw new Error('The operation broke');
			return oneCall(itemIndex);
		};
		let thrown: unknown;
		try {
			await runOperation(contextOf({ operation: 'get' }, 2), [operationOf(plan)]);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(NodeOperationError);
		expect((thrown as NodeOperationError).message).toBe('The operation broke');
		expect((thrown as NodeOperationError).context.itemIndex).toBe(1);
	});
});

describe('settle', () => {
	it('decides a step that has no calls left by its continuation, given no answers, as often as it takes', () => {
		const given: unknown[] = [];
		const step: Step = {
			calls: [],
			next: (answers) => {
				given.push(answers);
				return {
					calls: [],
					next: (more) => {
						given.push(more);
						return { items: [{ settled: true }] };
					},
				};
			},
		};
		expect(settle(step)).toEqual({ items: [{ settled: true }] });
		expect(given).toEqual([[], []]);
	});

	it('leaves a step with calls to make, and a done one, as they are', () => {
		const withCalls = oneCall(1);
		expect(settle(withCalls)).toBe(withCalls);
		const done: Step = { items: [] };
		expect(settle(done)).toBe(done);
	});
});
