import type { FaultRule, Portal } from '../../emulator/portal';
import { runWorkflow } from '../../harness/engine';
import type { OnError, WorkflowRunResult } from '../../harness/engine';
import { byPaySystemId, invoices, oauthCredentials, usePortal, webhookCredentials } from '../support';

/** Everything a user or a team can read after a run: items, errors, the stored execution. */
function readableAfterRun(result: WorkflowRunResult): string {
	return JSON.stringify({ run: result.run, error: result.error, nodeError: result.nodeError, output: result.output, errorOutput: result.errorOutput });
}

function expectNoSecret(portal: Portal, result: WorkflowRunResult) {
	const text = readableAfterRun(result);
	const secrets = portal.secrets();
	expect(secrets.length).toBeGreaterThan(0);
	expect(secrets.filter((secret) => text.includes(secret))).toEqual([]);
}

/** A portal that echoes what the call carried in its error text. */
function echoingFault(text: string): FaultRule {
	return { response: { status: 400, json: { error: 'ERROR_CHECK_FAILURE', error_description: text } } };
}

const webhookEcho = (portal: Portal) => `Failed ${portal.webhookUrl}batch.json for code ${portal.webhookCode}`;
const tokenEcho = (portal: Portal, token: string) =>
	`Failed auth=${token} with Bearer ${token}, token ${token}, client secret ${portal.clientSecret}`;

describe('No output, error message or description ever contains the webhook code, a token or the client secret', () => {
	const portal = usePortal();
	const onErrors: OnError[] = ['stopWorkflow', 'continueRegularOutput', 'continueErrorOutput'];

	describe.each(onErrors)('with %s', (onError) => {
		describe.each([true, false])('batch %s', (batch) => {
			it('webhook: success, a method error, an echoing portal, an HTML page and a reset', async () => {
				const cases: Array<FaultRule | null> = [
					null,
					echoingFault(webhookEcho(portal())),
					{ response: { status: 502, body: `<html>${portal().webhookUrl}</html>`, contentType: 'text/html' } },
					{ response: { reset: true } },
				];
				for (const fault of cases) {
					portal().clearFaults();
					if (fault !== null) portal().addFault(fault);
					const result = await runWorkflow({
						// One retry: the retried path reports failures too, and a lasting fault stays quick.
						parameters: byPaySystemId(11, { batch, maxRetries: 1 }),
						items: invoices(10, 404, 'bad'),
						credentials: webhookCredentials(portal().webhookUrl),
						onError,
					});
					expectNoSecret(portal(), result);
				}
			});

			it('OAuth2: an expired token refreshed mid-run and a portal echoing the old and the new token', async () => {
				const tokens = portal().issueTokens();
				portal().expireAccessTokens();
				portal().addFault({ restMethod: batch ? 'batch' : 'sale.paysystem.settings.invoice.get', times: 1, response: { status: 401, json: { error: 'expired_token', error_description: `expired auth=${tokens.access_token}` } } });
				const result = await runWorkflow({
					parameters: { authentication: 'oAuth2', ...byPaySystemId(11, { batch }) },
					items: invoices(10, 404),
					credentials: oauthCredentials(portal(), tokens),
					onError,
				});
				// The next run uses the token n8n saved after the refresh, and the portal echoes it back.
				const saved = result.credentialsHelper.saved.at(-1)?.data;
				const refreshed = saved?.oauthTokenData as { access_token: string } | undefined;
				expect(refreshed).toBeDefined();
				portal().addFault(echoingFault(tokenEcho(portal(), refreshed?.access_token ?? '')));
				const echoed = await runWorkflow({
					parameters: { authentication: 'oAuth2', ...byPaySystemId(11, { batch }) },
					items: invoices(10, 11),
					credentials: { bitrix24OAuth2Api: saved ?? {} },
					onError,
				});
				expectNoSecret(portal(), result);
				expectNoSecret(portal(), echoed);
			});
		});
	});

	it('shows a redacted description, not an empty one', async () => {
		portal().addFault(echoingFault(webhookEcho(portal())));
		const { errorOutput } = await runWorkflow({
			parameters: byPaySystemId(11, { batch: false }),
			items: invoices(10),
			credentials: webhookCredentials(portal().webhookUrl),
			onError: 'continueErrorOutput',
		});
		expect((errorOutput[0].json.details as { errorDescription: string }).errorDescription).toBe(
			`Failed ${portal().origin}/rest/1/***/batch.json for code ***`,
		);
	});
});
