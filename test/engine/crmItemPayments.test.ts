import type { IDataObject } from 'n8n-workflow';

import { runWorkflow } from '../../dev/harness/engine';
import { SETTINGS, deals, forCrmItem, jsonOf, oauthCredentials, pairingOf, smartInvoices, usePortal, webhookCredentials } from '../support';
import type { Run } from './paymentExpectations';
import {
	LIST_METHOD,
	PAYMENT,
	PAYMENT_METHOD,
	SCOPE_REFUSAL,
	TIME,
	errorJson,
	hint,
	listCall,
	localError,
	portalError,
	range,
	settingsCall,
	settingsItem,
	settingsOf,
	wireFor,
	wireOf,
} from './paymentExpectations';

/** The `full` output of one seeded payment of a smart invoice or deal. */
function fullCrmItem(entityTypeId: number, entityId: number, paymentId: number): IDataObject {
	const { accountNumber, paid, sum, paySystemId, paySystemName } = PAYMENT[paymentId];
	const settings = settingsOf(paySystemId, paymentId);
	return { entityTypeId, entityId, paymentId, accountNumber, paid, sum, currency: 'USD', paySystemId, paySystemName, settings, time: TIME };
}

describe('Get for Smart Invoice or Deal: the payments from crm.item.payment.list, then each payment\'s settings', () => {
	const portal = usePortal();
	const run = ({ parameters, items, onError = 'continueErrorOutput', credentials }: Run) =>
		runWorkflow({ parameters, items, credentials: credentials ?? webhookCredentials(portal().webhookUrl), onError });

	describe.each([true, false])('batch %s', (batch) => {
		it('settings: one item per payment, in input order then the portal\'s payment order, each paired with its input item', async () => {
			const { output, errorOutput } = await run({ parameters: forCrmItem({ batch }), items: [...smartInvoices(5), ...deals(20), ...smartInvoices(6)] });
			expect(errorOutput).toEqual([]);
			expect(output).toEqual([settingsItem(501, 0), settingsItem(502, 0), settingsItem(2001, 1), settingsItem(2002, 1), settingsItem(601, 2)]);
			// Both steps are batched across the items: the lists, then every payment's settings.
			expect(wireOf(portal())).toEqual(
				wireFor(batch, [listCall(31, 5), listCall(2, 20), listCall(31, 6)], [501, 502, 2001, 2002, 601].map((id) => settingsCall(id))),
			);
		});

		it('keyValue: one item per setting with entityId, paymentId, code and value', async () => {
			const { output } = await run({ parameters: forCrmItem({ batch, outputMode: 'keyValue' }), items: [...deals(20), ...smartInvoices(6)] });
			const pairs = (entityId: number, paymentId: number, item: number) =>
				Object.entries(settingsOf(PAYMENT[paymentId].paySystemId, paymentId)).map(([code, value]) => ({ json: { entityId, paymentId, code, value }, pairedItem: { item } }));
			expect(output).toEqual([...pairs(20, 2001, 0), ...pairs(20, 2002, 0), ...pairs(6, 601, 1)]);
			expect(output).toHaveLength(9);
		});

		it('full: the object, the payment as listed, its pay system, the settings and time', async () => {
			const { output } = await run({ parameters: forCrmItem({ batch, outputMode: 'full' }), items: [...smartInvoices(5), ...deals(20)] });
			expect(jsonOf(output)).toEqual([fullCrmItem(31, 5, 501), fullCrmItem(31, 5, 502), fullCrmItem(2, 20, 2001), fullCrmItem(2, 20, 2002)]);
			expect(pairingOf(output)).toEqual([{ item: 0 }, { item: 0 }, { item: 1 }, { item: 1 }]);
			expect(Object.keys(output[0].json)).toEqual([
				'entityTypeId',
				'entityId',
				'paymentId',
				'accountNumber',
				'paid',
				'sum',
				'currency',
				'paySystemId',
				'paySystemName',
				'settings',
				'time',
			]);
		});

		it('Unpaid Only: reads only the payments with paid "N"', async () => {
			const { output } = await run({ parameters: forCrmItem({ batch, payments: 'unpaid' }), items: [...smartInvoices(5), ...deals(20)] });
			expect(output).toEqual([settingsItem(502, 0), settingsItem(2002, 1)]);
			expect(wireOf(portal())).toEqual(wireFor(batch, [listCall(31, 5), listCall(2, 20)], [settingsCall(502), settingsCall(2002)]));
		});

		it('PAYMENT_NOT_FOUND for an object without payments, or without an unpaid one; no settings call for it', async () => {
			const all = await run({ parameters: forCrmItem({ batch }), items: [...smartInvoices(7), ...deals(21), ...smartInvoices(6)] });
			expect(all.errorOutput.map((item) => [item.pairedItem, item.json])).toEqual([
				[{ item: 0 }, { entityTypeId: 31, entityId: 7, ...localError('PAYMENT_NOT_FOUND', 'The smart invoice 7 has no payment', { entityTypeId: 31, entityId: 7 }) }],
				[{ item: 1 }, { entityTypeId: 2, entityId: 21, ...localError('PAYMENT_NOT_FOUND', 'The deal 21 has no payment', { entityTypeId: 2, entityId: 21 }) }],
			]);
			expect(all.output).toEqual([settingsItem(601, 2)]);
			expect(wireOf(portal())).toEqual(wireFor(batch, [listCall(31, 7), listCall(2, 21), listCall(31, 6)], [settingsCall(601)]));
		});

		it('fails the whole item when one of its payments fails: one error item naming that payment, none of its payments emitted', async () => {
			// The second payment of smart invoice 5 (502) is refused; the smart invoices 6 around it are read.
			const refusal = { error: 'ACCESS_DENIED', error_description: 'Insufficient permissions' };
			if (batch) {
				const result = { i0: SETTINGS.bank(601), i1: SETTINGS.card, i3: SETTINGS.bank(601) };
				const answer = { result: { result, result_error: { i2: refusal }, result_total: [], result_next: [], result_time: [] }, time: {} };
				portal().addFault({ restMethod: 'batch', skip: 1, times: 1, response: { status: 200, json: answer } });
			} else {
				portal().addFault({ restMethod: PAYMENT_METHOD, skip: 2, times: 1, response: { status: 403, json: refusal } });
			}
			const items = smartInvoices(6, 5, 6);
			const { output, errorOutput } = await run({ parameters: forCrmItem({ batch }), items });
			expect(output).toEqual([settingsItem(601, 0), settingsItem(601, 2)]);
			expect(errorOutput).toEqual([
				{
					json: { ...items[1], ...portalError('ACCESS_DENIED', 'Insufficient permissions', batch ? null : 403, { entityTypeId: 31, entityId: 5, paymentId: 502 }) },
					pairedItem: { item: 1 },
				},
			]);
			expect(wireOf(portal())).toEqual(wireFor(batch, [listCall(31, 6), listCall(31, 5), listCall(31, 6)], [601, 501, 502, 601].map((id) => settingsCall(id))));
		});

		it('the portal\'s own payment failures: the cash payment is ACCESS_DENIED, the lost order ERROR_INTERNAL_ORDER_NOT_FOUND', async () => {
			const { output, errorOutput } = await run({ parameters: forCrmItem({ batch }), items: smartInvoices(8, 10, 6), onError: 'continueRegularOutput' });
			expect(errorOutput).toEqual([]);
			expect(output).toEqual([
				{ json: portalError('ACCESS_DENIED', 'Access denied', batch ? null : 403, { entityTypeId: 31, entityId: 8, paymentId: 801 }), pairedItem: { item: 0 } },
				{
					json: portalError('ERROR_INTERNAL_ORDER_NOT_FOUND', 'Order #9999 not found', batch ? null : 400, { entityTypeId: 31, entityId: 10, paymentId: 1001 }),
					pairedItem: { item: 1 },
				},
				settingsItem(601, 2),
			]);
			expect(wireOf(portal())).toEqual(wireFor(batch, [listCall(31, 8), listCall(31, 10), listCall(31, 6)], [settingsCall(801, 13), settingsCall(1001, 11), settingsCall(601)]));
		});

		it('reads crm.item\'s numeric codes as text: an unknown object is code "0", "Access denied"', async () => {
			const items = [...smartInvoices(99), ...deals(5), ...smartInvoices(6)];
			const { output, errorOutput } = await run({ parameters: forCrmItem({ batch }), items });
			expect(output).toEqual([settingsItem(601, 2)]);
			expect(errorOutput).toEqual(
				[
					[0, { entityTypeId: 31, entityId: 99 }],
					[1, { entityTypeId: 2, entityId: 5 }],
				].map(([item, ids]) => ({
					json: { ...items[item as number], ...portalError('0', 'Access denied', batch ? null : 400, ids as IDataObject) },
					pairedItem: { item },
				})),
			);
			expect(errorOutput[0].json.error).toBe('Bitrix24 error 0: Access denied');
		});

		it('pages through a long list: smart invoice 9\'s 55 payments, in the portal\'s order, next to smart invoice 5', async () => {
			const nine = range(901, 55);
			const paySystemOf = (id: number) => ((id - 901) % 2 === 0 ? 11 : 12);
			const { output } = await run({ parameters: forCrmItem({ batch }), items: smartInvoices(9, 5) });
			expect(output).toEqual([...nine.map((id) => settingsItem(id, 0, paySystemOf(id))), settingsItem(501, 1), settingsItem(502, 1)]);
			// The second page goes out with smart invoice 5's settings, then smart invoice 9's settings follow.
			expect(wireOf(portal())).toEqual(
				wireFor(
					batch,
					[listCall(31, 9), listCall(31, 5)],
					[listCall(31, 9, 50), settingsCall(501), settingsCall(502)],
					nine.map((id) => settingsCall(id, paySystemOf(id))),
				),
			);
		});

		it('pages with Unpaid Only: the 36 unpaid payments of smart invoice 9', async () => {
			const unpaid = range(901, 55).filter((id) => (id - 901) % 3 !== 0);
			const { output } = await run({ parameters: forCrmItem({ batch, payments: 'unpaid', outputMode: 'full' }), items: smartInvoices(9) });
			expect(output.map((item) => [item.json.paymentId, item.json.paid, item.pairedItem])).toEqual(unpaid.map((id) => [id, 'N', { item: 0 }]));
			expect(unpaid).toHaveLength(36);
		});

		it('refuses an entity type other than 31 or 2, and an entity ID that is not one, sending nothing for them', async () => {
			const items = [
				{ entityTypeId: 3, entityId: 5 },
				{ entityTypeId: '31x', entityId: 5 },
				{ entityTypeId: true, entityId: 5 },
				{ entityTypeId: 31, entityId: 'abc' },
				{ entityTypeId: 2, entityId: 0 },
				{ entityTypeId: '2', entityId: '20' },
			];
			const { output, errorOutput } = await run({ parameters: forCrmItem({ batch }), items });
			const badType = (shown: string) => localError('INVALID_PARAMETER', `Entity Type must be 31 (smart invoice) or 2 (deal); got ${shown}`, { entityTypeId: null, entityId: null });
			const badId = (entityTypeId: number, shown: string) =>
				localError('INVALID_PARAMETER', `Entity ID must be a whole number from 1 to 2147483647; got ${shown}`, { entityTypeId, entityId: null });
			expect(errorOutput).toEqual(
				[badType('3'), badType('"31x"'), badType('true'), badId(31, '"abc"'), badId(2, '0')].map((json, item) => ({ json: { ...items[item], ...json }, pairedItem: { item } })),
			);
			expect(output).toEqual([settingsItem(2001, 5), settingsItem(2002, 5)]);
			expect(wireOf(portal())).toEqual(wireFor(batch, [listCall(2, 20)], [settingsCall(2001), settingsCall(2002)]));
		});

		it('without the crm scope every item fails with insufficient_scope, whose hint names crm', async () => {
			const { output, errorOutput } = await run({
				parameters: forCrmItem({ batch }),
				items: smartInvoices(5, 6),
				credentials: webhookCredentials(portal().noCrmWebhookUrl),
				onError: 'continueRegularOutput',
			});
			expect(errorOutput).toEqual([]);
			expect(output).toEqual(
				[5, 6].map((entityId, item) => ({ json: portalError('insufficient_scope', SCOPE_REFUSAL, batch ? null : 403, { entityTypeId: 31, entityId }), pairedItem: { item } })),
			);
			expect(hint('insufficient_scope')).toContain('"crm" as well for the payments of smart invoices and deals');
			expect(wireOf(portal())).toEqual(wireFor(batch, [listCall(31, 5), listCall(31, 6)]));
		});
	});

	it('reads the numeric code 100 of a missing field, on a single call and inside a batch', async () => {
		const missing = { error: 100, error_description: 'Required fields: entityTypeId, entityId' };
		portal().addFault({ restMethod: LIST_METHOD, times: 1, response: { status: 400, json: missing } });
		const single = await run({ parameters: forCrmItem({ batch: false }), items: smartInvoices(5), onError: 'continueRegularOutput' });
		const envelope = { result: { result: [], result_error: { i0: missing, i1: missing }, result_total: [], result_next: [], result_time: [] }, time: {} };
		portal().addFault({ restMethod: 'batch', times: 1, response: { status: 200, json: envelope } });
		const batched = await run({ parameters: forCrmItem(), items: smartInvoices(5, 6), onError: 'continueRegularOutput' });
		const failure = (httpCode: number | null, entityId: number) => portalError('100', 'Required fields: entityTypeId, entityId', httpCode, { entityTypeId: 31, entityId });
		expect(jsonOf(single.output)).toEqual([failure(400, 5)]);
		expect(jsonOf(batched.output)).toEqual([failure(null, 5), failure(null, 6)]);
	});

	it('reads a list that holds no payment entries as INVALID_RESPONSE: httpCode null inside a batch, the status on a single call', async () => {
		const notEntries = [{ id: 'x', paySystemId: 11 }];
		portal().addFault({ restMethod: LIST_METHOD, times: 1, response: { status: 200, json: { result: notEntries, time: {} } } });
		const single = await run({ parameters: forCrmItem({ batch: false }), items: smartInvoices(5), onError: 'continueRegularOutput' });
		const envelope = { result: { result: { i0: notEntries, i1: notEntries }, result_error: [], result_total: [], result_next: [], result_time: [] }, time: {} };
		portal().addFault({ restMethod: 'batch', times: 1, response: { status: 200, json: envelope } });
		const batched = await run({ parameters: forCrmItem(), items: smartInvoices(5, 6), onError: 'continueRegularOutput' });
		const failure = (httpCode: number | null, entityId: number) =>
			errorJson(
				'INVALID_RESPONSE: The Bitrix24 portal listed payments that are not crm.item.payment.list entries',
				'INVALID_RESPONSE',
				null,
				httpCode,
				{ entityTypeId: 31, entityId },
			);
		expect(jsonOf(single.output)).toEqual([failure(200, 5)]);
		expect(jsonOf(batched.output)).toEqual([failure(null, 5), failure(null, 6)]);
	});

	it('reads payment settings that are not an object as INVALID_RESPONSE for that item: httpCode null inside a batch, the status on a single call', async () => {
		portal().addFault({ restMethod: PAYMENT_METHOD, times: 1, response: { status: 200, json: { result: 'not settings', time: {} } } });
		const single = await run({ parameters: forCrmItem({ batch: false }), items: smartInvoices(6), onError: 'continueRegularOutput' });
		const envelope = { result: { result: { i0: 'not settings', i1: 'not settings' }, result_error: [], result_total: [], result_next: [], result_time: [] }, time: {} };
		// The first batch lists the payments, the second reads their settings.
		portal().addFault({ restMethod: 'batch', skip: 1, times: 1, response: { status: 200, json: envelope } });
		const batched = await run({ parameters: forCrmItem(), items: smartInvoices(6, 6), onError: 'continueRegularOutput' });
		const failure = (httpCode: number | null) =>
			errorJson('INVALID_RESPONSE: The Bitrix24 portal sent settings that are not an object', 'INVALID_RESPONSE', null, httpCode, {
				entityTypeId: 31,
				entityId: 6,
				paymentId: 601,
			});
		expect(jsonOf(single.output)).toEqual([failure(200)]);
		expect(jsonOf(batched.output)).toEqual([failure(null), failure(null)]);
	});

	it('batches both steps across batch boundaries: 60 objects with 2 payments each take 2 list batches, then 3 settings batches', async () => {
		const ids = range(1000, 60);
		const paymentIds = ids.flatMap((id) => [10_000_000 + id * 10 + 1, 10_000_000 + id * 10 + 2]);
		const { output, errorOutput } = await run({ parameters: forCrmItem(), items: smartInvoices(...ids) });
		expect(errorOutput).toEqual([]);
		expect(output).toHaveLength(120);
		expect(output).toEqual(ids.flatMap((_, item) => [settingsItem(paymentIds[2 * item], item, 11), settingsItem(paymentIds[2 * item + 1], item, 12)]));
		const batches = portal().restCalls();
		expect(batches.map((call) => [call.restMethod, call.batchCommands])).toEqual([
			['batch', 50],
			['batch', 10],
			['batch', 50],
			['batch', 50],
			['batch', 20],
		]);
		expect(wireOf(portal())).toEqual(
			wireFor(
				true,
				ids.map((id) => listCall(31, id)),
				paymentIds.map((id, index) => settingsCall(id, index % 2 === 0 ? 11 : 12)),
			),
		);
	});

	it('takes the entity type from the field: Invoice (31) by default, or Deal', async () => {
		const parameters = (entityTypeId?: number) => ({ operation: 'getForCrmItem', entityId: '={{ $json.entityId }}', ...(entityTypeId === undefined ? {} : { entityTypeId }) });
		expect((await run({ parameters: parameters(), items: [{ entityId: 6 }] })).output).toEqual([settingsItem(601, 0)]);
		expect((await run({ parameters: parameters(2), items: [{ entityId: 20 }] })).output).toEqual([settingsItem(2001, 0), settingsItem(2002, 0)]);
		expect(wireOf(portal())).toEqual([...wireFor(true, [listCall(31, 6)], [settingsCall(601)]), ...wireFor(true, [listCall(2, 20)], [settingsCall(2001), settingsCall(2002)])]);
	});

	it.each([
		['the list', smartInvoices(6, 99, 5), 'Bitrix24 error 0: Access denied [item 1, smart invoice 99]', '0', 'Access denied', { entityTypeId: 31, entityId: 99 }],
		['a payment\'s settings', [...deals(20), ...smartInvoices(8, 5)], 'Bitrix24 error ACCESS_DENIED: Access denied [item 1, smart invoice 8]', 'ACCESS_DENIED', 'Access denied', { entityTypeId: 31, entityId: 8, paymentId: 801 }],
		['no payment', [...smartInvoices(6), ...deals(21, 20)], 'PAYMENT_NOT_FOUND: The deal 21 has no payment [item 1, deal 21]', 'PAYMENT_NOT_FOUND', null, { entityTypeId: 2, entityId: 21 }],
	])('Stop Workflow: the first failure in input order stops the run (%s)', async (_case, items, message, errorCode, errorDescription, ids) => {
		const { error, output } = await run({ parameters: forCrmItem(), items, onError: 'stopWorkflow' });
		expect(output).toEqual([]);
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toBe(message);
		expect(error?.description).toBe(hint(errorCode));
		// Inside a batch (the default) a command's failure has no HTTP status of its own.
		expect((error as { errorResponse?: IDataObject }).errorResponse).toEqual({ errorCode, errorDescription, httpCode: null, ...ids });
	});

	it('Stop Workflow: an invalid entity first stops the run before anything is sent', async () => {
		const { error } = await run({ parameters: forCrmItem(), items: [{ entityTypeId: 31, entityId: 'abc' }, ...smartInvoices(99)], onError: 'stopWorkflow' });
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toBe('INVALID_PARAMETER: Entity ID must be a whole number from 1 to 2147483647; got "abc" [item 0]');
		expect(portal().restCalls()).toEqual([]);
	});

	it('Continue (regular output): error items in input order between the payments of the other items', async () => {
		const { output } = await run({ parameters: forCrmItem({ payments: 'unpaid' }), items: [...deals(20), ...smartInvoices(7, 5)], onError: 'continueRegularOutput' });
		expect(output).toEqual([
			settingsItem(2002, 0),
			{ json: localError('PAYMENT_NOT_FOUND', 'The smart invoice 7 has no unpaid payment', { entityTypeId: 31, entityId: 7 }), pairedItem: { item: 1 } },
			settingsItem(502, 2),
		]);
	});

	it('works through an OAuth2 credential, whose token needs the crm scope', async () => {
		const run = (scopes?: string[]) =>
			runWorkflow({
				parameters: { authentication: 'oAuth2', ...forCrmItem() },
				items: smartInvoices(5, 6),
				credentials: oauthCredentials(portal(), portal().issueTokens(scopes)),
				onError: 'continueRegularOutput',
			});
		expect((await run()).output).toEqual([settingsItem(501, 0), settingsItem(502, 0), settingsItem(601, 1)]);
		expect(portal().restCalls().map((call) => [call.restMethod, call.auth])).toEqual([
			['batch', 'oauth'],
			['batch', 'oauth'],
		]);
		expect(jsonOf((await run(['pay_system'])).output).map((json) => (json.details as IDataObject).errorCode)).toEqual(['insufficient_scope', 'insufficient_scope']);
	});
});

describe('PAYMENT_NOT_FOUND with Unpaid Only: an object whose payments are all paid', () => {
	const portal = usePortal({ paymentsPerEntity: 1 });

	it('names the object and says it has no unpaid payment; with All its paid payment is read', async () => {
		const run = (payments: string) =>
			runWorkflow({ parameters: forCrmItem({ payments }), items: [...smartInvoices(1000), ...deals(1000)], credentials: webhookCredentials(portal().webhookUrl), onError: 'continueRegularOutput' });
		expect((await run('unpaid')).output).toEqual([
			{ json: localError('PAYMENT_NOT_FOUND', 'The smart invoice 1000 has no unpaid payment', { entityTypeId: 31, entityId: 1000 }), pairedItem: { item: 0 } },
			{ json: localError('PAYMENT_NOT_FOUND', 'The deal 1000 has no unpaid payment', { entityTypeId: 2, entityId: 1000 }), pairedItem: { item: 1 } },
		]);
		expect(portal().restCalls(PAYMENT_METHOD)).toEqual([]);
		expect((await run('all')).output).toEqual([settingsItem(10_010_001, 0, 11), settingsItem(500_010_001, 1, 11)]);
	});
});

