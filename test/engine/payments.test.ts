import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { fromAI, runAgent } from '../../dev/harness/aiTool';
import { runWorkflow } from '../../dev/harness/engine';
import {
	SETTINGS,
	byPaySystemId,
	forPayment,
	invoices,
	jsonOf,
	oauthCredentials,
	payments,
	resourceLocator,
	usePortal,
	webhookCredentials,
} from '../support';
import type { Run } from './paymentExpectations';
import { TIME, hint, localError, portalError, settingsCall, settingsItem, wireFor, wireOf } from './paymentExpectations';

describe('Get for Payment: sale.paysystem.settings.payment.get for each item', () => {
	const portal = usePortal();
	const run = ({ parameters, items, onError = 'continueErrorOutput', credentials }: Run) =>
		runWorkflow({ parameters, items, credentials: credentials ?? webhookCredentials(portal().webhookUrl), onError });

	describe.each([true, false])('batch %s', (batch) => {
		it('settings: one item per payment, its pay system\'s settings, in input order and paired', async () => {
			const { output, errorOutput } = await run({ parameters: forPayment({ batch }), items: payments([501, 11], [502, 12], [2002, 14]) });
			expect(errorOutput).toEqual([]);
			expect(output).toEqual([settingsItem(501, 0), settingsItem(502, 1), settingsItem(2002, 2)]);
			expect(wireOf(portal())).toEqual(wireFor(batch, [settingsCall(501), settingsCall(502), settingsCall(2002)]));
		});

		it('keyValue: one item per setting with paymentId, code and value, in the portal key order', async () => {
			const { output } = await run({ parameters: forPayment({ batch, outputMode: 'keyValue' }), items: payments([501, 11], [601, 12]) });
			expect(output).toEqual([
				{ json: { paymentId: 501, code: 'REST_SERVICE_ID_IFRAME', value: 'snum' }, pairedItem: { item: 0 } },
				{ json: { paymentId: 501, code: 'REST_SERVICE_KEY_IFRAME', value: 'skey' }, pairedItem: { item: 0 } },
				{ json: { paymentId: 501, code: 'PS_WORK_MODE_IFRAME', value: 'REGULAR' }, pairedItem: { item: 0 } },
				{ json: { paymentId: 601, code: 'BANK_NAME', value: 'Example Bank' }, pairedItem: { item: 1 } },
				{ json: { paymentId: 601, code: 'PAYMENT_ID', value: 'INV-601' }, pairedItem: { item: 1 } },
				{ json: { paymentId: 601, code: 'PS_WORK_MODE', value: 'TEST' }, pairedItem: { item: 1 } },
			]);
		});

		it('full: paymentId, paySystemId, settings and time per payment', async () => {
			const { output } = await run({ parameters: forPayment({ batch, outputMode: 'full' }), items: payments([502, 12], [2001, 11]) });
			expect(output).toEqual([
				{ json: { paymentId: 502, paySystemId: 12, settings: SETTINGS.bank(502), time: TIME }, pairedItem: { item: 0 } },
				{ json: { paymentId: 2001, paySystemId: 11, settings: SETTINGS.card, time: TIME }, pairedItem: { item: 1 } },
			]);
			expect(Object.keys(output[0].json)).toEqual(['paymentId', 'paySystemId', 'settings', 'time']);
		});

		it('takes numeric text for both IDs, and sends numbers', async () => {
			const { output } = await run({ parameters: forPayment({ batch }), items: payments(['501', ' 11 '], [' 502', '12']) });
			expect(jsonOf(output)).toEqual([SETTINGS.card, SETTINGS.bank(502)]);
			expect(wireOf(portal())).toEqual(wireFor(batch, [settingsCall(501, 11), settingsCall(502, 12)]));
		});

		it('fails only the items that fail, each with its code, the payment and the hint; invalid IDs send nothing', async () => {
			const items = payments([501, 11], [801, 13], ['abc', 11], [1001, 11], [501, 12], [502, 'card'], [2147483648, 11], [601, 12]);
			const { output, errorOutput } = await run({ parameters: forPayment({ batch }), items });
			const status = (code: number) => (batch ? null : code);
			expect(output).toEqual([settingsItem(501, 0), settingsItem(601, 7)]);
			expect(errorOutput).toEqual(
				[
					[1, portalError('ACCESS_DENIED', 'Access denied', status(403), { paymentId: 801 })],
					[2, localError('INVALID_PARAMETER', 'Payment ID must be a whole number from 1 to 2147483647; got "abc"', { paymentId: null })],
					[3, portalError('ERROR_INTERNAL_ORDER_NOT_FOUND', 'Order #9999 not found', status(400), { paymentId: 1001 })],
					[4, portalError('ERROR_CHECK_FAILURE', 'Payment with ID=501 and PAY_SYSTEM_ID=12 not found', status(400), { paymentId: 501 })],
					[5, localError('INVALID_PARAMETER', 'Pay System ID must be a whole number from 1 to 2147483647; got "card"', { paymentId: 502 })],
					[6, localError('INVALID_PARAMETER', 'Payment ID must be a whole number from 1 to 2147483647; got 2147483648', { paymentId: null })],
				].map(([item, json]) => ({ json: { ...items[item as number], ...(json as IDataObject) }, pairedItem: { item } })),
			);
			expect(wireOf(portal())).toEqual(
				wireFor(batch, [settingsCall(501, 11), settingsCall(801, 13), settingsCall(1001, 11), settingsCall(501, 12), settingsCall(601, 12)]),
			);
		});
	});

	it('a single call is POST sale.paysystem.settings.payment.get.json with PAYMENT_ID and PAY_SYSTEM_ID; a batch command carries both', async () => {
		await run({ parameters: forPayment({ batch: false }), items: payments([501, 11]) });
		await run({ parameters: forPayment(), items: payments([501, 11], [502, 12]) });
		const [single, batch] = portal().restCalls();
		expect([single.httpMethod, single.path, single.params]).toEqual([
			'POST',
			`/rest/1/${portal().webhookCode}/sale.paysystem.settings.payment.get.json`,
			{ PAYMENT_ID: 501, PAY_SYSTEM_ID: 11 },
		]);
		expect([batch.path, batch.params]).toEqual([
			`/rest/1/${portal().webhookCode}/batch.json`,
			{
				halt: 0,
				cmd: {
					i0: 'sale.paysystem.settings.payment.get?PAYMENT_ID=501&PAY_SYSTEM_ID=11',
					i1: 'sale.paysystem.settings.payment.get?PAYMENT_ID=502&PAY_SYSTEM_ID=12',
				},
			},
		]);
	});

	it('takes the pay system from the list mode too', async () => {
		const parameters = { ...forPayment(), paySystemId: resourceLocator('list', '14') } as INodeParameters;
		const { output } = await run({ parameters, items: [{ paymentId: 2002 }] });
		expect(output).toEqual([settingsItem(2002, 0)]);
	});

	it('Stop Workflow: the first failure in input order stops the run, naming the item and the payment', async () => {
		const { error, output } = await run({ parameters: forPayment({ batch: false }), items: payments([501, 11], [801, 13], [1001, 11]), onError: 'stopWorkflow' });
		expect(output).toEqual([]);
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toBe('Bitrix24 error ACCESS_DENIED: Access denied [item 1, payment 801]');
		expect(error?.description).toBe(hint('ACCESS_DENIED'));
		expect((error as { errorResponse?: unknown }).errorResponse).toEqual({ errorCode: 'ACCESS_DENIED', errorDescription: 'Access denied', httpCode: 403, paymentId: 801 });
		expect((error as { httpCode?: string }).httpCode).toBe('403');
	});

	it('Stop Workflow: an invalid payment ID first stops the run before anything is sent', async () => {
		const { error } = await run({ parameters: forPayment(), items: payments([0, 11], [801, 13]), onError: 'stopWorkflow' });
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toBe('INVALID_PARAMETER: Payment ID must be a whole number from 1 to 2147483647; got 0 [item 0]');
		expect(error?.description).toBe(hint('INVALID_PARAMETER'));
		expect(portal().restCalls()).toEqual([]);
	});

	it('Continue (regular output): the error items stay in the main output, in input order, unmerged', async () => {
		const { output, errorOutput } = await run({ parameters: forPayment(), items: payments([1001, 11], [501, 11]), onError: 'continueRegularOutput' });
		expect(errorOutput).toEqual([]);
		expect(output).toEqual([
			{ json: portalError('ERROR_INTERNAL_ORDER_NOT_FOUND', 'Order #9999 not found', null, { paymentId: 1001 }), pairedItem: { item: 0 } },
			settingsItem(501, 1),
		]);
	});

	it('works through an OAuth2 credential', async () => {
		const { output } = await runWorkflow({
			parameters: { authentication: 'oAuth2', ...forPayment() },
			items: payments([501, 11], [502, 12]),
			credentials: oauthCredentials(portal(), portal().issueTokens()),
		});
		expect(output).toEqual([settingsItem(501, 0), settingsItem(502, 1)]);
		expect(portal().restCalls().map((call) => [call.restMethod, call.auth])).toEqual([['batch', 'oauth']]);
	});

	it('needs no crm scope: a webhook without it reads payments and legacy invoices', async () => {
		const credentials = webhookCredentials(portal().noCrmWebhookUrl);
		expect((await run({ parameters: forPayment(), items: payments([501, 11]), credentials })).output).toEqual([settingsItem(501, 0)]);
		expect(jsonOf((await run({ parameters: byPaySystemId(12), items: invoices(7), credentials })).output)).toEqual([SETTINGS.bank(7)]);
	});
});

describe('ACCESS_DENIED: a pay system on a built-in handler (cash) has no settings for REST', () => {
	const portal = usePortal();

	it.each([true, false])('for legacy invoices too (batch %s), with the hint naming the REST-handler check', async (batch) => {
		const { output, errorOutput } = await runWorkflow({
			parameters: byPaySystemId('={{ $json.paySystemId }}', { batch }),
			items: [{ invoiceId: 10, paySystemId: 13 }, { invoiceId: 10, paySystemId: 11 }],
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueRegularOutput',
		});
		expect(output).toEqual([
			{ json: portalError('ACCESS_DENIED', 'Access denied', batch ? null : 403, { invoiceId: 10 }), pairedItem: { item: 0 } },
			{ json: SETTINGS.card, pairedItem: { item: 1 } },
		]);
		expect(errorOutput).toEqual([]);
		expect(hint('ACCESS_DENIED')).toMatch(/^Only pay systems that run on a REST handler have settings to read/);
	});
});

describe('As an AI agent\'s tool: the message ends with what was read and the hint', () => {
	const portal = usePortal();
	const observe = async (parameters: INodeParameters, calls: IDataObject[]) =>
		(await runAgent({ parameters, credentials: webhookCredentials(portal().webhookUrl), calls })).observations?.map(({ observation }) => observation);
	const failed = (message: string) => JSON.stringify([{ error: message }]);

	it('Get for Payment names the payment, or says no valid payment ID was given', async () => {
		const parameters = { operation: 'getForPayment', paymentId: fromAI('Payment_ID', '', 'number'), paySystemId: resourceLocator('id', fromAI('Pay_System', '', 'string')) };
		expect(await observe(parameters, [{ Payment_ID: 801, Pay_System: '13' }, { Payment_ID: -1, Pay_System: '11' }, { Payment_ID: 501, Pay_System: '11' }])).toEqual([
			failed(`Bitrix24 error ACCESS_DENIED: Access denied [payment 801]. ${hint('ACCESS_DENIED')}`),
			failed(`INVALID_PARAMETER: Payment ID must be a whole number from 1 to 2147483647; got -1 [no valid payment ID]. ${hint('INVALID_PARAMETER')}`),
			JSON.stringify([SETTINGS.card]),
		]);
	});

	it('Get for Smart Invoice or Deal names the object, or says no valid ID was given', async () => {
		const parameters = { operation: 'getForCrmItem', entityTypeId: 31, entityId: fromAI('Entity_ID', '', 'number') };
		expect(await observe(parameters, [{ Entity_ID: 7 }, { Entity_ID: 0 }, { Entity_ID: 6 }])).toEqual([
			failed(`PAYMENT_NOT_FOUND: The smart invoice 7 has no payment [smart invoice 7]. ${hint('PAYMENT_NOT_FOUND')}`),
			failed(`INVALID_PARAMETER: Entity ID must be a whole number from 1 to 2147483647; got 0 [no valid smart invoice or deal ID]. ${hint('INVALID_PARAMETER')}`),
			JSON.stringify([SETTINGS.bank(601)]),
		]);
	});

	it('Get for Smart Invoice or Deal, for a deal whose list the portal refuses', async () => {
		const parameters = { operation: 'getForCrmItem', entityTypeId: 2, entityId: fromAI('Entity_ID', '', 'number') };
		expect(await observe(parameters, [{ Entity_ID: 5 }])).toEqual([failed(`Bitrix24 error 0: Access denied [deal 5]. ${hint('0')}`)]);
	});
});
