/** Runs one scenario: a fresh emulated portal here in the parent, the path itself in a child process. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { startPortal } from '../emulator/portal';
import type { PortalOptions } from '../emulator/portal';
import { PACKAGE_ROOT } from '../harness/package';
import type { ConfirmCheck } from './confirmPayments';
import { CONFIRM_PORTAL, checkConfirmed, confirmPaymentIds, seedUnpaid } from './confirmPayments';
import { CRM_ITEM_PORTAL } from './crmItems';
import type { ScenarioReport, ScenarioRequest } from './protocol';
import { PATH_LABELS, WARM_UP_WEBHOOK_URL_ENV, WEBHOOK_URL_ENV, toArgv } from './protocol';

const SCENARIO_FILE = join(__dirname, 'scenario.ts');

/** A Bitrix24 portal's published limits: 2 requests/s, a burst of 50. */
export const STANDARD_PORTAL_LIMITS = { drainPerSecond: 2, burst: 50 };

export type PortalLimits = PortalOptions['limits'];

export interface ScenarioResult {
	report: ScenarioReport;
	/** HTTP requests the portal received. */
	requests: number;
	queryLimitExceeded: number;
	/** The confirm workload's requests per step and the payments left wrong, read from the portal after the run. */
	confirm?: ConfirmCheck;
}

export function describeRequest(request: ScenarioRequest): string {
	const workload = request.workload === 'crm-item' ? 'getForCrmItem, ' : request.workload === 'confirm' ? 'confirm, ' : '';
	return `${workload}${PATH_LABELS[request.path]}, N=${request.n.toLocaleString('en-US')}`;
}

export async function runScenario(request: ScenarioRequest, limits: PortalLimits): Promise<ScenarioResult> {
	const confirm = request.workload === 'confirm';
	const data = request.workload === 'crm-item' ? CRM_ITEM_PORTAL : confirm ? CONFIRM_PORTAL : {};
	const portal = await startPortal({ ...data, limits });
	const warmUpPortal = await startPortal({ ...data, limits: null });
	if (confirm) {
		seedUnpaid(portal, confirmPaymentIds(request.n));
		seedUnpaid(warmUpPortal, confirmPaymentIds(request.warmUp ?? 0));
	}
	try {
		const report = await runChild(request, { [WEBHOOK_URL_ENV]: portal.webhookUrl, [WARM_UP_WEBHOOK_URL_ENV]: warmUpPortal.webhookUrl });
		return {
			report,
			requests: portal.requests.length,
			queryLimitExceeded: portal.requests.filter((entry) => entry.errorCode === 'QUERY_LIMIT_EXCEEDED').length,
			...(confirm ? { confirm: checkConfirmed(portal, confirmPaymentIds(request.n)) } : {}),
		};
	} finally {
		await Promise.all([portal.stop(), warmUpPortal.stop()]);
	}
}

function runChild(request: ScenarioRequest, env: Record<string, string>): Promise<ScenarioReport> {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', SCENARIO_FILE, ...toArgv(request)], {
			cwd: PACKAGE_ROOT,
			env: { ...process.env, ...env },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		child.on('error', reject);
		child.on('close', (code, signal) => {
			const lastLine = stdout.trim().split('\n').pop() ?? '';
			if (code === 0 && lastLine.startsWith('{')) {
				resolvePromise(JSON.parse(lastLine) as ScenarioReport);
			} else {
				const reason = stderr.trim().split('\n').slice(0, 5).join('\n') || `exit ${code ?? signal}`;
				reject(new Error(`${describeRequest(request)} failed: ${reason}`));
			}
		});
	});
}
