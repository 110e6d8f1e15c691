/** How long a cancel takes to stop the node while it waits out a backoff. */
import { backoffDelay } from '../../nodes/shared/bitrix24/limits/retryPolicy';
import { DEFAULT_CLIENT_SETTINGS } from '../../nodes/shared/bitrix24/run/options';
import { startPortal } from '../emulator/portal';
import { runWorkflow } from '../harness/engine';
import { STANDARD_PORTAL, byPaySystemId, invoices, webhookCredentials } from '../harness/fixtures';

/** The cancel comes during the wait after this many failed requests. */
export const FAILED_REQUESTS_BEFORE_CANCEL = 5;

export interface CancelMeasure {
	/** The shortest wait the node had ahead of it at the cancel. */
	backoffMs: number;
	/** From the cancel to the node's execute settling. */
	stopMs: number;
	/** Requests the portal had received when the cancel came: the failed ones before the wait. */
	requestsAtCancel: number;
	requestsAfterCancel: number;
	message: string;
}

export async function measureCancelDuringBackoff(): Promise<CancelMeasure> {
	const portal = await startPortal(STANDARD_PORTAL);
	try {
		portal.addFault({ restMethod: 'batch', response: { status: 500, json: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' } } });
		let cancelledAt = 0;
		let requestsAtCancel = 0;
		const { nodeFinished } = await runWorkflow({
			parameters: byPaySystemId(11, { maxRetries: 10 }),
			items: invoices(10, 11, 12),
			credentials: webhookCredentials(portal.webhookUrl),
			onError: 'continueErrorOutput',
			cancelWhen: new Promise<void>((resolve) => {
				const poll = setInterval(() => {
					const answered = portal.restCalls('batch').filter((request) => request.status !== 0);
					if (answered.length >= FAILED_REQUESTS_BEFORE_CANCEL) {
						clearInterval(poll);
						// Well inside the wait that follows the last failure.
						setTimeout(() => {
							cancelledAt = performance.now();
							requestsAtCancel = portal.restCalls().length;
							resolve();
						}, 100);
					}
				}, 5);
			}),
		});
		const thrown = await nodeFinished;
		const stopMs = performance.now() - cancelledAt;
		// Anything the node would still send shows up within the longest wait it could have had.
		await new Promise((resolve) => setTimeout(resolve, 200));
		return {
			backoffMs: backoffDelay(FAILED_REQUESTS_BEFORE_CANCEL, DEFAULT_CLIENT_SETTINGS.retryPolicy, () => 0) - 100,
			stopMs,
			requestsAtCancel,
			requestsAfterCancel: portal.restCalls().length - requestsAtCancel,
			message: thrown instanceof Error ? thrown.message : String(thrown),
		};
	} finally {
		await portal.stop();
	}
}
