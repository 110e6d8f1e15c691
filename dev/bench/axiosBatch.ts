/**
 * The node's batch requests with nothing around them: the same 50-command bodies, sent one after
 * another with plain axios. The floor the node's own overhead is measured against.
 */
import { BATCH_LIMIT } from '../../nodes/shared/bitrix24/transport/calls';
import axios from 'axios';

import type { PathOutcome } from './workload';
import { METHOD, PAY_SYSTEM_ID, isExpectedSettings, withTrailingSlash } from './workload';


export async function runAxiosBatch(webhookUrl: string, ids: number[]): Promise<PathOutcome> {
	const url = `${withTrailingSlash(webhookUrl)}batch.json`;
	const output: unknown[] = [];
	let itemsOut = 0;
	let errorItems = 0;
	for (let start = 0; start < ids.length; start += BATCH_LIMIT) {
		const chunk = ids.slice(start, start + BATCH_LIMIT);
		const cmd = Object.fromEntries(
			chunk.map((invoiceId, position) => [`i${position}`, `${METHOD}?INVOICE_ID=${invoiceId}&PAY_SYSTEM_ID=${PAY_SYSTEM_ID}`]),
		);
		const response = await axios.post(url, { halt: 0, cmd }, { validateStatus: () => true });
		const results = response.data?.result?.result ?? {};
		chunk.forEach((invoiceId, position) => {
			const settings = results[`i${position}`];
			output.push(settings);
			if (settings !== undefined) itemsOut++;
			if (!isExpectedSettings(invoiceId, settings)) errorItems++;
		});
	}
	return { output, itemsOut, errorItems };
}
