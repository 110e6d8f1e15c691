// An emulated Bitrix24 portal: REST (webhook and OAuth), batch, limits and an OAuth2 server on 127.0.0.1.
import * as http from 'node:http';
import * as crypto from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';

import type { FaultKind, FaultMix } from './faults';
import { FaultDraw, gatewayPage } from './faults';
import { encodePhpJson, parsePhpQuery } from './php';
import { HANDLERS, PAY_SYSTEM_FIELDS, PAY_SYSTEMS, profileFor, settingsFor } from './seed';
import type { PaySystem } from './seed';

export interface PortalOptions {
	port?: number;
	webhookUserId?: number;
	webhookCode?: string;
	noScopeWebhookCode?: string;
	clientId?: string;
	clientSecret?: string;
	appScopes?: string[];
	accessTokenLifetimeSeconds?: number;
	batchAllowed?: boolean;
	maxInvoiceId?: number;
	missingInvoiceIds?: number[];
	limits?: { drainPerSecond: number; burst: number } | null;
	operatingBudgetSeconds?: number | null;
	/** The window the budget covers: 600 s on Bitrix24; shorter lets tests see a reset. */
	operatingWindowSeconds?: number;
	processingSecondsPerCall?: number;
	/** Faults drawn at random for each REST request (see faults.ts). */
	faultMix?: FaultMix | null;
}

export interface LoggedRequest {
	at: number;
	httpMethod: string;
	path: string;
	restMethod: string | null;
	auth: 'webhook' | 'oauth' | 'none';
	params: Record<string, unknown>;
	status: number;
	errorCode: string | null;
	batchCommands?: number;
	/** The fault the mix injected into this request, if any. */
	fault?: FaultKind;
	/** Batch commands the mix answered with a fault instead of their result. */
	faultedCommands?: number;
}

export type FaultResponse =
	| { status: number; json: unknown }
	| { status: number; body: string; contentType?: string }
	| { reset: true }
	| { delayMs: number };

export interface FaultRule {
	restMethod?: string;
	/** Matching requests that pass untouched before the rule starts. */
	skip?: number;
	times?: number;
	response: FaultResponse;
}

export interface TokenResponse {
	access_token: string;
	refresh_token: string;
	expires_in: number;
	client_endpoint: string;
	[k: string]: unknown;
}

export interface Portal {
	origin: string;
	webhookUrl: string;
	noScopeWebhookUrl: string;
	webhookCode: string;
	noScopeWebhookCode: string;
	clientId: string;
	clientSecret: string;
	requests: LoggedRequest[];
	restCalls(method?: string): LoggedRequest[];
	clearLog(): void;
	addFault(rule: FaultRule): void;
	clearFaults(): void;
	/** Draws faults from this mix for every later REST request; null stops it. */
	injectFaults(mix: FaultMix | null): void;
	/** How many faults of each kind the current mix has injected. */
	injectedFaults(): Record<FaultKind, number>;
	issueTokens(scopes?: string[]): TokenResponse;
	expireAccessTokens(): void;
	tokenRequests(): LoggedRequest[];
	secrets(): string[];
	setOptions(
		patch: Partial<Pick<PortalOptions, 'batchAllowed' | 'limits' | 'operatingBudgetSeconds' | 'processingSecondsPerCall'>>,
	): void;
	stop(): Promise<void>;
}

const WEBHOOK_SCOPES: readonly string[] = ['pay_system', 'crm', 'user'];
const NO_SCOPE_WEBHOOK_SCOPES: readonly string[] = ['crm', 'user'];
const MAX_BATCH_COMMANDS = 50;
const DEFAULT_OPERATING_WINDOW_SECONDS = 10 * 60;
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** A Bitrix24 error reply: `{"error": code, "error_description": description}` with an HTTP status. */
class RestError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		readonly description: string,
		readonly operatingResetAt?: number,
	) {
		super(`${code}: ${description}`);
	}
}

const errors = {
	noAuth: () => new RestError(401, 'NO_AUTH_FOUND', 'Wrong authorization data'),
	invalidToken: () => new RestError(401, 'invalid_token', 'The access token provided is invalid.'),
	expiredToken: () => new RestError(401, 'expired_token', 'The access token provided has expired.'),
	insufficientScope: () =>
		new RestError(403, 'insufficient_scope', 'The request requires higher privileges than provided by the webhook token'),
	methodNotFound: () => new RestError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!'),
	batchNotAllowed: () => new RestError(405, 'ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage'),
	batchTooLong: () => new RestError(400, 'ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded'),
	queryLimit: () => new RestError(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests'),
	internal: () => new RestError(500, 'INTERNAL_SERVER_ERROR', 'Internal server error'),
	checkFailure: (description: string) => new RestError(400, 'ERROR_CHECK_FAILURE', description),
	paySystemNotFound: () => new RestError(400, 'ERROR_PAY_SYSTEM_NOT_FOUND', 'Pay system not found'),
	invoiceNotFound: () => new RestError(400, 'ERROR_INTERNAL_INVOICE_NOT_FOUND', 'Invoice not found'),
};

interface Caller {
	userId: number;
	scopes: readonly string[];
}

interface MethodContext {
	params: Record<string, unknown>;
	caller: Caller;
	/** Seconds of processing this call reports; batch raises it to the sum of its commands. */
	processing: number;
}

interface MethodDefinition {
	scope: string | null;
	run(context: MethodContext): unknown;
}

type CallOutcome =
	| { ok: true; result: unknown; time: Record<string, unknown> }
	| { ok: false; error: RestError; time: Record<string, unknown> };

interface AccessTokenRecord {
	scopes: string[];
	expiresAt: number;
}

interface PendingGrant {
	scopes: string[];
}

function nowSeconds(): number {
	return (performance.timeOrigin + performance.now()) / 1000;
}

function randomHex(bytes: number): string {
	return crypto.randomBytes(bytes).toString('hex');
}

/** PHP's date('c'): `2024-04-03T11:08:55+02:00` in the server's time zone. */
function phpIsoDate(seconds: number): string {
	const date = new Date(Math.floor(seconds) * 1000);
	const offsetMinutes = -date.getTimezoneOffset();
	const local = new Date(date.getTime() + offsetMinutes * 60000);
	const sign = offsetMinutes < 0 ? '-' : '+';
	const absolute = Math.abs(offsetMinutes);
	const pad = (value: number) => String(value).padStart(2, '0');
	return (
		`${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
		`T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
		`${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`
	);
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** PHP `empty()` for a selector: missing, '', 0 and '0' all mean "not given". */
function isGiven(value: unknown): boolean {
	return !(value === undefined || value === null || value === '' || value === 0 || value === '0' || value === false);
}

/** A positive whole number given as a number or a string of digits, else null. */
function positiveId(value: unknown): number | null {
	let id: number;
	if (typeof value === 'number') {
		id = value;
	} else if (typeof value === 'string' && /^[0-9]+$/.test(value)) {
		id = Number(value);
	} else {
		return null;
	}
	return Number.isSafeInteger(id) && id > 0 ? id : null;
}

function isTruthyFlag(value: unknown): boolean {
	if (typeof value === 'string') {
		return value !== '' && value !== '0' && value.toLowerCase() !== 'false' && value.toLowerCase() !== 'n';
	}
	return Boolean(value);
}

/** A PHP array parameter as a list of its values (JSON list, JSON object or parsed form array). */
function valuesOf(value: unknown): unknown[] {
	if (Array.isArray(value)) {
		return value;
	}
	if (isRecord(value)) {
		return Object.values(value);
	}
	if (value === undefined || value === null || value === '') {
		return [];
	}
	return [value];
}

/** The call's parameters without `auth`: the token is a credential, not a method parameter. */
function withoutAuth(params: Record<string, unknown>): Record<string, unknown> {
	const copy = { ...params };
	delete copy.auth;
	return copy;
}

function normalizeMethodName(name: string): string {
	return name.trim().replace(/^\/+/, '').replace(/\.(json|xml)$/i, '').toLowerCase();
}

function looseEquals(actual: unknown, expected: unknown): boolean {
	if (actual === null || actual === undefined) {
		return expected === null || expected === '' || expected === undefined;
	}
	return String(actual).toLowerCase() === String(expected).toLowerCase();
}

function compareValues(left: unknown, right: unknown): number {
	const leftNumber = Number(left);
	const rightNumber = Number(right);
	if (left !== null && right !== null && left !== '' && right !== '' && !Number.isNaN(leftNumber) && !Number.isNaN(rightNumber)) {
		return leftNumber - rightNumber;
	}
	return String(left ?? '').localeCompare(String(right ?? ''));
}

/** One ORM filter condition, e.g. `%NAME`, `@ID`, `!ACTIVE`, `>=SORT` or a plain field name. */
function matchesCondition(item: PaySystem, rawKey: string, expected: unknown): boolean {
	const match = /^(!@|!%|!=|>=|<=|=|%|@|!|>|<)?(.*)$/.exec(rawKey.trim());
	const operator = match?.[1] ?? '';
	const field = (match?.[2] ?? rawKey).toUpperCase();
	const actual = (item as unknown as Record<string, unknown>)[field];
	const contains = () => String(actual ?? '').toLowerCase().includes(String(expected ?? '').toLowerCase());
	const inList = () => valuesOf(typeof expected === 'string' ? expected.split(',') : expected).some((value) => looseEquals(actual, value));
	const equals = () => (Array.isArray(expected) || isRecord(expected) ? inList() : looseEquals(actual, expected));
	switch (operator) {
		case '%':
			return contains();
		case '!%':
			return !contains();
		case '@':
			return inList();
		case '!@':
			return !inList();
		case '!':
		case '!=':
			return !equals();
		case '>':
			return compareValues(actual, expected) > 0;
		case '>=':
			return compareValues(actual, expected) >= 0;
		case '<':
			return compareValues(actual, expected) < 0;
		case '<=':
			return compareValues(actual, expected) <= 0;
		default:
			return equals();
	}
}

function listPaySystems(params: Record<string, unknown>): Record<string, unknown>[] {
	const filter = isRecord(params.FILTER) ? params.FILTER : isRecord(params.filter) ? params.filter : {};
	const order = isRecord(params.ORDER) ? params.ORDER : isRecord(params.order) ? params.order : {};
	const select = valuesOf(params.SELECT ?? params.select).map((field) => String(field).toUpperCase());

	const items = PAY_SYSTEMS.filter((item) =>
		Object.entries(filter).every(([key, expected]) => matchesCondition(item, key, expected)),
	);
	const sortKeys = Object.entries(order).map(([field, direction]) => ({
		field: field.toUpperCase(),
		sign: String(direction).toUpperCase() === 'DESC' ? -1 : 1,
	}));
	items.sort((left, right) => {
		for (const { field, sign } of sortKeys) {
			const difference = compareValues(
				(left as unknown as Record<string, unknown>)[field],
				(right as unknown as Record<string, unknown>)[field],
			);
			if (difference !== 0) {
				return sign * difference;
			}
		}
		return left.ID - right.ID;
	});

	const fields = select.length === 0 || select.includes('*')
		? PAY_SYSTEM_FIELDS
		: select.filter((field): field is keyof PaySystem => (PAY_SYSTEM_FIELDS as readonly string[]).includes(field));
	return items.map((item) => {
		const row: Record<string, unknown> = {};
		for (const field of fields) {
			row[field] = item[field];
		}
		return row;
	});
}

/** Leaky bucket: each request adds 1, the level drains continuously, a request past `burst` is refused. */
class LeakyBucket {
	private level = 0;
	private updatedAt = Date.now();

	constructor(private readonly limits: { drainPerSecond: number; burst: number }) {}

	tryAdd(now: number): boolean {
		this.level = Math.max(0, this.level - ((now - this.updatedAt) / 1000) * this.limits.drainPerSecond);
		this.updatedAt = now;
		if (this.level + 1 > this.limits.burst) {
			return false;
		}
		this.level += 1;
		return true;
	}
}

/** Per-method run time over a sliding 10-minute window, kept in whole microseconds to avoid float drift. */
class OperatingLedger {
	// Entries arrive in time order, so expiry only ever drops from the front; the sum is kept running
	// so a call costs the same whether the window holds ten entries or ten thousand.
	private readonly entries = new Map<string, { list: Array<{ at: number; micros: number }>; sum: number }>();

	constructor(private readonly windowMs: number) {}

	private live(method: string, now: number): { list: Array<{ at: number; micros: number }>; sum: number } {
		let ledger = this.entries.get(method);
		if (ledger === undefined) {
			ledger = { list: [], sum: 0 };
			this.entries.set(method, ledger);
		}
		let expired = 0;
		while (expired < ledger.list.length && ledger.list[expired].at <= now - this.windowMs) {
			ledger.sum -= ledger.list[expired].micros;
			expired++;
		}
		if (expired > 0) ledger.list.splice(0, expired);
		return ledger;
	}

	seconds(method: string, now: number): number {
		return this.live(method, now).sum / 1e6;
	}

	add(method: string, now: number, seconds: number): void {
		const ledger = this.live(method, now);
		const micros = Math.round(seconds * 1e6);
		ledger.list.push({ at: now, micros });
		ledger.sum += micros;
	}

	/** Unix seconds when the method's sum drops to `budgetSeconds` or below (or the window's next reset). */
	resetAt(method: string, now: number, budgetSeconds: number | null): number {
		const { list, sum } = this.live(method, now);
		if (list.length === 0) {
			return Math.ceil((now + this.windowMs) / 1000);
		}
		if (budgetSeconds === null) {
			return Math.ceil((list[0].at + this.windowMs) / 1000);
		}
		let remaining = sum;
		const budgetMicros = Math.round(budgetSeconds * 1e6);
		for (const entry of list) {
			if (remaining <= budgetMicros) {
				break;
			}
			remaining -= entry.micros;
			if (remaining <= budgetMicros) {
				return Math.ceil((entry.at + this.windowMs) / 1000);
			}
		}
		return Math.ceil((list[0].at + this.windowMs) / 1000);
	}

	clear(): void {
		this.entries.clear();
	}
}

interface ActiveFault {
	restMethod: string | null;
	skip: number;
	remaining: number;
	response: FaultResponse;
}

class EmulatedPortal implements Portal {
	origin = '';
	webhookUrl = '';
	noScopeWebhookUrl = '';
	readonly webhookCode: string;
	readonly noScopeWebhookCode: string;
	readonly clientId: string;
	readonly clientSecret: string;
	readonly requests: LoggedRequest[] = [];

	private readonly server: http.Server;
	private readonly sockets = new Set<Socket>();
	private readonly timers = new Set<NodeJS.Timeout>();
	private readonly webhookUserId: number;
	private readonly appScopes: string[];
	private readonly accessTokenLifetimeSeconds: number;
	private readonly maxInvoiceId: number;
	private readonly missingInvoiceIds: Set<number>;
	private readonly memberId = randomHex(16);
	private batchAllowed: boolean;
	private bucket: LeakyBucket | null;
	private operatingBudgetSeconds: number | null;
	private processingSecondsPerCall: number;
	private readonly operating: OperatingLedger;
	private faults: ActiveFault[] = [];
	private faultDraw: FaultDraw | null = null;
	private commandsFaulted = 0;
	private readonly accessTokens = new Map<string, AccessTokenRecord>();
	private readonly refreshTokens = new Map<string, PendingGrant>();
	private readonly authorizationCodes = new Map<string, PendingGrant>();
	private readonly issuedTokens: string[] = [];
	private readonly methods: Record<string, MethodDefinition>;
	private stopped = false;

	constructor(options: PortalOptions) {
		this.webhookUserId = options.webhookUserId ?? 1;
		this.webhookCode = options.webhookCode ?? randomHex(8);
		this.noScopeWebhookCode = options.noScopeWebhookCode ?? randomHex(8);
		this.clientId = options.clientId ?? `local.${randomHex(7)}`;
		this.clientSecret = options.clientSecret ?? randomHex(16);
		this.appScopes = [...(options.appScopes ?? ['pay_system', 'crm', 'user'])];
		this.accessTokenLifetimeSeconds = options.accessTokenLifetimeSeconds ?? 3600;
		this.maxInvoiceId = options.maxInvoiceId ?? 100000;
		this.missingInvoiceIds = new Set(options.missingInvoiceIds ?? [404]);
		this.batchAllowed = options.batchAllowed ?? true;
		this.bucket = options.limits ? new LeakyBucket(options.limits) : null;
		this.operatingBudgetSeconds = options.operatingBudgetSeconds ?? null;
		this.operating = new OperatingLedger((options.operatingWindowSeconds ?? DEFAULT_OPERATING_WINDOW_SECONDS) * 1000);
		this.processingSecondsPerCall = options.processingSecondsPerCall ?? 0.01;
		this.methods = this.defineMethods();
		this.injectFaults(options.faultMix ?? null);

		this.server = http.createServer((request, response) => {
			this.handle(request, response).catch(() => {
				if (!response.headersSent && !response.destroyed) {
					this.send(response, 500, JSON.stringify({ error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' }));
				}
			});
		});
		this.server.on('connection', (socket: Socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
	}

	async listen(port: number): Promise<void> {
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, '127.0.0.1', () => {
				this.server.off('error', reject);
				resolve();
			});
		});
		const address = this.server.address() as AddressInfo;
		this.origin = `http://127.0.0.1:${address.port}`;
		this.webhookUrl = `${this.origin}/rest/${this.webhookUserId}/${this.webhookCode}/`;
		this.noScopeWebhookUrl = `${this.origin}/rest/${this.webhookUserId}/${this.noScopeWebhookCode}/`;
	}

	private get domain(): string {
		return this.origin.replace(/^https?:\/\//, '');
	}

	restCalls(method?: string): LoggedRequest[] {
		const wanted = method === undefined ? undefined : normalizeMethodName(method);
		return this.requests.filter((entry) => entry.restMethod !== null && (wanted === undefined || entry.restMethod === wanted));
	}

	clearLog(): void {
		this.requests.length = 0;
	}

	addFault(rule: FaultRule): void {
		this.faults.push({
			restMethod: rule.restMethod === undefined ? null : normalizeMethodName(rule.restMethod),
			skip: rule.skip ?? 0,
			remaining: rule.times ?? Infinity,
			response: rule.response,
		});
	}

	clearFaults(): void {
		this.faults = [];
	}

	injectFaults(mix: FaultMix | null): void {
		this.faultDraw = mix === null ? null : new FaultDraw(mix);
	}

	injectedFaults(): Record<FaultKind, number> {
		return { ...(this.faultDraw ?? new FaultDraw({})).injected };
	}

	issueTokens(scopes?: string[]): TokenResponse {
		const granted = [...(scopes ?? this.appScopes)];
		const accessToken = randomHex(32);
		const refreshToken = randomHex(32);
		const now = Date.now();
		this.accessTokens.set(accessToken, { scopes: granted, expiresAt: now + this.accessTokenLifetimeSeconds * 1000 });
		this.refreshTokens.set(refreshToken, { scopes: granted });
		this.issuedTokens.push(accessToken, refreshToken);
		return {
			access_token: accessToken,
			expires: Math.floor(now / 1000) + this.accessTokenLifetimeSeconds,
			expires_in: this.accessTokenLifetimeSeconds,
			scope: granted.join(','),
			domain: this.domain,
			server_endpoint: `${this.origin}/oauth/rest/`,
			status: 'L',
			client_endpoint: `${this.origin}/rest/`,
			member_id: this.memberId,
			user_id: this.webhookUserId,
			refresh_token: refreshToken,
		};
	}

	expireAccessTokens(): void {
		for (const record of this.accessTokens.values()) {
			record.expiresAt = 0;
		}
	}

	tokenRequests(): LoggedRequest[] {
		return this.requests.filter((entry) => /^\/oauth\/token\/?(\?|$)/.test(entry.path));
	}

	secrets(): string[] {
		return [this.webhookCode, this.noScopeWebhookCode, this.clientSecret, ...this.issuedTokens];
	}

	setOptions(
		patch: Partial<Pick<PortalOptions, 'batchAllowed' | 'limits' | 'operatingBudgetSeconds' | 'processingSecondsPerCall'>>,
	): void {
		if (patch.batchAllowed !== undefined) {
			this.batchAllowed = patch.batchAllowed;
		}
		if (patch.limits !== undefined) {
			this.bucket = patch.limits ? new LeakyBucket(patch.limits) : null;
		}
		if (patch.operatingBudgetSeconds !== undefined) {
			this.operatingBudgetSeconds = patch.operatingBudgetSeconds;
			this.operating.clear();
		}
		if (patch.processingSecondsPerCall !== undefined) {
			this.processingSecondsPerCall = patch.processingSecondsPerCall;
		}
	}

	stop(): Promise<void> {
		this.stopped = true;
		for (const timer of this.timers) {
			clearTimeout(timer);
		}
		this.timers.clear();
		return new Promise((resolve) => {
			this.server.close(() => resolve());
			for (const socket of this.sockets) {
				socket.destroy();
			}
			this.sockets.clear();
		});
	}

	// ---- HTTP plumbing -------------------------------------------------------------------------

	private send(response: http.ServerResponse, status: number, body: string, contentType = JSON_CONTENT_TYPE, headers: Record<string, string> = {}): void {
		if (response.destroyed || response.writableEnded) {
			return;
		}
		response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...headers });
		response.end(body);
	}

	private readBody(request: http.IncomingMessage): Promise<Buffer> {
		return new Promise((resolve, reject) => {
			const chunks: Buffer[] = [];
			let size = 0;
			request.on('data', (chunk: Buffer) => {
				size += chunk.length;
				if (size > MAX_BODY_BYTES) {
					reject(new RangeError('Request body too large'));
					request.destroy();
					return;
				}
				chunks.push(chunk);
			});
			request.on('end', () => resolve(Buffer.concat(chunks)));
			request.on('error', reject);
		});
	}

	/** Query string merged with the body (JSON or form), the body winning as in PHP's $_REQUEST. */
	private parseParams(query: string, body: Buffer, contentType: string | undefined): Record<string, unknown> {
		const params: Record<string, unknown> = parsePhpQuery(query);
		const text = body.toString('utf8');
		if (text.trim() === '') {
			return params;
		}
		const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
		if (type === 'application/json' || type.endsWith('+json')) {
			try {
				const parsed: unknown = JSON.parse(text);
				if (isRecord(parsed)) {
					Object.assign(params, parsed);
				}
			} catch {
				// A body that is not JSON carries no parameters, as on a PHP portal.
			}
		} else if (type === 'application/x-www-form-urlencoded' || type === '' || type === 'text/plain') {
			Object.assign(params, parsePhpQuery(text));
		}
		return params;
	}

	private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
		const startedAt = nowSeconds();
		const rawUrl = request.url ?? '/';
		const queryStart = rawUrl.indexOf('?');
		const pathname = queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart);
		const query = queryStart < 0 ? '' : rawUrl.slice(queryStart + 1);
		const entry: LoggedRequest = {
			at: Date.now(),
			httpMethod: request.method ?? 'GET',
			path: rawUrl,
			restMethod: null,
			auth: 'none',
			params: {},
			status: 0,
			errorCode: null,
		};
		this.requests.push(entry);

		let body: Buffer;
		try {
			body = await this.readBody(request);
		} catch {
			entry.status = 413;
			entry.errorCode = 'REQUEST_TOO_LARGE';
			this.send(response, 413, JSON.stringify({ error: 'REQUEST_TOO_LARGE', error_description: 'Request body too large' }));
			return;
		}
		const params = this.parseParams(query, body, request.headers['content-type']);

		if (/^\/oauth\/authorize\/?$/.test(pathname)) {
			entry.params = params;
			this.handleAuthorize(params, response, entry);
			return;
		}
		if (/^\/oauth\/token\/?$/.test(pathname)) {
			entry.params = params;
			this.handleToken(params, request.headers.authorization, response, entry);
			return;
		}
		if (!pathname.startsWith('/rest/')) {
			entry.params = params;
			entry.status = 404;
			entry.errorCode = 'NOT_FOUND';
			this.send(response, 404, JSON.stringify({ error: 'NOT_FOUND', error_description: 'Not found' }));
			return;
		}

		const route = this.parseRestPath(pathname);
		const token = route.webhook ? null : this.bearerToken(request.headers.authorization) ?? (typeof params.auth === 'string' && params.auth !== '' ? params.auth : null);
		const paramsWithoutAuth = withoutAuth(params);
		entry.params = paramsWithoutAuth;
		entry.restMethod = route.method;
		entry.auth = route.webhook ? 'webhook' : token !== null ? 'oauth' : 'none';
		if (route.method === 'batch') {
			entry.batchCommands = valuesOf(paramsWithoutAuth.cmd).length;
		}

		const fault = this.takeFault(route.method);
		if (fault !== null) {
			if ('reset' in fault) {
				entry.status = 0;
				request.socket.destroy();
				return;
			}
			if ('delayMs' in fault) {
				await this.delay(fault.delayMs);
				if (this.stopped) {
					return;
				}
			} else if ('json' in fault) {
				entry.status = fault.status;
				entry.errorCode = isRecord(fault.json) && typeof fault.json.error === 'string' ? fault.json.error : null;
				this.send(response, fault.status, JSON.stringify(fault.json));
				return;
			} else {
				entry.status = fault.status;
				this.send(response, fault.status, fault.body, fault.contentType ?? 'text/html; charset=utf-8');
				return;
			}
		}

		let truncate = false;
		const draw = this.faultDraw;
		if (draw !== null && draw.applies(route.method)) {
			if (draw.expireTokensNow()) this.expireAccessTokens();
			const kind = draw.nextRequestFault(Date.now());
			if (kind !== null) entry.fault = kind;
			switch (kind) {
				case 'serverError':
					this.sendRestError(response, entry, errors.internal(), startedAt, route.method);
					return;
				case 'queryLimitStorm':
					this.sendRestError(response, entry, errors.queryLimit(), startedAt, route.method);
					return;
				case 'operatingLimit': {
					const resetAt = Math.ceil(Date.now() / 1000 + (draw.mix.operatingResetSeconds ?? 1));
					const error = new RestError(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.', resetAt);
					this.sendRestError(response, entry, error, startedAt, route.method);
					return;
				}
				case 'reset':
					entry.status = 0;
					request.socket.destroy();
					return;
				case 'badGateway':
				case 'unavailable': {
					const status = kind === 'badGateway' ? 502 : 503;
					entry.status = status;
					this.send(response, status, gatewayPage(status), 'text/html; charset=utf-8');
					return;
				}
				case 'slow':
					await this.delay(draw.mix.slowDelayMs ?? 5000);
					if (this.stopped) return;
					break;
				case 'truncated':
					truncate = true;
					break;
				default:
					break;
			}
		}

		// Answering is synchronous: the batch counts the commands it faulted into this field meanwhile.
		this.commandsFaulted = 0;
		const outcome = this.answerRest(route, token, paramsWithoutAuth, startedAt);
		if (this.commandsFaulted > 0) entry.faultedCommands = this.commandsFaulted;
		if (outcome.ok) {
			entry.status = 200;
			const answer = encodePhpJson({ result: outcome.result, time: outcome.time });
			this.send(response, 200, truncate ? answer.slice(0, Math.floor(answer.length / 2)) : answer);
		} else {
			entry.status = outcome.error.status;
			entry.errorCode = outcome.error.code;
			this.send(
				response,
				outcome.error.status,
				encodePhpJson({ error: outcome.error.code, error_description: outcome.error.description, time: outcome.time }),
			);
		}
	}

	private delay(ms: number): Promise<void> {
		return new Promise<void>((resolve) => {
			const timer = setTimeout(() => {
				this.timers.delete(timer);
				resolve();
			}, ms);
			this.timers.add(timer);
		});
	}

	private sendRestError(response: http.ServerResponse, entry: LoggedRequest, error: RestError, startedAt: number, method: string): void {
		entry.status = error.status;
		entry.errorCode = error.code;
		const time = this.timeObject(startedAt, method, 0, error.operatingResetAt);
		this.send(response, error.status, encodePhpJson({ error: error.code, error_description: error.description, time }));
	}

	private parseRestPath(pathname: string): { webhook: { userId: string; code: string } | null; method: string } {
		const segments = pathname
			.slice('/rest/'.length)
			.split('/')
			.map((segment) => {
				try {
					return decodeURIComponent(segment);
				} catch {
					return segment;
				}
			});
		while (segments.length > 0 && segments[segments.length - 1] === '') {
			segments.pop();
		}
		if (segments.length >= 2 && /^[0-9]+$/.test(segments[0])) {
			return { webhook: { userId: segments[0], code: segments[1] }, method: normalizeMethodName(segments.slice(2).join('/')) };
		}
		return { webhook: null, method: normalizeMethodName(segments.join('/')) };
	}

	private bearerToken(header: string | undefined): string | null {
		const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
		return match ? match[1] : null;
	}

	private takeFault(method: string): FaultResponse | null {
		for (const fault of this.faults) {
			if (fault.remaining > 0 && (fault.restMethod === null || fault.restMethod === method)) {
				if (fault.skip > 0) {
					fault.skip -= 1;
					continue;
				}
				fault.remaining -= 1;
				return fault.response;
			}
		}
		return null;
	}

	// ---- REST ------------------------------------------------------------------------------------

	private timeObject(startedAt: number, method: string, processing: number, resetAt?: number): Record<string, unknown> {
		const finishedAt = Math.max(nowSeconds(), startedAt);
		const now = Date.now();
		return {
			start: startedAt,
			finish: finishedAt,
			duration: finishedAt - startedAt,
			processing,
			date_start: phpIsoDate(startedAt),
			date_finish: phpIsoDate(finishedAt),
			operating_reset_at: resetAt ?? this.operating.resetAt(method, now, null),
			operating: this.operating.seconds(method, now),
		};
	}

	private authenticate(route: { webhook: { userId: string; code: string } | null }, token: string | null): Caller {
		if (route.webhook !== null) {
			const { userId, code } = route.webhook;
			if (userId !== String(this.webhookUserId)) {
				throw errors.noAuth();
			}
			if (code === this.webhookCode) {
				return { userId: this.webhookUserId, scopes: WEBHOOK_SCOPES };
			}
			if (code === this.noScopeWebhookCode) {
				return { userId: this.webhookUserId, scopes: NO_SCOPE_WEBHOOK_SCOPES };
			}
			throw errors.noAuth();
		}
		if (token === null) {
			throw errors.noAuth();
		}
		const record = this.accessTokens.get(token);
		if (record === undefined) {
			throw errors.invalidToken();
		}
		if (record.expiresAt <= Date.now()) {
			throw errors.expiredToken();
		}
		return { userId: this.webhookUserId, scopes: record.scopes };
	}

	private answerRest(
		route: { webhook: { userId: string; code: string } | null; method: string },
		token: string | null,
		params: Record<string, unknown>,
		startedAt: number,
	): CallOutcome {
		let caller: Caller;
		try {
			caller = this.authenticate(route, token);
			if (this.bucket !== null && !this.bucket.tryAdd(Date.now())) {
				throw errors.queryLimit();
			}
		} catch (error) {
			const restError = error instanceof RestError ? error : errors.internal();
			return { ok: false, error: restError, time: this.timeObject(startedAt, route.method, 0) };
		}
		return this.callMethod(route.method, params, caller, false, startedAt);
	}

	/** Runs one REST method for an authenticated caller; the same path serves single calls and batch commands. */
	private callMethod(method: string, params: Record<string, unknown>, caller: Caller, inBatch: boolean, startedAt = nowSeconds()): CallOutcome {
		const context: MethodContext = { params, caller, processing: 0 };
		try {
			const definition = Object.prototype.hasOwnProperty.call(this.methods, method) ? this.methods[method] : undefined;
			if (definition === undefined) {
				throw errors.methodNotFound();
			}
			if (definition.scope !== null && !caller.scopes.includes(definition.scope)) {
				throw errors.insufficientScope();
			}
			if (inBatch && method === 'batch') {
				throw errors.batchNotAllowed();
			}
			if (method !== 'batch') {
				const now = Date.now();
				const budget = this.operatingBudgetSeconds;
				if (budget !== null && this.operating.seconds(method, now) > budget) {
					throw new RestError(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.', this.operating.resetAt(method, now, budget));
				}
				this.operating.add(method, now, this.processingSecondsPerCall);
				context.processing = this.processingSecondsPerCall;
			}
			const result = definition.run(context);
			return { ok: true, result, time: this.timeObject(startedAt, method, context.processing) };
		} catch (error) {
			const restError = error instanceof RestError ? error : errors.internal();
			return { ok: false, error: restError, time: this.timeObject(startedAt, method, context.processing, restError.operatingResetAt) };
		}
	}

	private defineMethods(): Record<string, MethodDefinition> {
		const methods: Record<string, MethodDefinition> = {
			'sale.paysystem.settings.invoice.get': {
				scope: 'pay_system',
				run: ({ params }) => this.invoiceSettings(params),
			},
			'sale.paysystem.list': {
				scope: 'pay_system',
				run: ({ params }) => listPaySystems(params),
			},
			'sale.paysystem.handler.list': {
				scope: 'pay_system',
				run: () => structuredClone(HANDLERS),
			},
			scope: {
				scope: null,
				run: ({ caller }) => [...caller.scopes],
			},
			profile: {
				scope: null,
				run: ({ caller }) => profileFor(caller.userId),
			},
			'user.current': {
				scope: 'user',
				run: ({ caller }) => ({ ...profileFor(caller.userId), ACTIVE: true, EMAIL: 'anna.admin@example.com' }),
			},
			methods: {
				scope: null,
				run: ({ caller }) =>
					Object.entries(methods)
						.filter(([, definition]) => definition.scope === null || caller.scopes.includes(definition.scope))
						.map(([name]) => name),
			},
			batch: {
				scope: null,
				run: (context) => this.runBatch(context),
			},
		};
		return methods;
	}

	private invoiceSettings(params: Record<string, unknown>): Record<string, string> {
		const paySystemIdParam = params.PAY_SYSTEM_ID;
		const handlerParam = params.BX_REST_HANDLER;
		let paySystem: PaySystem | undefined;
		if (isGiven(paySystemIdParam)) {
			const id = positiveId(paySystemIdParam);
			paySystem = PAY_SYSTEMS.find((item) => item.ID === id);
			if (paySystem === undefined) {
				throw errors.checkFailure('Pay system not found');
			}
		} else if (isGiven(handlerParam)) {
			const code = typeof handlerParam === 'string' || typeof handlerParam === 'number' ? String(handlerParam) : null;
			if (code === null || !HANDLERS.some((handler) => handler.CODE === code)) {
				throw errors.checkFailure('Handler not found');
			}
			paySystem = PAY_SYSTEMS.filter((item) => item.ACTION_FILE === code).sort((left, right) => left.ID - right.ID)[0];
			if (paySystem === undefined) {
				throw errors.paySystemNotFound();
			}
		} else {
			throw errors.checkFailure('PAY_SYSTEM_ID or BX_REST_HANDLER is required');
		}
		const invoiceId = positiveId(params.INVOICE_ID);
		if (invoiceId === null || invoiceId > this.maxInvoiceId || this.missingInvoiceIds.has(invoiceId)) {
			throw errors.invoiceNotFound();
		}
		return settingsFor(paySystem.ID, invoiceId);
	}

	private runBatch(context: MethodContext): Record<string, unknown> {
		if (!this.batchAllowed) {
			throw errors.batchNotAllowed();
		}
		const commandSource = context.params.cmd;
		const commands: Array<[string, unknown]> = Array.isArray(commandSource)
			? commandSource.map((command, index) => [String(index), command])
			: isRecord(commandSource)
				? Object.entries(commandSource)
				: [];
		if (commands.length > MAX_BATCH_COMMANDS) {
			throw errors.batchTooLong();
		}
		const halt = isTruthyFlag(context.params.halt);
		const results: Record<string, unknown> = {};
		const resultErrors: Record<string, unknown> = {};
		const resultTimes: Record<string, unknown> = {};
		for (const [key, command] of commands) {
			let outcome: CallOutcome;
			if (typeof command !== 'string') {
				outcome = { ok: false, error: errors.methodNotFound(), time: {} };
			} else {
				const queryStart = command.indexOf('?');
				const method = normalizeMethodName(queryStart < 0 ? command : command.slice(0, queryStart));
				const commandParams = withoutAuth(parsePhpQuery(queryStart < 0 ? '' : command.slice(queryStart + 1)));
				const fault = this.faultDraw !== null && this.faultDraw.applies(method) ? this.faultDraw.nextCommandFault() : null;
				if (fault !== null) {
					this.commandsFaulted += 1;
					if (fault === 'commandMissing') continue;
					const error = fault === 'commandQueryLimit' ? errors.queryLimit() : errors.internal();
					resultErrors[key] = { error: error.code, error_description: error.description };
					continue;
				}
				outcome = this.callMethod(method, commandParams, context.caller, true);
				context.processing += Number(outcome.time.processing ?? 0);
			}
			if (outcome.ok) {
				results[key] = outcome.result;
				resultTimes[key] = outcome.time;
			} else {
				resultErrors[key] = { error: outcome.error.code, error_description: outcome.error.description };
				if (halt) {
					break;
				}
			}
		}
		return { result: results, result_error: resultErrors, result_total: {}, result_next: {}, result_time: resultTimes };
	}

	// ---- OAuth2 server ---------------------------------------------------------------------------

	private sendOAuth(response: http.ServerResponse, entry: LoggedRequest, status: number, body: Record<string, unknown>): void {
		entry.status = status;
		entry.errorCode = typeof body.error === 'string' ? body.error : null;
		this.send(response, status, JSON.stringify(body));
	}

	private handleAuthorize(params: Record<string, unknown>, response: http.ServerResponse, entry: LoggedRequest): void {
		if (params.client_id !== this.clientId) {
			this.sendOAuth(response, entry, 400, { error: 'invalid_client' });
			return;
		}
		const redirectUri = typeof params.redirect_uri === 'string' ? params.redirect_uri : '';
		if (!/^https?:\/\//i.test(redirectUri)) {
			this.sendOAuth(response, entry, 400, { error: 'invalid_request', error_description: 'redirect_uri is required' });
			return;
		}
		const code = randomHex(16);
		this.authorizationCodes.set(code, { scopes: [...this.appScopes] });
		const answer = new URLSearchParams({
			code,
			state: typeof params.state === 'string' ? params.state : '',
			domain: this.domain,
			member_id: this.memberId,
			scope: this.appScopes.join(','),
			server_domain: this.domain,
		});
		const location = `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${answer.toString()}`;
		entry.status = 302;
		this.send(response, 302, '', 'text/plain; charset=utf-8', { Location: location });
	}

	/**
	 * True when the client id and secret match, taken from the params or else from an HTTP Basic header,
	 * as some OAuth clients send them (raw or form-encoded, both accepted).
	 */
	private isClientAuthenticated(params: Record<string, unknown>, authorization: string | undefined): boolean {
		const given = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
		let ids = [given(params.client_id)];
		let secrets = [given(params.client_secret)];
		const basic = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '');
		if (basic) {
			const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
			const colon = decoded.indexOf(':');
			if (colon >= 0) {
				const forms = (text: string) => {
					try {
						return [text, decodeURIComponent(text.replace(/\+/g, ' '))];
					} catch {
						return [text];
					}
				};
				ids = ids[0] === null ? forms(decoded.slice(0, colon)) : ids;
				secrets = secrets[0] === null ? forms(decoded.slice(colon + 1)) : secrets;
			}
		}
		return ids.includes(this.clientId) && secrets.includes(this.clientSecret);
	}

	private handleToken(params: Record<string, unknown>, authorization: string | undefined, response: http.ServerResponse, entry: LoggedRequest): void {
		if (!this.isClientAuthenticated(params, authorization)) {
			this.sendOAuth(response, entry, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
			return;
		}
		let grant: PendingGrant | undefined;
		if (params.grant_type === 'authorization_code') {
			const code = typeof params.code === 'string' ? params.code : '';
			grant = this.authorizationCodes.get(code);
			this.authorizationCodes.delete(code);
		} else if (params.grant_type === 'refresh_token') {
			const refreshToken = typeof params.refresh_token === 'string' ? params.refresh_token : '';
			grant = this.refreshTokens.get(refreshToken);
			this.refreshTokens.delete(refreshToken);
		} else {
			this.sendOAuth(response, entry, 400, { error: 'unsupported_grant_type' });
			return;
		}
		if (grant === undefined) {
			this.sendOAuth(response, entry, 400, { error: 'invalid_grant' });
			return;
		}
		this.sendOAuth(response, entry, 200, this.issueTokens(grant.scopes));
	}
}

export async function startPortal(options: PortalOptions = {}): Promise<Portal> {
	const portal = new EmulatedPortal(options);
	await portal.listen(options.port ?? 0);
	return portal;
}
