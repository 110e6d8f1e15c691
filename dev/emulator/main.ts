// `npm run emulator`: an emulated Bitrix24 portal for trying the node in a local n8n.
// Its whole purpose is to show the credentials to paste into n8n, so it prints them. Its flags
// (cli.ts) set the latency and limits, for several processes sharing one portal.
import { USAGE, describeFlags, optionsFromFlags } from './cli';
import { startPortal } from './portal';

async function main(): Promise<void> {
	const flags = optionsFromFlags(process.argv.slice(2));
	if (flags === null) {
		process.stdout.write(`${USAGE}\n`);
		return;
	}
	const port = Number(process.env.PORT ?? 8080);
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		throw new RangeError(`PORT must be a port number, got ${process.env.PORT}`);
	}
	// Fixed credentials let saved n8n credentials survive an emulator restart.
	const portal = await startPortal({
		port,
		webhookCode: process.env.BX24_WEBHOOK_CODE || undefined,
		clientId: process.env.BX24_CLIENT_ID || undefined,
		clientSecret: process.env.BX24_CLIENT_SECRET || undefined,
		...flags,
	});

	const lines = [
		`Emulated Bitrix24 portal listening on ${portal.origin}`,
		'',
		'Webhook credential (Bitrix24 Webhook API):',
		`  Webhook URL:            ${portal.webhookUrl}`,
		`  Without pay_system:     ${portal.noScopeWebhookUrl}`,
		'',
		'OAuth2 credential (Bitrix24 OAuth2 API):',
		`  Domain:                 ${portal.origin}`,
		`  Client ID:              ${portal.clientId}`,
		`  Client Secret:          ${portal.clientSecret}`,
		`  Access Token URL:       ${portal.origin}/oauth/token/`,
		`  Authorization URL:      ${portal.origin}/oauth/authorize/`,
		'',
		'Pay systems: 11 card, 12 bank transfer, 13 cash, 14 card (second shop), 15 empty settings',
		'Handlers: resthandlercard, resthandlerbank, resthandlerempty, resthandlerunused (no pay system)',
		'Invoices: 1..100000 exist except 404; try INVOICE_ID 10 with PAY_SYSTEM_ID 11, or 7 with 12',
		...describeFlags(flags),
		'',
		'Press Ctrl+C to stop.',
	];
	process.stdout.write(`${lines.join('\n')}\n`);

	let stopping = false;
	const stop = (signal: NodeJS.Signals) => {
		if (stopping) {
			return;
		}
		stopping = true;
		process.stdout.write(`\n${signal}: stopping the portal\n`);
		portal.stop().then(
			() => {
				process.exitCode = 0;
			},
			(error: unknown) => {
				process.stderr.write(`Could not stop cleanly: ${error instanceof Error ? error.message : String(error)}\n`);
				process.exitCode = 1;
			},
		);
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
	process.exitCode = 1;
});
