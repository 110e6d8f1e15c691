import * as http from 'node:http';

import type { FaultKind, FaultMix, RequestFaultKind } from '../../dev/emulator/faults';
import { FaultDraw, gatewayPage, seededRandom } from '../../dev/emulator/faults';
import * as php from '../../dev/emulator/php';
import { startPortal } from '../../dev/emulator/portal';
import type { Portal } from '../../dev/emulator/portal';

const METHOD = 'sale.paysystem.settings.invoice.get';
const REQUEST_FAULT_KINDS: readonly RequestFaultKind[] = [
	'serverError',
	'reset',
	'slow',
	'truncated',
	'badGateway',
	'unavailable',
	'operatingLimit',
	'queryLimitStorm',
];
const NO_FAULTS: Record<FaultKind, number> = {
	serverError: 0,
	reset: 0,
	slow: 0,
	truncated: 0,
	badGateway: 0,
	unavailable: 0,
	operatingLimit: 0,
	queryLimitStorm: 0,
	commandQueryLimit: 0,
	commandServerError: 0,
	commandMissing: 0,
	expiredToken: 0,
};

/** How often each answer came back from a list of draws. */
function tally<T extends string | null>(draws: T[]): Map<T, number> {
	const counts = new Map<T, number>();
	for (const draw of draws) counts.set(draw, (counts.get(draw) ?? 0) + 1);
	return counts;
}

describe('A mix is drawn from a seeded generator, so a run can be repeated', () => {
	it('gives the same sequence for the same seed, and another for another seed', () => {
		const first = seededRandom(42);
		const second = seededRandom(42);
		const other = seededRandom(43);
		const sequence = Array.from({ length: 100 }, () => first());
		expect(Array.from({ length: 100 }, () => second())).toEqual(sequence);
		expect(Array.from({ length: 100 }, () => other())).not.toEqual(sequence);
		expect(sequence.every((value) => value >= 0 && value < 1)).toBe(true);
	});

	it('draws the same faults for the same mix and requests', () => {
		const mix: FaultMix = { seed: 7, serverError: 0.2, reset: 0.2, truncated: 0.2, commandFaults: 0.5 };
		const drawAll = (draw: FaultDraw) => Array.from({ length: 200 }, (_, index) => [draw.nextRequestFault(index), draw.nextCommandFault()]);
		expect(drawAll(new FaultDraw(mix))).toEqual(drawAll(new FaultDraw(mix)));
	});

	it('starts from seed 1 when the mix names none', () => {
		const unseeded = new FaultDraw({ serverError: 0.5 });
		const seeded = new FaultDraw({ seed: 1, serverError: 0.5 });
		const draws = (draw: FaultDraw) => Array.from({ length: 50 }, (_, index) => draw.nextRequestFault(index));
		expect(draws(unseeded)).toEqual(draws(seeded));
	});
});

describe('The request fault shares add up to at most 1', () => {
	it.each<[string, FaultMix, string]>([
		['1.25', { serverError: 0.5, reset: 0.75 }, 'The request fault shares add up to 1.25, more than 1'],
		['2', { badGateway: 1, queryLimitStorm: 1 }, 'The request fault shares add up to 2, more than 1'],
	])('refuses shares adding up to %s with a RangeError', (_case, mix, message) => {
		expect(() => new FaultDraw(mix)).toThrow(new RangeError(message));
		expect(() => new FaultDraw(mix)).toThrow(RangeError);
	});

	it('accepts shares adding up to exactly 1, and leaves command faults out of the sum', () => {
		const mix: FaultMix = { commandFaults: 1 };
		for (const kind of REQUEST_FAULT_KINDS) mix[kind] = 0.125;
		expect(() => new FaultDraw(mix)).not.toThrow();
		expect(() => new FaultDraw({ serverError: 1, commandFaults: 1 })).not.toThrow();
	});
});

describe('Over many requests each fault takes its share', () => {
	const DRAWS = 10_000;

	it('gives each request fault its share within 0.015 (5 standard deviations at 10,000 draws)', () => {
		const mix: FaultMix = { seed: 2024 };
		for (const kind of REQUEST_FAULT_KINDS) mix[kind] = 0.1;
		const draw = new FaultDraw(mix);
		// A storm of 0 s lasts for its own request only, so every request is a fresh draw.
		const counts = tally(Array.from({ length: DRAWS }, (_, index) => draw.nextRequestFault(index)));
		for (const kind of REQUEST_FAULT_KINDS) {
			expect(Math.abs((counts.get(kind) ?? 0) / DRAWS - 0.1)).toBeLessThanOrEqual(0.015);
		}
		expect(Math.abs((counts.get(null) ?? 0) / DRAWS - 0.2)).toBeLessThanOrEqual(0.02);
	});

	it('gives command faults their share within 0.02, split evenly between the three kinds within 0.015', () => {
		const draw = new FaultDraw({ seed: 99, commandFaults: 0.3 });
		const counts = tally(Array.from({ length: DRAWS }, () => draw.nextCommandFault()));
		expect(Math.abs((DRAWS - (counts.get(null) ?? 0)) / DRAWS - 0.3)).toBeLessThanOrEqual(0.02);
		for (const kind of ['commandQueryLimit', 'commandServerError', 'commandMissing'] as const) {
			expect(Math.abs((counts.get(kind) ?? 0) / DRAWS - 0.1)).toBeLessThanOrEqual(0.015);
		}
	});

	it('gives a share of 1 to every request and a share of 0 to none', () => {
		const always = new FaultDraw({ truncated: 1, commandFaults: 1 });
		const never = new FaultDraw({ truncated: 0, commandFaults: 0 });
		for (let index = 0; index < 200; index++) {
			expect(always.nextRequestFault(index)).toBe('truncated');
			expect(always.nextCommandFault()).not.toBeNull();
			expect(never.nextRequestFault(index)).toBeNull();
			expect(never.nextCommandFault()).toBeNull();
		}
	});
});

describe('A storm takes every request until stormSeconds have passed', () => {
	it('answers every request inside the window with the storm, then draws again', () => {
		// Seed 2 rolls 0.734 (a storm under this mix) and then 0.325 (a server error).
		const draw = new FaultDraw({ seed: 2, serverError: 0.7, queryLimitStorm: 0.3, stormSeconds: 2 });
		expect([1000, 1001, 2000, 2999].map((now) => draw.nextRequestFault(now))).toEqual([
			'queryLimitStorm',
			'queryLimitStorm',
			'queryLimitStorm',
			'queryLimitStorm',
		]);
		// The storm took no draws: the request after it meets the second roll.
		expect(draw.nextRequestFault(3000)).toBe('serverError');
		expect(draw.injected).toEqual({ ...NO_FAULTS, queryLimitStorm: 4, serverError: 1 });
	});

	it('lasts for its own request only when stormSeconds is absent', () => {
		const draw = new FaultDraw({ seed: 2, serverError: 0.7, queryLimitStorm: 0.3 });
		expect(draw.nextRequestFault(1000)).toBe('queryLimitStorm');
		expect(draw.nextRequestFault(1000)).toBe('serverError');
	});
});

describe('Tokens expire before every N-th request', () => {
	it('fires on exactly every 3rd request', () => {
		const draw = new FaultDraw({ expireTokensEvery: 3 });
		expect(Array.from({ length: 10 }, () => draw.expireTokensNow())).toEqual([
			false,
			false,
			true,
			false,
			false,
			true,
			false,
			false,
			true,
			false,
		]);
		expect(draw.injected).toEqual({ ...NO_FAULTS, expiredToken: 3 });
	});

	it.each<[string, FaultMix]>([
		['absent', {}],
		['0', { expireTokensEvery: 0 }],
		['negative', { expireTokensEvery: -2 }],
	])('never fires when the interval is %s', (_case, mix) => {
		const draw = new FaultDraw(mix);
		expect(Array.from({ length: 20 }, () => draw.expireTokensNow()).some(Boolean)).toBe(false);
		expect(draw.injected.expiredToken).toBe(0);
	});
});

describe('A mix touches only the REST methods it names', () => {
	it('applies to the listed methods only', () => {
		const draw = new FaultDraw({ restMethods: ['batch', METHOD] });
		expect([METHOD, 'batch', 'scope', 'sale.paysystem.list'].map((method) => draw.applies(method))).toEqual([true, true, false, false]);
	});

	it('applies to every method when none are listed, and to none for an empty list', () => {
		expect(['scope', 'batch', METHOD].map((method) => new FaultDraw({}).applies(method))).toEqual([true, true, true]);
		expect(['scope', 'batch', METHOD].map((method) => new FaultDraw({ restMethods: [] }).applies(method))).toEqual([false, false, false]);
	});
});

describe('The draw counts exactly what it injected', () => {
	it('counts each request and command fault it returned', () => {
		const mix: FaultMix = { seed: 5, stormSeconds: 0, commandFaults: 0.5, expireTokensEvery: 4 };
		for (const kind of REQUEST_FAULT_KINDS) mix[kind] = 0.05;
		const draw = new FaultDraw(mix);
		const returned: Array<FaultKind | null> = [];
		let expired = 0;
		for (let index = 0; index < 500; index++) {
			if (draw.expireTokensNow()) expired++;
			returned.push(draw.nextRequestFault(index), draw.nextCommandFault());
		}
		const counts = tally(returned);
		const expected = { ...NO_FAULTS, expiredToken: expired };
		for (const kind of Object.keys(NO_FAULTS) as FaultKind[]) {
			if (kind !== 'expiredToken') expected[kind] = counts.get(kind) ?? 0;
		}
		expect(draw.injected).toEqual(expected);
		expect(expired).toBe(125);
	});
});

interface WireAnswer {
	status: number;
	contentType: string | null;
	text: string;
}

async function post(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<WireAnswer> {
	const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(payload) });
	return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

/** Posts with node:http and reports whether any answer came before the socket closed. */
function postRaw(url: string, payload: unknown): Promise<{ answered: boolean; errorCode: string | null }> {
	return new Promise((resolve) => {
		const request = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' } });
		request.on('response', (response) => {
			response.resume();
			resolve({ answered: true, errorCode: null });
		});
		request.on('error', (error: NodeJS.ErrnoException) => resolve({ answered: false, errorCode: error.code ?? null }));
		request.end(JSON.stringify(payload));
	});
}

const parse = (text: string) => JSON.parse(text) as { error?: string; error_description?: string; result?: any; time?: any };

describe('Each fault at share 1 gives exactly its documented wire answer', () => {
	let portal: Portal;
	let settingsUrl: string;
	const body = { INVOICE_ID: 10, PAY_SYSTEM_ID: 11 };

	beforeEach(async () => {
		portal = await startPortal();
		settingsUrl = `${portal.webhookUrl}${METHOD}.json`;
	});

	afterEach(async () => {
		jest.restoreAllMocks();
		await portal.stop();
	});

	it('serverError: HTTP 500 with INTERNAL_SERVER_ERROR in JSON', async () => {
		portal.injectFaults({ serverError: 1 });
		const answer = await post(settingsUrl, body);
		expect(answer.status).toBe(500);
		expect(answer.contentType).toBe('application/json; charset=utf-8');
		expect(parse(answer.text)).toMatchObject({ error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' });
		expect(portal.requests.map((entry) => [entry.fault, entry.status, entry.errorCode])).toEqual([['serverError', 500, 'INTERNAL_SERVER_ERROR']]);
	});

	it('reset: the socket closes with no answer', async () => {
		portal.injectFaults({ reset: 1 });
		expect(await postRaw(settingsUrl, body)).toEqual({ answered: false, errorCode: 'ECONNRESET' });
		expect(portal.requests.map((entry) => [entry.fault, entry.status])).toEqual([['reset', 0]]);
	});

	it('slow: the answer comes no earlier than slowDelayMs, and is a normal answer', async () => {
		portal.injectFaults({ slow: 1, slowDelayMs: 300 });
		const startedAt = performance.now();
		const answer = await post(settingsUrl, body);
		expect(performance.now() - startedAt).toBeGreaterThanOrEqual(300);
		expect(answer.status).toBe(200);
		expect(parse(answer.text).result).toEqual({ REST_SERVICE_ID_IFRAME: 'snum', REST_SERVICE_KEY_IFRAME: 'skey', PS_WORK_MODE_IFRAME: 'REGULAR' });
		expect(portal.requests.map((entry) => [entry.fault, entry.status])).toEqual([['slow', 200]]);
	});

	it('truncated: HTTP 200 whose body is exactly the first half of a valid answer and does not parse', async () => {
		// The answer carries the clock, so the full text is read where the portal encodes it.
		const encode = jest.spyOn(php, 'encodePhpJson');
		portal.injectFaults({ truncated: 1 });
		const answer = await post(settingsUrl, body);
		expect(encode).toHaveBeenCalledTimes(1);
		const full = encode.mock.results[0].value as string;
		expect(parse(full).result).toEqual({ REST_SERVICE_ID_IFRAME: 'snum', REST_SERVICE_KEY_IFRAME: 'skey', PS_WORK_MODE_IFRAME: 'REGULAR' });
		expect(answer.status).toBe(200);
		expect(answer.contentType).toBe('application/json; charset=utf-8');
		expect(answer.text).toBe(full.slice(0, Math.floor(full.length / 2)));
		expect(() => JSON.parse(answer.text)).toThrow(SyntaxError);
		expect(portal.requests.map((entry) => [entry.fault, entry.status])).toEqual([['truncated', 200]]);
	});

	it.each<['badGateway' | 'unavailable', 502 | 503]>([
		['badGateway', 502],
		['unavailable', 503],
	])('%s: HTTP %i with the gateway\'s HTML page', async (kind, status) => {
		portal.injectFaults({ [kind]: 1 });
		const answer = await post(settingsUrl, body);
		expect(answer).toEqual({ status, contentType: 'text/html; charset=utf-8', text: gatewayPage(status) });
		expect(portal.requests.map((entry) => [entry.fault, entry.status, entry.errorCode])).toEqual([[kind, status, null]]);
	});

	it('operatingLimit: HTTP 429 OPERATION_TIME_LIMIT resetting operatingResetSeconds from now, rounded up', async () => {
		portal.injectFaults({ operatingLimit: 1, operatingResetSeconds: 7 });
		const before = Date.now();
		const answer = await post(settingsUrl, body);
		const after = Date.now();
		const reply = parse(answer.text);
		expect(answer.status).toBe(429);
		expect(reply).toMatchObject({ error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked due to operation time limit.' });
		expect(reply.time.operating_reset_at).toBeGreaterThanOrEqual(Math.ceil(before / 1000 + 7));
		expect(reply.time.operating_reset_at).toBeLessThanOrEqual(Math.ceil(after / 1000 + 7));
		expect(Number.isInteger(reply.time.operating_reset_at)).toBe(true);
		expect(portal.requests.map((entry) => [entry.fault, entry.status, entry.errorCode])).toEqual([['operatingLimit', 429, 'OPERATION_TIME_LIMIT']]);
	});

	it('queryLimitStorm: HTTP 503 QUERY_LIMIT_EXCEEDED for every request of the storm, other methods too', async () => {
		portal.injectFaults({ queryLimitStorm: 1, stormSeconds: 60 });
		const answers = [await post(settingsUrl, body), await post(`${portal.webhookUrl}scope`, {}), await post(settingsUrl, body)];
		expect(answers.map((answer) => answer.status)).toEqual([503, 503, 503]);
		for (const answer of answers) {
			expect(parse(answer.text)).toMatchObject({ error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
		}
		expect(portal.requests.map((entry) => [entry.fault, entry.status, entry.errorCode])).toEqual(
			Array.from({ length: 3 }, () => ['queryLimitStorm', 503, 'QUERY_LIMIT_EXCEEDED']),
		);
		expect(portal.injectedFaults()).toEqual({ ...NO_FAULTS, queryLimitStorm: 3 });
	});

	it('commandFaults: every batch command is answered with a fault or left out, and the log counts them', async () => {
		portal.injectFaults({ seed: 3, commandFaults: 1 });
		const cmd = Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`c${index}`, `${METHOD}?INVOICE_ID=${index + 1}&PAY_SYSTEM_ID=11`]));
		const answer = await post(`${portal.webhookUrl}batch.json`, { halt: 0, cmd });
		expect(answer.status).toBe(200);
		const batch = parse(answer.text).result as { result: unknown; result_error: Record<string, { error: string; error_description: string }>; result_time: unknown };
		expect(batch.result).toEqual([]);
		expect(batch.result_time).toEqual([]);
		const kinds = Object.keys(cmd).map((key) => batch.result_error[key] ?? null);
		for (const kind of kinds) {
			expect([
				null,
				{ error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' },
				{ error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' },
			]).toContainEqual(kind);
		}
		const count = (code: string | null) => kinds.filter((kind) => (kind?.error ?? null) === code).length;
		expect(portal.injectedFaults()).toEqual({
			...NO_FAULTS,
			commandQueryLimit: count('QUERY_LIMIT_EXCEEDED'),
			commandServerError: count('INTERNAL_SERVER_ERROR'),
			commandMissing: count(null),
		});
		// The seed gives every kind at least once, so each branch is on the wire.
		expect([count('QUERY_LIMIT_EXCEEDED'), count('INTERNAL_SERVER_ERROR'), count(null)].every((n) => n > 0)).toBe(true);
		expect(portal.requests.map((entry) => [entry.fault, entry.status, entry.batchCommands, entry.faultedCommands])).toEqual([
			[undefined, 200, 12, 12],
		]);
	});

	it('expireTokensEvery: the N-th request with an OAuth token is answered 401 expired_token', async () => {
		const tokens = portal.issueTokens();
		portal.injectFaults({ expireTokensEvery: 2 });
		const bearer = { Authorization: `Bearer ${tokens.access_token}` };
		const first = await post(`${tokens.client_endpoint}${METHOD}.json`, body, bearer);
		const second = await post(`${tokens.client_endpoint}${METHOD}.json`, body, bearer);
		expect(first.status).toBe(200);
		expect(second.status).toBe(401);
		expect(parse(second.text)).toMatchObject({ error: 'expired_token', error_description: 'The access token provided has expired.' });
		expect(portal.requests.map((entry) => [entry.auth, entry.fault, entry.status, entry.errorCode])).toEqual([
			['oauth', undefined, 200, null],
			['oauth', undefined, 401, 'expired_token'],
		]);
		expect(portal.injectedFaults()).toEqual({ ...NO_FAULTS, expiredToken: 1 });
	});

	it('restMethods: a method outside the mix is answered normally', async () => {
		portal.injectFaults({ serverError: 1, restMethods: [METHOD] });
		expect((await post(`${portal.webhookUrl}scope.json`, {})).status).toBe(200);
		expect((await post(settingsUrl, body)).status).toBe(500);
		expect(portal.requests.map((entry) => [entry.restMethod, entry.fault])).toEqual([
			['scope', undefined],
			[METHOD, 'serverError'],
		]);
	});

	it('injectFaults(null) stops the faults and injectedFaults() counts what was injected', async () => {
		portal.injectFaults({ serverError: 1 });
		for (let index = 0; index < 3; index++) expect((await post(settingsUrl, body)).status).toBe(500);
		expect(portal.injectedFaults()).toEqual({ ...NO_FAULTS, serverError: 3 });
		portal.injectFaults(null);
		expect((await post(settingsUrl, body)).status).toBe(200);
		expect(portal.injectedFaults()).toEqual(NO_FAULTS);
		expect(portal.requests.map((entry) => entry.fault)).toEqual(['serverError', 'serverError', 'serverError', undefined]);
	});

	it('a mix given at start applies from the first request', async () => {
		const started = await startPortal({ faultMix: { unavailable: 1 } });
		try {
			expect((await post(`${started.webhookUrl}${METHOD}.json`, body)).status).toBe(503);
			expect(started.injectedFaults()).toEqual({ ...NO_FAULTS, unavailable: 1 });
		} finally {
			await started.stop();
		}
	});
});
