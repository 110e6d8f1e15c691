import { startPortal } from '../../dev/emulator/portal';
import type { Portal } from '../../dev/emulator/portal';
import { settingsFor } from '../../dev/emulator/seed';

// The two methods behind the payment operations, over HTTP as a client meets them:
// crm.item.payment.list (scope crm) and sale.paysystem.settings.payment.get (scope pay_system).
const LIST = 'crm.item.payment.list';
const SETTINGS = 'sale.paysystem.settings.payment.get';
const CARD_SETTINGS = { REST_SERVICE_ID_IFRAME: 'snum', REST_SERVICE_KEY_IFRAME: 'skey', PS_WORK_MODE_IFRAME: 'REGULAR' };
const TIME_KEYS = ['start', 'finish', 'duration', 'processing', 'date_start', 'date_finish', 'operating_reset_at', 'operating'];
const SCOPE_REFUSAL = 'The request requires higher privileges than provided by the webhook token';

interface Reply {
	status: number;
	body: any;
	text: string;
}

async function postJson(url: string, payload: unknown): Promise<Reply> {
	const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
	const text = await response.text();
	return { status: response.status, body: JSON.parse(text), text };
}

async function postForm(url: string, form: string): Promise<Reply> {
	const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form });
	const text = await response.text();
	return { status: response.status, body: JSON.parse(text), text };
}

/** The error reply as it is on the wire: the code as sent (a number for crm.item.*), the text, the status. */
function errorOf(reply: Reply): [number, unknown, unknown] {
	return [reply.status, reply.body.error, reply.body.error_description];
}

/** A payment as crm.item.payment.list lists it, in the portal's key order. */
function listed(id: number, accountNumber: string, paid: 'Y' | 'N', paySystemId: number, sum: number, paySystemName: string) {
	return {
		id,
		accountNumber,
		paid,
		datePaid: paid === 'Y' ? '2026-05-20T12:32:02+03:00' : null,
		empPaidId: paid === 'Y' ? 1 : null,
		paySystemId,
		sum,
		currency: 'USD',
		paySystemName,
	};
}

const CARD = 'Card payment (REST)';
const BANK = 'Bank transfer (REST)';

/** Smart invoice 9's payments: card for odd positions, bank for even ones, every third one paid. */
const invoiceNine = (from: number, to: number) =>
	Array.from({ length: to - from + 1 }, (_, offset) => {
		const index = from - 1 + offset;
		return listed(901 + index, `9/${index + 1}`, index % 3 === 0 ? 'Y' : 'N', index % 2 === 0 ? 11 : 12, 100 * (index + 1), index % 2 === 0 ? CARD : BANK);
	});

describe('emulated payments', () => {
	let portal: Portal;
	const list = (payload: unknown, url = portal.webhookUrl) => postJson(`${url}${LIST}`, payload);
	const settings = (payload: unknown, url = portal.webhookUrl) => postJson(`${url}${SETTINGS}.json`, payload);

	beforeAll(async () => {
		portal = await startPortal();
	});

	afterAll(async () => {
		await portal.stop();
	});

	describe('crm.item.payment.list', () => {
		it('lists the payments of smart invoice 5 in the portal order, with their total and a time object', async () => {
			const reply = await list({ entityTypeId: 31, entityId: 5 });
			expect(reply.status).toBe(200);
			expect(Object.keys(reply.body)).toEqual(['result', 'total', 'time']);
			expect(reply.body.result).toEqual([listed(501, '5/1', 'Y', 11, 100, CARD), listed(502, '5/2', 'N', 12, 200, BANK)]);
			expect(Object.keys(reply.body.result[0])).toEqual(['id', 'accountNumber', 'paid', 'datePaid', 'empPaidId', 'paySystemId', 'sum', 'currency', 'paySystemName']);
			expect(reply.body.total).toBe(2);
			expect(Object.keys(reply.body.time)).toEqual(TIME_KEYS);
		});

		it('lists the payments of smart invoices 6, 8 and 10, and of deal 20 with its second shop card payment', async () => {
			expect((await list({ entityTypeId: 31, entityId: 6 })).body.result).toEqual([listed(601, '6/1', 'N', 12, 100, BANK)]);
			expect((await list({ entityTypeId: 31, entityId: 8 })).body.result).toEqual([listed(801, '8/1', 'N', 13, 100, 'Cash')]);
			expect((await list({ entityTypeId: 31, entityId: 10 })).body.result).toEqual([listed(1001, '10/1', 'N', 11, 100, CARD)]);
			expect((await list({ entityTypeId: 2, entityId: 20 })).body.result).toEqual([
				listed(2001, '20/1', 'Y', 11, 100, CARD),
				listed(2002, '20/2', 'N', 14, 200, 'Card payment, second shop'),
			]);
		});

		it('answers an empty list for smart invoice 7 and deal 21, which have no payments', async () => {
			for (const [entityTypeId, entityId] of [
				[31, 7],
				[2, 21],
			]) {
				const reply = await list({ entityTypeId, entityId });
				expect(reply.status).toBe(200);
				expect(reply.text.startsWith('{"result":[],"total":0,"time":{')).toBe(true);
			}
		});

		it('pages 50 at a time: smart invoice 9 has 50 payments from start 0 with next 50, then 5 more without next', async () => {
			const first = await list({ entityTypeId: 31, entityId: 9 });
			expect(Object.keys(first.body)).toEqual(['result', 'next', 'total', 'time']);
			expect(first.body.result).toEqual(invoiceNine(1, 50));
			expect([first.body.next, first.body.total]).toEqual([50, 55]);
			expect(first.text).toContain('"next":50,"total":55,');
			const second = await list({ entityTypeId: 31, entityId: 9, start: 50 });
			expect(second.body.result).toEqual(invoiceNine(51, 55));
			expect(second.body.next).toBeUndefined();
			expect(second.body.total).toBe(55);
			// As a form body, the way PHP reads it: every value is text.
			const form = await postForm(`${portal.webhookUrl}${LIST}.json`, 'entityTypeId=31&entityId=9&start=50');
			expect(form.body.result).toEqual(invoiceNine(51, 55));
			expect((await list({ entityTypeId: 31, entityId: 9, start: 55 })).body).toMatchObject({ result: [], total: 55 });
		});

		it('answers its errors with numeric codes: 100 for a missing field, 0 for an object the user may not read', async () => {
			const missing = [100, 'Required fields: entityTypeId, entityId'];
			expect(errorOf(await list({}))).toEqual([400, ...missing]);
			expect(errorOf(await list({ entityId: 5 }))).toEqual([400, ...missing]);
			expect(errorOf(await list({ entityTypeId: 31 }))).toEqual([400, ...missing]);
			expect(errorOf(await list({ entityTypeId: 31, entityId: 0 }))).toEqual([400, ...missing]);
			expect((await list({})).text.startsWith('{"error":100,"error_description":"Required fields: entityTypeId, entityId"')).toBe(true);
			// Unknown smart invoices and deals, another entity type, and IDs that are not IDs.
			for (const [entityTypeId, entityId] of [
				[31, 99],
				[2, 5],
				[3, 5],
				[31, 100001],
				[31, 'abc'],
				[31, -5],
			]) {
				const reply = await list({ entityTypeId, entityId });
				expect(errorOf(reply)).toEqual([400, 0, 'Access denied']);
				expect(reply.text.startsWith('{"error":0,"error_description":"Access denied"')).toBe(true);
			}
			expect(portal.restCalls(LIST).at(-1)?.errorCode).toBe('0');
		});

		it('lists the generated payments of smart invoices and deals from ID 1000, two each, card paid and bank unpaid', async () => {
			expect((await list({ entityTypeId: 31, entityId: 1000 })).body.result).toEqual([
				listed(10_010_001, '1000/1', 'Y', 11, 100, CARD),
				listed(10_010_002, '1000/2', 'N', 12, 200, BANK),
			]);
			expect((await list({ entityTypeId: 2, entityId: 1234 })).body.result).toEqual([
				listed(500_012_341, '1234/1', 'Y', 11, 100, CARD),
				listed(500_012_342, '1234/2', 'N', 12, 200, BANK),
			]);
			expect((await list({ entityTypeId: 31, entityId: 100000 })).body.total).toBe(2);
		});
	});

	describe('sale.paysystem.settings.payment.get', () => {
		it("answers a payment's settings for the pay system it uses, with a time object", async () => {
			const reply = await settings({ PAYMENT_ID: 501, PAY_SYSTEM_ID: 11 });
			expect(reply.status).toBe(200);
			expect(reply.body.result).toEqual(CARD_SETTINGS);
			expect(Object.keys(reply.body.time)).toEqual(TIME_KEYS);
			expect((await settings({ PAYMENT_ID: 502, PAY_SYSTEM_ID: 12 })).body.result).toEqual({
				BANK_NAME: 'Example Bank',
				PAYMENT_ID: 'INV-502',
				PS_WORK_MODE: 'TEST',
			});
			expect((await settings({ PAYMENT_ID: '2002', PAY_SYSTEM_ID: '14' })).body.result).toEqual(settingsFor(14, 2002));
			const form = await postForm(`${portal.webhookUrl}${SETTINGS}`, 'PAYMENT_ID=601&PAY_SYSTEM_ID=12');
			expect(form.body.result).toEqual(settingsFor(12, 601));
		});

		it('answers the settings of generated payments, and no payment past the count of its object', async () => {
			expect((await settings({ PAYMENT_ID: 10_010_001, PAY_SYSTEM_ID: 11 })).body.result).toEqual(CARD_SETTINGS);
			expect((await settings({ PAYMENT_ID: 500_012_342, PAY_SYSTEM_ID: 12 })).body.result).toEqual(settingsFor(12, 500_012_342));
			for (const paymentId of [10_010_000, 10_010_003, 500_012_343]) {
				expect(errorOf(await settings({ PAYMENT_ID: paymentId, PAY_SYSTEM_ID: 11 }))).toEqual([
					400,
					'ERROR_CHECK_FAILURE',
					`Payment with ID=${paymentId} and PAY_SYSTEM_ID=11 not found`,
				]);
			}
		});

		it('checks in the core order: pay system given, payment given, pay system exists, REST handler, payment on it, its order', async () => {
			const checkFailure = (text: string) => [400, 'ERROR_CHECK_FAILURE', text];
			expect(errorOf(await settings({}))).toEqual(checkFailure('Empty field PAY_SYSTEM_ID!'));
			expect(errorOf(await settings({ PAYMENT_ID: 501 }))).toEqual(checkFailure('Empty field PAY_SYSTEM_ID!'));
			expect(errorOf(await settings({ PAYMENT_ID: 501, PAY_SYSTEM_ID: 0 }))).toEqual(checkFailure('Empty field PAY_SYSTEM_ID!'));
			expect(errorOf(await settings({ PAY_SYSTEM_ID: 99 }))).toEqual(checkFailure('Empty field PAYMENT_ID'));
			expect(errorOf(await settings({ PAYMENT_ID: '', PAY_SYSTEM_ID: 11 }))).toEqual(checkFailure('Empty field PAYMENT_ID'));
			expect(errorOf(await settings({ PAYMENT_ID: 501, PAY_SYSTEM_ID: 99 }))).toEqual(checkFailure('Pay system not found'));
			expect(errorOf(await settings({ PAYMENT_ID: 99999, PAY_SYSTEM_ID: 'abc' }))).toEqual(checkFailure('Pay system not found'));
			// The cash pay system runs a built-in handler: refused before the payment is looked up.
			expect(errorOf(await settings({ PAYMENT_ID: 801, PAY_SYSTEM_ID: 13 }))).toEqual([403, 'ACCESS_DENIED', 'Access denied']);
			expect(errorOf(await settings({ PAYMENT_ID: 99999, PAY_SYSTEM_ID: 13 }))).toEqual([403, 'ACCESS_DENIED', 'Access denied']);
			expect(errorOf(await settings({ PAYMENT_ID: 501, PAY_SYSTEM_ID: 12 }))).toEqual(checkFailure('Payment with ID=501 and PAY_SYSTEM_ID=12 not found'));
			expect(errorOf(await settings({ PAYMENT_ID: 99999, PAY_SYSTEM_ID: 11 }))).toEqual(checkFailure('Payment with ID=99999 and PAY_SYSTEM_ID=11 not found'));
			expect(errorOf(await settings({ PAYMENT_ID: 'abc', PAY_SYSTEM_ID: '11' }))).toEqual(checkFailure('Payment with ID=abc and PAY_SYSTEM_ID=11 not found'));
			expect(errorOf(await settings({ PAYMENT_ID: 1001, PAY_SYSTEM_ID: 12 }))).toEqual(checkFailure('Payment with ID=1001 and PAY_SYSTEM_ID=12 not found'));
			// Payment 1001 exists on pay system 11, but the order it belongs to is lost.
			expect(errorOf(await settings({ PAYMENT_ID: 1001, PAY_SYSTEM_ID: 11 }))).toEqual([400, 'ERROR_INTERNAL_ORDER_NOT_FOUND', 'Order #9999 not found']);
		});
	});

	describe('the crm scope', () => {
		it('a webhook without crm cannot list payments, but reads their settings', async () => {
			expect((await postJson(`${portal.noCrmWebhookUrl}scope`, {})).body.result).toEqual(['pay_system', 'user']);
			expect(errorOf(await list({ entityTypeId: 31, entityId: 5 }, portal.noCrmWebhookUrl))).toEqual([403, 'insufficient_scope', SCOPE_REFUSAL]);
			expect((await settings({ PAYMENT_ID: 501, PAY_SYSTEM_ID: 11 }, portal.noCrmWebhookUrl)).body.result).toEqual(CARD_SETTINGS);
		});

		it('a webhook without pay_system lists payments, but cannot read their settings', async () => {
			expect((await list({ entityTypeId: 31, entityId: 6 }, portal.noScopeWebhookUrl)).body.result).toEqual([listed(601, '6/1', 'N', 12, 100, BANK)]);
			expect(errorOf(await settings({ PAYMENT_ID: 601, PAY_SYSTEM_ID: 12 }, portal.noScopeWebhookUrl))).toEqual([403, 'insufficient_scope', SCOPE_REFUSAL]);
		});

		it('an OAuth2 token with pay_system only cannot list payments', async () => {
			const tokens = portal.issueTokens(['pay_system']);
			const reply = await fetch(`${tokens.client_endpoint}${LIST}`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tokens.access_token}` },
				body: JSON.stringify({ entityTypeId: 31, entityId: 5 }),
			});
			expect([reply.status, await reply.json()]).toEqual([403, expect.objectContaining({ error: 'insufficient_scope' })]);
		});
	});

	describe('inside batch', () => {
		it('answers both methods per command: results, numeric codes in result_error, and result_next and result_total for the lists', async () => {
			const reply = await postJson(`${portal.webhookUrl}batch`, {
				halt: 0,
				cmd: {
					page1: `${LIST}?entityTypeId=31&entityId=9`,
					page2: `${LIST}?entityTypeId=31&entityId=9&start=50`,
					five: `${LIST}?entityTypeId=31&entityId=5`,
					none: `${LIST}?entityTypeId=2&entityId=21`,
					unknown: `${LIST}?entityTypeId=31&entityId=99`,
					missing: `${LIST}?entityTypeId=31`,
					card: `${SETTINGS}?PAYMENT_ID=501&PAY_SYSTEM_ID=11`,
					cash: `${SETTINGS}?PAYMENT_ID=801&PAY_SYSTEM_ID=13`,
					order: `${SETTINGS}?PAYMENT_ID=1001&PAY_SYSTEM_ID=11`,
					wrong: `${SETTINGS}?PAYMENT_ID=501&PAY_SYSTEM_ID=12`,
				},
			});
			expect(reply.status).toBe(200);
			const batch = reply.body.result;
			expect(Object.keys(batch.result)).toEqual(['page1', 'page2', 'five', 'none', 'card']);
			expect(batch.result.page1).toEqual(invoiceNine(1, 50));
			expect(batch.result.page2).toEqual(invoiceNine(51, 55));
			expect(batch.result.five.map((payment: { id: number }) => payment.id)).toEqual([501, 502]);
			expect(batch.result.none).toEqual([]);
			expect(batch.result.card).toEqual(CARD_SETTINGS);
			expect(batch.result_error).toEqual({
				unknown: { error: 0, error_description: 'Access denied' },
				missing: { error: 100, error_description: 'Required fields: entityTypeId, entityId' },
				cash: { error: 'ACCESS_DENIED', error_description: 'Access denied' },
				order: { error: 'ERROR_INTERNAL_ORDER_NOT_FOUND', error_description: 'Order #9999 not found' },
				wrong: { error: 'ERROR_CHECK_FAILURE', error_description: 'Payment with ID=501 and PAY_SYSTEM_ID=12 not found' },
			});
			expect(reply.text).toContain('"unknown":{"error":0,"error_description":"Access denied"}');
			expect(reply.text).toContain('"missing":{"error":100,');
			expect(batch.result_next).toEqual({ page1: 50 });
			expect(batch.result_total).toEqual({ page1: 55, page2: 55, five: 2, none: 0 });
			expect(Object.keys(batch.result_time)).toEqual(['page1', 'page2', 'five', 'none', 'card']);
		});

		it("runs the commands with the batch caller's scopes: without crm the lists fail and the settings are read", async () => {
			const reply = await postJson(`${portal.noCrmWebhookUrl}batch`, {
				halt: 0,
				cmd: { i0: `${LIST}?entityTypeId=31&entityId=5`, i1: `${SETTINGS}?PAYMENT_ID=502&PAY_SYSTEM_ID=12` },
			});
			expect(reply.body.result.result).toEqual({ i1: settingsFor(12, 502) });
			expect(reply.body.result.result_error).toEqual({ i0: { error: 'insufficient_scope', error_description: SCOPE_REFUSAL } });
			expect(reply.body.result.result_next).toEqual([]);
			expect(reply.body.result.result_total).toEqual([]);
		});
	});
});

describe('generated objects follow the portal options', () => {
	let portal: Portal;

	beforeAll(async () => {
		portal = await startPortal({ maxEntityId: 1500, paymentsPerEntity: 3 });
	});

	afterAll(async () => {
		await portal.stop();
	});

	it('gives each object paymentsPerEntity payments up to maxEntityId, and none past it', async () => {
		const reply = await postJson(`${portal.webhookUrl}${LIST}`, { entityTypeId: 2, entityId: 1500 });
		expect(reply.body.result).toEqual([
			listed(500_015_001, '1500/1', 'Y', 11, 100, CARD),
			listed(500_015_002, '1500/2', 'N', 12, 200, BANK),
			listed(500_015_003, '1500/3', 'Y', 11, 300, CARD),
		]);
		expect(errorOf(await postJson(`${portal.webhookUrl}${LIST}`, { entityTypeId: 2, entityId: 1501 }))).toEqual([400, 0, 'Access denied']);
		expect((await postJson(`${portal.webhookUrl}${SETTINGS}`, { PAYMENT_ID: 500_015_003, PAY_SYSTEM_ID: 11 })).body.result).toEqual(CARD_SETTINGS);
		expect(errorOf(await postJson(`${portal.webhookUrl}${SETTINGS}`, { PAYMENT_ID: 500_015_011, PAY_SYSTEM_ID: 11 }))).toEqual([
			400,
			'ERROR_CHECK_FAILURE',
			'Payment with ID=500015011 and PAY_SYSTEM_ID=11 not found',
		]);
	});
});
