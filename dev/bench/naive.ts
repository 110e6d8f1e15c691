/**
 * What n8n's HTTP Request node does with N items: one POST per call, one after another, paced the
 * way a well-behaved client would (the burst, then the drain rate), and nothing retried.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import axios from 'axios';

import { EMPTY_BUCKET, RATE_LIMIT_PRESETS, reserveSlot } from '../../nodes/shared/bitrix24/limits/pacing';
import { PAY_METHOD, callbackFor } from './confirmPayments';
import { LIST_METHOD, SETTINGS_METHOD, countErrors, expectedSettings } from './crmItems';
import type { PathOutcome } from './workload';
import { METHOD, PAY_SYSTEM_ID, isExpectedSettings, withTrailingSlash } from './workload';

interface Answer {
	status: number;
	data: { result?: unknown; next?: number } | undefined;
}

/** POSTs one REST call, after waiting for its slot in the standard preset's bucket. */
function pacedPoster(webhookUrl: string): (method: string, body: object) => Promise<Answer> {
	const limit = RATE_LIMIT_PRESETS.standard;
	if (limit === null) throw new Error('The standard rate limit preset is missing');
	let bucket = EMPTY_BUCKET;
	return async (method, body) => {
		const slot = reserveSlot(bucket, limit, Date.now());
		bucket = slot.state;
		if (slot.waitMs > 0) await sleep(slot.waitMs);
		const response = await axios.post(`${withTrailingSlash(webhookUrl)}${method}.json`, body, { validateStatus: () => true });
		return { status: response.status, data: response.data as Answer['data'] };
	};
}

export async function runNaive(webhookUrl: string, ids: number[]): Promise<PathOutcome> {
	const post = pacedPoster(webhookUrl);
	const output: unknown[] = [];
	let itemsOut = 0;
	let errorItems = 0;
	for (const invoiceId of ids) {
		const response = await post(METHOD, { INVOICE_ID: invoiceId, PAY_SYSTEM_ID });
		output.push(response.data);
		if (response.status === 200) itemsOut++;
		if (response.status !== 200 || !isExpectedSettings(invoiceId, response.data?.result)) errorItems++;
	}
	return { output, itemsOut, errorItems };
}

/** getForCrmItem by hand: each smart invoice's payments (page by page), then each payment's settings. */
export async function runNaiveCrmItems(webhookUrl: string, entityIds: number[]): Promise<PathOutcome> {
	const post = pacedPoster(webhookUrl);
	const output: Array<{ item: number; settings: unknown }> = [];
	for (const [item, entityId] of entityIds.entries()) {
		const payments: Array<{ id: number; paySystemId: number }> = [];
		for (let start: number | undefined = 0; start !== undefined; ) {
			const listed = await post(LIST_METHOD, { entityTypeId: 31, entityId, ...(start > 0 ? { start } : {}) });
			if (listed.status !== 200 || !Array.isArray(listed.data?.result)) break;
			payments.push(...(listed.data.result as Array<{ id: number; paySystemId: number }>));
			start = listed.data.next;
		}
		for (const payment of payments) {
			const answer = await post(SETTINGS_METHOD, { PAYMENT_ID: payment.id, PAY_SYSTEM_ID: payment.paySystemId });
			if (answer.status === 200) output.push({ item, settings: answer.data?.result });
		}
	}
	return { output, itemsOut: output.length, errorItems: countErrors(expectedSettings(entityIds), output) };
}

/** Confirm as an HTTP Request node would: one sale.paysystem.pay.payment POST per callback, nothing read before or after. */
export async function runNaiveConfirm(webhookUrl: string, paymentIds: number[]): Promise<PathOutcome> {
	const post = pacedPoster(webhookUrl);
	const output: unknown[] = [];
	let errorItems = 0;
	for (const paymentId of paymentIds) {
		const { paySystemId, transactionId, amount, currency } = callbackFor(paymentId);
		const body = { PAYMENT_ID: paymentId, PAY_SYSTEM_ID: paySystemId, PS_INVOICE_ID: transactionId, PS_SUM: amount, PS_CURRENCY: currency };
		const response = await post(PAY_METHOD, body);
		output.push(response.data);
		if (response.status !== 200 || response.data?.result !== true) errorItems++;
	}
	return { output, itemsOut: paymentIds.length - errorItems, errorItems };
}
