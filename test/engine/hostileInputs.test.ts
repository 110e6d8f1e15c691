import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import type { Portal } from '../../dev/emulator/portal';
import { runWorkflow } from '../../dev/harness/engine';
import type { OnError } from '../../dev/harness/engine';
import { hintOf } from '../contract/hints';
import { SETTINGS, byHandler, byPaySystemId, forPayment, invoices, oauthCredentials, resourceLocator, usePortal, webhookCredentials } from '../support';
import type { Call, Reader } from './itemReads';
import { CARD_HANDLER, READERS, expectedWire, wireOf } from './itemReads';

const INVALID_HINT = hintOf('INVALID_PARAMETER');
const CHECK_FAILURE_HINT = hintOf('ERROR_CHECK_FAILURE');
const ON_ERRORS: OnError[] = ['stopWorkflow', 'continueRegularOutput', 'continueErrorOutput'];

/**
 * One hostile item between two valid neighbours, every value read from the item by an expression, as
 * data from an earlier node arrives: for `get`, invoices 10 and 11 on the card pay system (by ID or by
 * handler); for `getForPayment`, payments 501 and 2001 on it; for `getForCrmItem`, smart invoice 6 twice.
 */
interface ItemInput {
	by: Reader;
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
	/** INVALID_PARAMETER in the error output, with these ids in its details; nothing is sent for the item. */
	| { refused: string; ids: IDataObject }
	/** Read as its first neighbour is: the same requests, the same output. */
	| { readAsNeighbour: true }
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
const paymentId = (value: ItemValue): ItemInput => ({ by: 'payment', item: { paymentId: value, paySystemId: 11 } });
const entityId = (value: ItemValue): ItemInput => ({ by: 'crmItem', item: { entityTypeId: 31, entityId: value } });
const entityTypeId = (value: ItemValue): ItemInput => ({ by: 'crmItem', item: { entityTypeId: value, entityId: 6 } });

type ThrowingParameter = 'invoiceId' | 'paySystemId' | 'bxRestHandler' | 'paymentId' | 'entityId' | 'entityTypeId';

/** An expression that throws for the hostile item only: the neighbours read their own values. */
function throwing(parameter: ThrowingParameter, expression: string): ItemInput {
	const guarded = (field: string) => `={{ $json.hostile ? (${expression}) : $json.${field} }}`;
	const inputs: Record<ThrowingParameter, ItemInput> = {
		invoiceId: { by: 'id', item: { invoiceId: 12, paySystemId: 11 }, parameters: { invoiceId: guarded('invoiceId') } },
		paySystemId: { by: 'id', item: { invoiceId: 12, paySystemId: 11 }, parameters: { paySystemId: resourceLocator('id', guarded('paySystemId')) } },
		bxRestHandler: { by: 'handler', item: { invoiceId: 12, handler: CARD_HANDLER }, parameters: { bxRestHandler: resourceLocator('code', guarded('handler')) } },
		paymentId: { by: 'payment', item: { paymentId: 501, paySystemId: 11 }, parameters: { paymentId: guarded('paymentId') } },
		entityId: { by: 'crmItem', item: { entityTypeId: 31, entityId: 6 }, parameters: { entityId: guarded('entityId') } },
		entityTypeId: { by: 'crmItem', item: { entityTypeId: 31, entityId: 6 }, parameters: { entityTypeId: guarded('entityTypeId') } },
	};
	const input = inputs[parameter];
	return { ...input, item: { ...input.item, hostile: true } };
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
	ids: { invoiceId: null },
});
const invalidPaySystemId = (shown: string): Outcome => ({
	refused: `INVALID_PARAMETER: Pay System ID must be a whole number from 1 to 2147483647; got ${shown}`,
	ids: { invoiceId: 12 },
});
const invalidHandler = (shown: string): Outcome => ({
	refused: `INVALID_PARAMETER: REST Handler Code must be text of 1 to 255 characters; got ${shown}`,
	ids: { invoiceId: 12 },
});
const controlCharacter = (shown: string): Outcome => ({
	refused: `INVALID_PARAMETER: REST Handler Code must not contain line breaks or other control characters; got ${shown}`,
	ids: { invoiceId: 12 },
});
const invalidPaymentId = (shown: string): Outcome => ({
	refused: `INVALID_PARAMETER: Payment ID must be a whole number from 1 to 2147483647; got ${shown}`,
	ids: { paymentId: null },
});
const invalidEntityId = (shown: string): Outcome => ({
	refused: `INVALID_PARAMETER: Entity ID must be a whole number from 1 to 2147483647; got ${shown}`,
	ids: { entityTypeId: 31, entityId: null },
});
// The entity type is read first: an item it refuses has neither id.
const invalidEntityType = (shown: string): Outcome => ({
	refused: `INVALID_PARAMETER: Entity Type must be 31 (smart invoice) or 2 (deal); got ${shown}`,
	ids: { entityTypeId: null, entityId: null },
});
const readAsNeighbour: Outcome = { readAsNeighbour: true };
const unreadable = (field: string, reason: string, ids: IDataObject): Outcome => ({ refused: `INVALID_PARAMETER: ${field} could not be read: ${reason}`, ids });
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
		['a lone surrogate', handler('card\ud800'), { refused: 'INVALID_PARAMETER: REST Handler Code must be valid Unicode text; got "card\\ud800"', ids: { invoiceId: 12 } }],
	],
	'paymentId: a whole number from 1 to 2147483647, from a number or a numeric string; anything else is INVALID_PARAMETER, never sent': [
		['text', paymentId('abc'), invalidPaymentId('"abc"')],
		['zero', paymentId(0), invalidPaymentId('0')],
		['a negative number', paymentId(-501), invalidPaymentId('-501')],
		['a fraction', paymentId(501.5), invalidPaymentId('501.5')],
		['a fractional string', paymentId('501.0'), invalidPaymentId('"501.0"')],
		['a number past 2147483647', paymentId(2147483648), invalidPaymentId('2147483648')],
		['a 20-digit numeric string', paymentId('99999999999999999999'), invalidPaymentId('"99999999999999999999"')],
		['an empty string', paymentId(''), invalidPaymentId('""')],
		['null', paymentId(null), invalidPaymentId('null')],
		['NaN', paymentId(NaN), invalidPaymentId('NaN')],
		['a missing field', { by: 'payment', item: { paySystemId: 11 } }, invalidPaymentId('nothing')],
		['a boolean', paymentId(true), invalidPaymentId('true')],
		['an array', paymentId([501]), invalidPaymentId('[501]')],
		['an object', paymentId({ id: 501 }), invalidPaymentId('{"id":501}')],
		['digits followed by text', paymentId('501abc'), invalidPaymentId('"501abc"')],
		['an exponent', paymentId('5.01e2'), invalidPaymentId('"5.01e2"')],
		['a hexadecimal string', paymentId('0x1F5'), invalidPaymentId('"0x1F5"')],
		['digits and a parameter', paymentId('501&PAY_SYSTEM_ID=12'), invalidPaymentId('"501&PAY_SYSTEM_ID=12"')],
		['numeric text', paymentId('501'), readAsNeighbour],
		['numeric text in surrounding whitespace', paymentId(' 501\n'), readAsNeighbour],
	],
	'entityId: a whole number from 1 to 2147483647, from a number or a numeric string; anything else is INVALID_PARAMETER, never sent': [
		['text', entityId('abc'), invalidEntityId('"abc"')],
		['zero', entityId(0), invalidEntityId('0')],
		['a negative number', entityId(-6), invalidEntityId('-6')],
		['a fraction', entityId(6.5), invalidEntityId('6.5')],
		['a number past 2147483647', entityId(2147483648), invalidEntityId('2147483648')],
		['an empty string', entityId(''), invalidEntityId('""')],
		['null', entityId(null), invalidEntityId('null')],
		['Infinity', entityId(Infinity), invalidEntityId('Infinity')],
		['a missing field', { by: 'crmItem', item: { entityTypeId: 31 } }, invalidEntityId('nothing')],
		['a boolean', entityId(false), invalidEntityId('false')],
		['an array', entityId([6]), invalidEntityId('[6]')],
		['an object', entityId({ id: 6 }), invalidEntityId('{"id":6}')],
		['an exponent', entityId('6e0'), invalidEntityId('"6e0"')],
		['digits and a parameter', entityId('6&start=50'), invalidEntityId('"6&start=50"')],
		['numeric text', entityId('6'), readAsNeighbour],
		['numeric text in surrounding whitespace', entityId(' 6 '), readAsNeighbour],
	],
	'entityTypeId: 31 (smart invoice) or 2 (deal), as a number or numeric text; anything else is INVALID_PARAMETER, never sent': [
		['another entity type', entityTypeId(3), invalidEntityType('3')],
		['the legacy invoice type', entityTypeId(5), invalidEntityType('5')],
		['zero', entityTypeId(0), invalidEntityType('0')],
		['a negative type', entityTypeId(-31), invalidEntityType('-31')],
		['a fraction', entityTypeId(31.5), invalidEntityType('31.5')],
		['text after the digits', entityTypeId('31x'), invalidEntityType('"31x"')],
		['the name of the type', entityTypeId('Invoice'), invalidEntityType('"Invoice"')],
		['true', entityTypeId(true), invalidEntityType('true')],
		['false', entityTypeId(false), invalidEntityType('false')],
		['null', entityTypeId(null), invalidEntityType('null')],
		['an empty string', entityTypeId(''), invalidEntityType('""')],
		['an array holding the type', entityTypeId([31]), invalidEntityType('[31]')],
		['a hexadecimal string', entityTypeId('0x1F'), invalidEntityType('"0x1F"')],
		['an exponent', entityTypeId('3.1e1'), invalidEntityType('"3.1e1"')],
		['a fractional string', entityTypeId('31.0'), invalidEntityType('"31.0"')],
		['a blank string', entityTypeId('  '), invalidEntityType('"  "')],
		['NaN', entityTypeId(NaN), invalidEntityType('NaN')],
		['a missing field', { by: 'crmItem', item: { entityId: 6 } }, invalidEntityType('nothing')],
		['an object', entityTypeId({ id: 31 }), invalidEntityType('{"id":31}')],
		['numeric text', entityTypeId('31'), readAsNeighbour],
		['numeric text in surrounding whitespace', entityTypeId(' 31 '), readAsNeighbour],
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
		['invoiceId naming a node that does not exist', throwing('invoiceId', '$("Missing node").item.json.id'), unreadable('Invoice ID', "Referenced node doesn't exist", { invoiceId: null })],
		['invoiceId reading an environment variable', throwing('invoiceId', '$env.HOME'), unreadable('Invoice ID', 'access to env vars denied', { invoiceId: null })],
		['invoiceId calling an extension on nothing', throwing('invoiceId', '$json.nope.toInt()'), unreadable('Invoice ID', "toInt can't be used on undefined value", { invoiceId: null })],
		['invoiceId giving a function', throwing('invoiceId', '() => 10'), unreadable('Invoice ID', 'this is a function, please add ()', { invoiceId: null })],
		// n8n swallows a plain Error thrown inside an expression and gives nothing.
		['invoiceId throwing a plain Error', throwing('invoiceId', '(() => { throw new Error("boom") })()'), invalidInvoiceId('nothing')],
		['Pay System ID naming a node that does not exist', throwing('paySystemId', '$("Missing node").item.json.id'), unreadable('Pay System ID', "Referenced node doesn't exist", { invoiceId: 12 })],
		['REST Handler Code calling a function wrongly', throwing('bxRestHandler', '$jmespath(1)'), unreadable('REST Handler Code', 'expected two arguments (Object, string) for this function', { invoiceId: 12 })],
		['Payment ID naming a node that does not exist', throwing('paymentId', '$("Missing node").item.json.id'), unreadable('Payment ID', "Referenced node doesn't exist", { paymentId: null })],
		['Entity ID reading an environment variable', throwing('entityId', '$env.HOME'), unreadable('Entity ID', 'access to env vars denied', { entityTypeId: 31, entityId: null })],
		['Entity Type naming a node that does not exist', throwing('entityTypeId', '$("Missing node").item.json.type'), unreadable('Entity Type', "Referenced node doesn't exist", { entityTypeId: null, entityId: null })],
	],
	'A fixed value that can never work is a node issue: the run does not start and nothing is sent': [
		['a pay system ID that is text', fixed(byPaySystemId('card')), nodeIssue('Enter a whole number of 1 or more')],
		['a negative pay system ID', fixed(byPaySystemId(-1)), nodeIssue('Enter a whole number of 1 or more')],
		['an empty pay system ID', fixed(byPaySystemId('')), nodeIssue('Parameter "Pay System" is required.\n- Enter a whole number of 1 or more')],
		['an empty handler code', fixed(byHandler('')), nodeIssue('Parameter "REST Handler" is required.')],
		['a pay system ID of a payment that is text', fixed({ ...forPayment({}, 'card'), paymentId: 501 }), nodeIssue('Enter a whole number of 1 or more')],
		['an empty pay system ID of a payment', fixed({ ...forPayment({}, ''), paymentId: 501 }), nodeIssue('Parameter "Pay System" is required.\n- Enter a whole number of 1 or more')],
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

/** The run the contract asks for: both neighbours succeed, the hostile item gets its outcome, only valid calls go out. */
function expectedItemRun(portal: Portal, input: ItemInput, outcome: Outcome, batch: boolean) {
	const reader = READERS[input.by];
	const success = (item: number, settings: IDataObject = reader.output) => ({ json: settings, pairedItem: { item } });
	// n8n merges the input item's fields into an item it moves to the error output.
	const failure = (error: string, details: IDataObject) => ({ json: { ...input.item, error, details }, pairedItem: { item: 1 } });
	const sent: Call[][][] = [reader.calls(reader.neighbours[0])];
	const output = [success(0)];
	const errorOutput = [];
	if ('refused' in outcome) {
		const details = { errorCode: 'INVALID_PARAMETER', errorDescription: null, httpCode: null, ...outcome.ids, hint: INVALID_HINT };
		errorOutput.push(failure(outcome.refused, details));
	} else if ('readAsNeighbour' in outcome) {
		sent.push(reader.calls(reader.neighbours[0]));
		output.push(success(1));
	} else if ('sends' in outcome) {
		sent.push(reader.calls({ invoiceId: 12, handler: outcome.sends }));
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
	sent.push(reader.calls(reader.neighbours[1]));
	output.push(success(2));
	// Each round carries the calls of every item still reading, in input order.
	const rounds = sent[0].map((_, round) => sent.flatMap((calls) => calls[round]));
	return { error: undefined, output, errorOutput, wire: expectedWire(portal, rounds, batch) };
}

async function expectItemOutcome(portal: Portal, input: ItemInput, outcome: Outcome): Promise<void> {
	const reader = READERS[input.by];
	const observed: Record<string, unknown> = {};
	const expected: Record<string, unknown> = {};
	for (const batch of [true, false]) {
		portal.clearLog();
		const result = await runWorkflow({
			parameters: { ...reader.parameters(batch), ...input.parameters },
			items: [reader.neighbours[0], input.item, reader.neighbours[1]],
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
