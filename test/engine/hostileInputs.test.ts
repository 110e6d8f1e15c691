import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { phpUrlDecode } from '../../dev/emulator/php';
import type { Portal } from '../../dev/emulator/portal';
import { runWorkflow } from '../../dev/harness/engine';
import type { OnError } from '../../dev/harness/engine';
import { describeErrorCode } from '../../nodes/shared/bitrix24/errorTable';
import { SETTINGS, byHandler, byPaySystemId, invoices, oauthCredentials, resourceLocator, usePortal, webhookCredentials } from '../support';

const METHOD = 'sale.paysystem.settings.invoice.get';
const CARD_HANDLER = 'resthandlercard';
const INVALID_HINT = describeErrorCode('INVALID_PARAMETER').hint;
const CHECK_FAILURE_HINT = describeErrorCode('ERROR_CHECK_FAILURE').hint;
const ON_ERRORS: OnError[] = ['stopWorkflow', 'continueRegularOutput', 'continueErrorOutput'];

/**
 * One hostile item between two valid neighbours (invoices 10 and 11 on the card pay system), every
 * value read from the item by an expression, as data from an earlier node arrives.
 */
interface ItemInput {
	by: 'id' | 'handler';
	item: IDataObject;
	/** Parameters that replace the defaults: an expression that throws for the hostile item only. */
	parameters?: INodeParameters;
}

/** Node parameters typed into the node itself, as a saved workflow holds them. */
interface FixedInput {
	fixed: INodeParameters;
}

/** A credential as the user saved it. */
interface CredentialInput {
	authentication: 'webhook' | 'oAuth2';
	credentials: (portal: Portal) => Record<string, ICredentialDataDecryptedObject>;
}

type Input = ItemInput | FixedInput | CredentialInput;

type Outcome =
	/** INVALID_PARAMETER in the error output; nothing is sent for the item. */
	| { refused: string; invoiceId: number | null }
	/** Sent as exactly one BX_REST_HANDLER with this value; the portal does not know it. */
	| { sends: string; portalSays: string }
	/** Sent as exactly one BX_REST_HANDLER with this value, and answered. */
	| { sends: string; settings: IDataObject }
	/** The run does not start: n8n lists the node's issue. */
	| { nodeIssue: string }
	/** A NodeOperationError before any request, whatever the error setting. */
	| { configurationError: string };

type Row = [name: string, input: Input, outcome: Outcome];

/** Any value an item can carry: text, numbers (NaN too), booleans, null, arrays, objects. */
type ItemValue = IDataObject[string];

const invoiceId = (value: ItemValue): ItemInput => ({ by: 'id', item: { invoiceId: value, paySystemId: 11 } });
const paySystemId = (value: ItemValue): ItemInput => ({ by: 'id', item: { invoiceId: 12, paySystemId: value } });
const handler = (value: ItemValue): ItemInput => ({ by: 'handler', item: { invoiceId: 12, handler: value } });

/** An expression that throws for the hostile item only: the neighbours read their own values. */
function throwing(parameter: 'invoiceId' | 'paySystemId' | 'bxRestHandler', expression: string): ItemInput {
	const guarded = (field: string) => `={{ $json.hostile ? (${expression}) : $json.${field} }}`;
	const parameters: Record<typeof parameter, INodeParameters> = {
		invoiceId: { invoiceId: guarded('invoiceId') },
		paySystemId: { paySystemId: resourceLocator('id', guarded('paySystemId')) },
		bxRestHandler: { bxRestHandler: resourceLocator('code', guarded('handler')) },
	};
	return parameter === 'bxRestHandler'
		? { by: 'handler', item: { invoiceId: 12, handler: CARD_HANDLER, hostile: true }, parameters: parameters[parameter] }
		: { by: 'id', item: { invoiceId: 12, paySystemId: 11, hostile: true }, parameters: parameters[parameter] };
}

const fixed = (parameters: INodeParameters): FixedInput => ({ fixed: parameters });

const webhook = (url: (portal: Portal) => string): CredentialInput => ({
	authentication: 'webhook',
	credentials: (portal) => webhookCredentials(url(portal)),
});

/** An OAuth2 credential connected to the portal, with this domain and this client_endpoint (or none) in its token. */
const oauth = (domain: string, clientEndpoint?: string): CredentialInput => ({
	authentication: 'oAuth2',
	credentials: (portal) => {
		const { client_endpoint: _issued, ...tokens } = portal.issueTokens();
		return oauthCredentials(portal, clientEndpoint === undefined ? tokens : { ...tokens, client_endpoint: clientEndpoint }, { domain });
	},
});

const invalidInvoiceId = (shown: string): Outcome => ({
	refused: `INVALID_PARAMETER: Invoice ID must be a whole number from 1 to 2147483647; got ${shown}`,
	invoiceId: null,
});
const invalidPaySystemId = (shown: string): Outcome => ({
	refused: `INVALID_PARAMETER: Pay System ID must be a whole number from 1 to 2147483647; got ${shown}`,
	invoiceId: 12,
});
const invalidHandler = (shown: string): Outcome => ({
	refused: `INVALID_PARAMETER: REST Handler Code must be text of 1 to 255 characters; got ${shown}`,
	invoiceId: 12,
});
const controlCharacter = (shown: string): Outcome => ({
	refused: `INVALID_PARAMETER: REST Handler Code must not contain line breaks or other control characters; got ${shown}`,
	invoiceId: 12,
});
const unreadable = (field: string, reason: string, invoiceId: number | null): Outcome => ({ refused: `INVALID_PARAMETER: ${field} could not be read: ${reason}`, invoiceId });
/** A handler code sent exactly as written, which the portal does not know. */
const sentAsWritten = (code: string): [ItemInput, Outcome] => [handler(code), { sends: code, portalSays: 'Handler not found' }];
const nodeIssue = (issue: string): Outcome => ({ nodeIssue: issue });
const unusable = (problem: string): Outcome => ({ configurationError: problem });

const WEBHOOK_SHAPE = 'It should look like https://<portal>/rest/<user id>/<webhook code>/';
const NOT_A_URL = `The webhook URL is not a valid http(s) URL. ${WEBHOOK_SHAPE}`;
const NOT_A_WEBHOOK = `The webhook URL does not point to a Bitrix24 incoming webhook. ${WEBHOOK_SHAPE}`;
const QUERY_OR_FRAGMENT = `The webhook URL must not carry a query string or fragment. ${WEBHOOK_SHAPE}`;
const USER_INFO = 'The webhook URL must not contain a user name or password before the host.';
const plainHttp = (what: string, host: string) =>
	`${what} uses http:// to ${host}, which would send the secret unencrypted. Use https://, or turn on "Allow Insecure HTTP" in the credential if the portal is on a network you trust.`;

const hostOf = (portal: Portal) => new URL(portal.origin).host;

/** The hostile inputs, by the rule of the contract that decides them. */
const HOSTILE_INPUTS: Record<string, Row[]> = {
	'invoiceId: a whole number from 1 to 2147483647, from a number or a numeric string; anything else is INVALID_PARAMETER, never sent': [
		['text', invoiceId('abc'), invalidInvoiceId('"abc"')],
		['zero', invoiceId(0), invalidInvoiceId('0')],
		['a negative number', invoiceId(-5), invalidInvoiceId('-5')],
		['a negative numeric string', invoiceId('-3'), invalidInvoiceId('"-3"')],
		['a fraction', invoiceId(1.5), invalidInvoiceId('1.5')],
		['a fractional string', invoiceId('1.5'), invalidInvoiceId('"1.5"')],
		['a number past 2147483647', invoiceId(2147483648), invalidInvoiceId('2147483648')],
		['a 20-digit numeric string', invoiceId('99999999999999999999'), invalidInvoiceId('"99999999999999999999"')],
		['10 KB of digits', invoiceId('1'.repeat(10240)), invalidInvoiceId(`"${'1'.repeat(56)}...`)],
		['an empty string', invoiceId(''), invalidInvoiceId('""')],
		['a blank string', invoiceId('  '), invalidInvoiceId('"  "')],
		['null', invoiceId(null), invalidInvoiceId('null')],
		['NaN', invoiceId(NaN), invalidInvoiceId('NaN')],
		['Infinity', invoiceId(Infinity), invalidInvoiceId('Infinity')],
		['-Infinity', invoiceId(-Infinity), invalidInvoiceId('-Infinity')],
		['a missing field', { by: 'id', item: { paySystemId: 11 } }, invalidInvoiceId('nothing')],
		['a boolean', invoiceId(true), invalidInvoiceId('true')],
		['an array', invoiceId([10]), invalidInvoiceId('[10]')],
		['an object', invoiceId({ id: 10 }), invalidInvoiceId('{"id":10}')],
		['digits followed by text', invoiceId('12abc'), invalidInvoiceId('"12abc"')],
		['an exponent', invoiceId('1e3'), invalidInvoiceId('"1e3"')],
		['a hexadecimal string', invoiceId('0x10'), invalidInvoiceId('"0x10"')],
		['full-width digits', invoiceId('１０'), invalidInvoiceId('"１０"')],
		['digits split by a line break', invoiceId('1\n0'), invalidInvoiceId('"1\\n0"')],
	],
	'Pay System ID: a whole number from 1 to 2147483647; anything else is INVALID_PARAMETER, never sent': [
		['empty', paySystemId(''), invalidPaySystemId('""')],
		['text', paySystemId('card'), invalidPaySystemId('"card"')],
		['zero', paySystemId(0), invalidPaySystemId('0')],
		['negative', paySystemId(-1), invalidPaySystemId('-1')],
		['fractional', paySystemId(11.5), invalidPaySystemId('11.5')],
		['past 2147483647', paySystemId(2147483648), invalidPaySystemId('2147483648')],
		['null', paySystemId(null), invalidPaySystemId('null')],
		['NaN', paySystemId(NaN), invalidPaySystemId('NaN')],
		['an array', paySystemId([11]), invalidPaySystemId('[11]')],
		['an object', paySystemId({ id: 11 }), invalidPaySystemId('{"id":11}')],
	],
	'REST Handler Code: text of 1 to 255 characters, without line breaks or control characters; anything else is INVALID_PARAMETER, never sent': [
		['empty', handler(''), invalidHandler('""')],
		['only spaces', handler('   '), invalidHandler('"   "')],
		['longer than 255 characters', handler('h'.repeat(256)), invalidHandler('256 characters')],
		['10 KB long', handler('h'.repeat(10240)), invalidHandler('10240 characters')],
		['a number', handler(42), invalidHandler('42')],
		['null', handler(null), invalidHandler('null')],
		['an array', handler([CARD_HANDLER]), invalidHandler('["resthandlercard"]')],
		['an object', handler({ code: CARD_HANDLER }), invalidHandler('{"code":"resthandlercard"}')],
		['a line break inside', handler('space and\nnewline'), controlCharacter('"space and\\nnewline"')],
		['CR LF and a header after a known code', handler(`${CARD_HANDLER}\r\nX-Injected: 1`), controlCharacter('"resthandlercard\\r\\nX-Injected: 1"')],
		['a tab inside', handler('a\tb'), controlCharacter('"a\\tb"')],
		['a NUL inside', handler('a\u0000b'), controlCharacter('"a\\u0000b"')],
		['a Unicode line separator inside', handler('a\u2028b'), controlCharacter('"a\u2028b"')],
		['a lone surrogate', handler('card\ud800'), { refused: 'INVALID_PARAMETER: REST Handler Code must be valid Unicode text; got "card\\ud800"', invoiceId: 12 }],
	],
	'Wire: a handler code arrives as exactly one BX_REST_HANDLER with its value as written, batch or not; no input adds, changes or drops a parameter': [
		['& and a parameter', ...sentAsWritten('a&PAY_SYSTEM_ID=12')],
		['& and the invoice parameter', ...sentAsWritten('&INVOICE_ID=99')],
		['= and the batch halt flag', ...sentAsWritten('x=1&halt=1')],
		['? and #', ...sentAsWritten('code?with#hash')],
		['% + and /', ...sentAsWritten('100%+plus/slash')],
		['an escape that is already encoded', ...sentAsWritten('%26BX_REST_HANDLER%3Dresthandlercard')],
		['a PHP array parameter', ...sentAsWritten('x&INVOICE_ID[]=1')],
		['a space inside', ...sentAsWritten('my handler')],
		['Cyrillic and a check mark', ...sentAsWritten('юникод-✓')],
		['an emoji', ...sentAsWritten('💳 card')],
		['a right-to-left override', ...sentAsWritten('\u202Eresthandlercard')],
		["quotes and !'()*", ...sentAsWritten("quote'\"!()*")],
		['exactly 255 characters', ...sentAsWritten('h'.repeat(255))],
		['255 emoji, 510 UTF-16 units', ...sentAsWritten('💳'.repeat(255))],
		['a known code in surrounding whitespace, trimmed', handler(` ${CARD_HANDLER}\n`), { sends: CARD_HANDLER, settings: SETTINGS.card }],
	],
	'An expression that throws is that item\'s INVALID_PARAMETER error; the other items still run': [
		['invoiceId naming a node that does not exist', throwing('invoiceId', '$("Missing node").item.json.id'), unreadable('Invoice ID', "Referenced node doesn't exist", null)],
		['invoiceId reading an environment variable', throwing('invoiceId', '$env.HOME'), unreadable('Invoice ID', 'access to env vars denied', null)],
		['invoiceId calling an extension on nothing', throwing('invoiceId', '$json.nope.toInt()'), unreadable('Invoice ID', "toInt can't be used on undefined value", null)],
		['invoiceId giving a function', throwing('invoiceId', '() => 10'), unreadable('Invoice ID', 'this is a function, please add ()', null)],
		// n8n swallows a plain Error thrown inside an expression and gives nothing.
		['invoiceId throwing a plain Error', throwing('invoiceId', '(() => { throw new Error("boom") })()'), invalidInvoiceId('nothing')],
		['Pay System ID naming a node that does not exist', throwing('paySystemId', '$("Missing node").item.json.id'), unreadable('Pay System ID', "Referenced node doesn't exist", 12)],
		['REST Handler Code calling a function wrongly', throwing('bxRestHandler', '$jmespath(1)'), unreadable('REST Handler Code', 'expected two arguments (Object, string) for this function', 12)],
	],
	'A fixed value that can never work is a node issue: the run does not start and nothing is sent': [
		['a pay system ID that is text', fixed(byPaySystemId('card')), nodeIssue('Enter a whole number of 1 or more')],
		['a negative pay system ID', fixed(byPaySystemId(-1)), nodeIssue('Enter a whole number of 1 or more')],
		['an empty pay system ID', fixed(byPaySystemId('')), nodeIssue('Parameter "Pay System" is required.\n- Enter a whole number of 1 or more')],
		['an empty handler code', fixed(byHandler('')), nodeIssue('Parameter "REST Handler" is required.')],
	],
	'A credential that cannot work is a NodeOperationError before any request, whatever the error setting, and never shows a secret': [
		['an empty webhook URL', webhook(() => ''), unusable('The webhook URL is empty. Paste the URL Bitrix24 shows for the incoming webhook, like https://<portal>/rest/<user id>/<webhook code>/')],
		['text that is not a URL', webhook(() => 'not a url'), unusable(NOT_A_URL)],
		['a scheme and nothing else', webhook(() => 'https://'), unusable(NOT_A_URL)],
		['a URL without its scheme', webhook((p) => `${hostOf(p)}/rest/1/${p.webhookCode}/`), unusable(NOT_A_URL)],
		['an ftp:// URL', webhook((p) => `ftp://${hostOf(p)}/rest/1/${p.webhookCode}/`), unusable(NOT_A_URL)],
		['a javascript: URL', webhook((p) => `javascript:alert(1)//rest/1/${p.webhookCode}/`), unusable(NOT_A_URL)],
		['a query string', webhook((p) => `${p.webhookUrl}?auth=1`), unusable(QUERY_OR_FRAGMENT)],
		['a query string after a method', webhook((p) => `${p.webhookUrl}profile.json?x=1`), unusable(QUERY_OR_FRAGMENT)],
		['an empty query string', webhook((p) => `${p.webhookUrl}?`), unusable(QUERY_OR_FRAGMENT)],
		['a fragment', webhook((p) => `${p.webhookUrl}#x`), unusable(QUERY_OR_FRAGMENT)],
		['an empty fragment', webhook((p) => `${p.webhookUrl}#`), unusable(QUERY_OR_FRAGMENT)],
		['http:// to a remote host', webhook((p) => `http://portal.example.com/rest/1/${p.webhookCode}/`), unusable(plainHttp('The webhook URL', 'portal.example.com'))],
		['http:// to a remote host named like loopback', webhook((p) => `http://127.0.0.1.example.com/rest/1/${p.webhookCode}/`), unusable(plainHttp('The webhook URL', '127.0.0.1.example.com'))],
		['another path: /api/', webhook((p) => `${p.origin}/api/1/${p.webhookCode}/`), unusable(NOT_A_WEBHOOK)],
		['another path: a user id that is not a number', webhook((p) => `${p.origin}/rest/abc/${p.webhookCode}/`), unusable(NOT_A_WEBHOOK)],
		['another path: a user id without a code', webhook((p) => `${p.origin}/rest/1/`), unusable(NOT_A_WEBHOOK)],
		['another path: no /rest/ at all', webhook((p) => `${p.origin}/crm/invoice/`), unusable(NOT_A_WEBHOOK)],
		['another path: segments after the code', webhook((p) => `${p.webhookUrl}crm/deal/list`), unusable(NOT_A_WEBHOOK)],
		['another path: dot segments out of the webhook', webhook((p) => `${p.webhookUrl}../../api/`), unusable(NOT_A_WEBHOOK)],
		['another path: a prefix before /rest/', webhook((p) => `${p.origin}/portal/rest/1/${p.webhookCode}/`), unusable(NOT_A_WEBHOOK)],
		['a user name and password before the host', webhook((p) => `http://admin:pw@${hostOf(p)}/rest/1/${p.webhookCode}/`), unusable(USER_INFO)],
		['the webhook code as the password', webhook((p) => `http://user:${p.webhookCode}@${hostOf(p)}/rest/1/${p.webhookCode}/`), unusable(USER_INFO)],
		['an OAuth2 http:// domain to a remote host', oauth('http://portal.example.com'), unusable(plainHttp('The portal address', 'portal.example.com'))],
		['an OAuth2 http:// client_endpoint to a remote host', oauth('portal.example.com', 'http://portal.example.com/rest/'), unusable(plainHttp('The portal address', 'portal.example.com'))],
		['an OAuth2 client_endpoint that is not http(s)', oauth('portal.example.com', 'ftp://portal.example.com/rest/'), unusable('The portal sent a client_endpoint that is not an http(s) URL. Reconnect the credential.')],
		['an OAuth2 domain that is not a host', oauth('not a domain'), unusable('The Bitrix24 domain is empty or not valid. Enter the portal address, e.g. example.bitrix24.com.')],
	],
};

/** A thrown error as a user reads it. */
function errorFacts(error: unknown): unknown {
	if (typeof error !== 'object' || error === null) return error;
	const { name, message, description } = error as { name?: unknown; message?: unknown; description?: unknown };
	return { name, message, description };
}

/** A batch command as the portal's PHP reads it: the method, then each name=value pair of the query, decoded. */
function readCommand(command: string): [string, string[][]] {
	const mark = command.indexOf('?');
	return [command.slice(0, mark), command.slice(mark + 1).split('&').map((pair) => pair.split('=').map(phpUrlDecode))];
}

/** What reached the portal, in order: each request's path and parameters, a batch's commands read as PHP reads them. */
function wireOf(portal: Portal) {
	return portal.restCalls().map((call) => ({
		path: call.path,
		params: Object.entries(call.params).map(([name, value]) =>
			call.restMethod === 'batch' && name === 'cmd'
				? [name, Object.fromEntries(Object.entries(value as Record<string, string>).map(([key, command]) => [key, readCommand(command)]))]
				: [name, value],
		),
	}));
}

/** The requests that carry these method parameters: one batch of all of them, or one JSON call each. */
function expectedWire(portal: Portal, sent: IDataObject[], batch: boolean) {
	const base = new URL(portal.webhookUrl).pathname;
	if (!batch) return sent.map((params) => ({ path: `${base}${METHOD}.json`, params: Object.entries(params) }));
	const commands = sent.map((params, index) => [`i${index}`, [METHOD, Object.entries(params).map(([name, value]) => [name, String(value)])]]);
	return [{ path: `${base}batch.json`, params: [['halt', 0], ['cmd', Object.fromEntries(commands)]] }];
}

const neighbour = (by: ItemInput['by'], invoiceId: number): IDataObject =>
	by === 'id' ? { invoiceId, paySystemId: 11 } : { invoiceId, handler: CARD_HANDLER };
const neighbourParams = (by: ItemInput['by'], invoiceId: number): IDataObject =>
	by === 'id' ? { INVOICE_ID: invoiceId, PAY_SYSTEM_ID: 11 } : { INVOICE_ID: invoiceId, BX_REST_HANDLER: CARD_HANDLER };

/** The run the contract asks for: both neighbours succeed, the hostile item gets its outcome, only valid calls go out. */
function expectedItemRun(portal: Portal, input: ItemInput, outcome: Outcome, batch: boolean) {
	const success = (item: number, settings: IDataObject = SETTINGS.card) => ({ json: settings, pairedItem: { item } });
	// n8n merges the input item's fields into an item it moves to the error output.
	const failure = (error: string, details: IDataObject) => ({ json: { ...input.item, error, details }, pairedItem: { item: 1 } });
	const sent = [neighbourParams(input.by, 10)];
	const output = [success(0)];
	const errorOutput = [];
	if ('refused' in outcome) {
		const details = { errorCode: 'INVALID_PARAMETER', errorDescription: null, httpCode: null, invoiceId: outcome.invoiceId, hint: INVALID_HINT };
		errorOutput.push(failure(outcome.refused, details));
	} else if ('sends' in outcome) {
		sent.push({ INVOICE_ID: 12, BX_REST_HANDLER: outcome.sends });
		if ('settings' in outcome) {
			output.push(success(1, outcome.settings));
		} else {
			// Inside a batch the status of the whole request is not the command's.
			const details = { errorCode: 'ERROR_CHECK_FAILURE', errorDescription: outcome.portalSays, httpCode: batch ? null : 400, invoiceId: 12, hint: CHECK_FAILURE_HINT };
			errorOutput.push(failure(`Bitrix24 error ERROR_CHECK_FAILURE: ${outcome.portalSays}`, details));
		}
	} else {
		throw new Error('An item row expects an item outcome');
	}
	sent.push(neighbourParams(input.by, 11));
	output.push(success(2));
	return { error: undefined, output, errorOutput, wire: expectedWire(portal, sent, batch) };
}

async function expectItemOutcome(portal: Portal, input: ItemInput, outcome: Outcome): Promise<void> {
	const observed: Record<string, unknown> = {};
	const expected: Record<string, unknown> = {};
	for (const batch of [true, false]) {
		portal.clearLog();
		const parameters = input.by === 'id' ? byPaySystemId('={{ $json.paySystemId }}', { batch }) : byHandler('={{ $json.handler }}', { batch });
		const result = await runWorkflow({
			parameters: { ...parameters, ...input.parameters },
			items: [neighbour(input.by, 10), input.item, neighbour(input.by, 11)],
			credentials: webhookCredentials(portal.webhookUrl),
			onError: 'continueErrorOutput',
		});
		const mode = batch ? 'batch on' : 'batch off';
		observed[mode] = { error: result.error?.message, output: result.output, errorOutput: result.errorOutput, wire: wireOf(portal) };
		expected[mode] = expectedItemRun(portal, input, outcome, batch);
	}
	expect(observed).toEqual(expected);
}

async function expectNodeIssue(portal: Portal, input: FixedInput, outcome: Outcome): Promise<void> {
	if (!('nodeIssue' in outcome)) throw new Error('A fixed row expects a node issue');
	const thrown = await runWorkflow({
		parameters: input.fixed,
		items: invoices(10),
		credentials: webhookCredentials(portal.webhookUrl),
		onError: 'continueErrorOutput',
	}).then(
		() => undefined,
		(error: unknown) => error,
	);
	expect(errorFacts(thrown)).toEqual({
		name: 'WorkflowHasIssuesError',
		message: `The 'Pay System Invoice Settings' node has issues:\n- ${outcome.nodeIssue}`,
		description: undefined,
	});
	expect(portal.requests).toEqual([]);
}

async function expectConfigurationError(portal: Portal, input: CredentialInput, outcome: Outcome): Promise<void> {
	if (!('configurationError' in outcome)) throw new Error('A credential row expects a configuration error');
	const refusal = {
		name: 'NodeOperationError',
		message: `The Bitrix24 credential cannot be used: ${outcome.configurationError}`,
		description: 'Fix the credential, then run the workflow again. No request was sent.',
	};
	const observed: Record<string, unknown> = {};
	const expected: Record<string, unknown> = {};
	const readable: string[] = [];
	for (const onError of ON_ERRORS) {
		const result = await runWorkflow({
			parameters: { authentication: input.authentication, ...byPaySystemId(11) },
			items: invoices(10, 11),
			credentials: input.credentials(portal),
			onError,
		});
		const thrownByNode = errorFacts(await result.nodeFinished);
		observed[onError] = {
			runError: errorFacts(result.error),
			nodeError: errorFacts(result.nodeError),
			thrownByNode,
			output: result.output,
			errorOutput: result.errorOutput,
		};
		expected[onError] = {
			runError: refusal,
			nodeError: refusal,
			thrownByNode: refusal,
			// The node gives no item; n8n itself passes the input through under a "continue" setting.
			output: onError === 'stopWorkflow' ? [] : [{ json: { invoiceId: 10 }, pairedItem: { item: 0 } }, { json: { invoiceId: 11 }, pairedItem: { item: 1 } }],
			errorOutput: [],
		};
		readable.push(JSON.stringify({ run: result.run, thrownByNode }));
	}
	expect(observed).toEqual(expected);
	expect(portal.requests).toEqual([]);
	expect(portal.secrets().filter((secret) => readable.some((text) => text.includes(secret)))).toEqual([]);
}

describe('Hostile inputs: each is a clear item error or configuration error, sends nothing it should not, and never crashes the run', () => {
	const portal = usePortal();

	describe.each(Object.entries(HOSTILE_INPUTS))('%s', (_rule, rows) => {
		it.each(rows)('%s', async (_name, input, outcome) => {
			if ('item' in input) await expectItemOutcome(portal(), input, outcome);
			else if ('fixed' in input) await expectNodeIssue(portal(), input, outcome);
			else await expectConfigurationError(portal(), input, outcome);
		});
	});
});
