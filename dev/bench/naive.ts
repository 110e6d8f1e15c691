/**
 * What n8n's HTTP Request node does with N items: one POST per item, one after another, paced the
 * way a well-behaved client would (the burst, then the drain rate), and nothing retried.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import axios from 'axios';

import { EMPTY_BUCKET, RATE_LIMIT_PRESETS, reserveSlot } from '../../nodes/shared/bitrix24/pacing';
import type { PathOutcome } from './workload';
import { METHOD, PAY_SYSTEM_ID, isExpectedSettings, withTrailingSlash } from './workload';

export async function runNaive(webhookUrl: string, ids: number[]): Promise<PathOutcome> {
	const limit = RATE_LIMIT_PRESETS.standard;
	if (limit === null) throw new Error('The standard rate limit preset is missing');
	const url = `${withTrailingSlash(webhookUrl)}${METHOD}.json`;
	let bucket = EMPTY_BUCKET;
	const output: unknown[] = [];
	let errorItems = 0;
	for (const invoiceId of ids) {
		const slot = reserveSlot(bucket, limit, Date.now());
		bucket = slot.state;
		if (slot.waitMs > 0) await sleep(slot.waitMs);
		const response = await axios.post(url, { INVOICE_ID: invoiceId, PAY_SYSTEM_ID }, { validateStatus: () => true });
		output.push(response.data);
		if (response.status !== 200 || !isExpectedSettings(invoiceId, response.data?.result)) errorItems++;
	}
	return { output, errorItems };
}
