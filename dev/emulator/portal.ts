// An emulated Bitrix24 portal: REST (webhook and OAuth), batch, limits and an OAuth2 server on 127.0.0.1.
// This file is the HTTP server and the control API tests use; the parts it routes to are
// rest.ts (REST paths, authentication, faults), methods.ts (the method table and batch), oauth.ts
// (the OAuth2 server), limits.ts (leaky bucket, operating time) and stats.ts (what a benchmark counts).
// Import everything from here.
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import type { FaultKind, FaultMix, FaultRule } from './faults';
import { InvoiceControl, PaymentControl, PaySystemControl } from './control';
import { PortalFaults } from './faults';
import { parseParams, readBody, send } from './http';
import { Limits, nowSeconds } from './limits';
import { RestMethods } from './methods';
import { OAuthServer, randomHex } from './oauth';
import type { OAuthAnswer } from './oauth';
import { normalizeMethodName } from './params';
import { RestApi, WEBHOOK_SCOPES } from './rest';
import { RestStats } from './stats';
import type { LoggedRequest, Portal, PortalOptions, PortalSettings, PortalStats, RefreshCounts, TokenResponse } from './types';

export type { FaultResponse, FaultRule } from './faults';
export type { Latency, LoggedRequest, Portal, PortalOptions, PortalSettings, PortalStats, RefreshCounts, TokenResponse } from './types';

class EmulatedPortal implements Portal {
	origin = '';
	webhookUrl = '';
	noScopeWebhookUrl = '';
	noCrmWebhookUrl = '';
	managerWebhookUrl = '';
	readonly webhookCode: string;
	readonly noScopeWebhookCode: string;
	readonly noCrmWebhookCode: string;
	readonly managerWebhookCode: string;
	readonly payments: PaymentControl;
	readonly invoices: InvoiceControl;
	readonly paySystems: PaySystemControl;
	readonly clientId: string;
	readonly clientSecret: string;
	readonly requests: LoggedRequest[] = [];

	private readonly server: http.Server;
	private readonly sockets = new Set<Socket>();
	private readonly webhookUserId: number;
	private readonly faults = new PortalFaults();
	private readonly limits: Limits;
	private readonly oauth: OAuthServer;
	private readonly methods: RestMethods;
	private readonly rest: RestApi;
	private readonly restStats = new RestStats();

	constructor(options: PortalOptions) {
		this.webhookUserId = options.webhookUserId ?? 1;
		this.webhookCode = options.webhookCode ?? randomHex(8);
		this.noScopeWebhookCode = options.noScopeWebhookCode ?? randomHex(8);
		this.noCrmWebhookCode = randomHex(8);
		this.managerWebhookCode = randomHex(8);
		this.clientId = options.clientId ?? `local.${randomHex(7)}`;
		this.clientSecret = options.clientSecret ?? randomHex(16);
		this.oauth = new OAuthServer(
			{
				clientId: this.clientId,
				clientSecret: this.clientSecret,
				scopes: [...(options.appScopes ?? ['pay_system', 'crm', 'user'])],
				accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3600,
				userId: this.webhookUserId,
			},
			() => this.origin,
		);
		this.limits = new Limits(options);
		this.methods = new RestMethods(options, this.limits, this.faults);
		this.payments = new PaymentControl(this.methods.payments, this.methods.store, this.methods.pay);
		this.invoices = new InvoiceControl(this.methods.invoices, this.methods.pay);
		this.paySystems = new PaySystemControl(this.methods.store);
		const webhooks = {
			userId: this.webhookUserId,
			code: this.webhookCode,
			noScopeCode: this.noScopeWebhookCode,
			noCrmCode: this.noCrmWebhookCode,
			managerCode: this.managerWebhookCode,
			scopes: [...(options.webhookScopes ?? WEBHOOK_SCOPES)],
			clientId: this.clientId,
		};
		this.rest = new RestApi(webhooks, this.oauth, this.limits, this.methods, this.faults, options.latency ?? null);
		this.injectFaults(options.faultMix ?? null);

		this.server = http.createServer((request, response) => {
			this.handle(request, response).catch(() => {
				if (!response.headersSent && !response.destroyed) {
					send(response, 500, JSON.stringify({ error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' }));
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
		this.noCrmWebhookUrl = `${this.origin}/rest/${this.webhookUserId}/${this.noCrmWebhookCode}/`;
		this.managerWebhookUrl = `${this.origin}/rest/${this.webhookUserId + 1}/${this.managerWebhookCode}/`;
	}

	// ---- Control API -----------------------------------------------------------------------------

	restCalls(method?: string): LoggedRequest[] {
		const wanted = method === undefined ? undefined : normalizeMethodName(method);
		return this.requests.filter((entry) => entry.restMethod !== null && (wanted === undefined || entry.restMethod === wanted));
	}

	clearLog(): void {
		this.requests.length = 0;
	}

	addFault(rule: FaultRule): void {
		this.faults.add(rule);
	}

	clearFaults(): void {
		this.faults.clear();
	}

	injectFaults(mix: FaultMix | null): void {
		this.faults.inject(mix);
	}

	injectedFaults(): Record<FaultKind, number> {
		return this.faults.injected();
	}

	issueTokens(scopes?: string[]): TokenResponse {
		return this.oauth.issueTokens(scopes);
	}

	issueTokensExpiringIn(seconds: number, scopes?: string[]): TokenResponse {
		return this.oauth.issueTokensExpiringIn(seconds, scopes);
	}

	expireAccessTokens(): void {
		this.oauth.expireAccessTokens();
	}

	tokenRequests(): LoggedRequest[] {
		return this.requests.filter((entry) => /^\/oauth\/token\/?(\?|$)/.test(entry.path));
	}

	refreshes(): RefreshCounts {
		const refreshes = this.tokenRequests().filter((entry) => entry.params.grant_type === 'refresh_token');
		const granted = refreshes.filter((entry) => entry.status === 200).length;
		return { granted, refused: refreshes.length - granted };
	}

	holdAnswers(): () => void {
		return this.rest.holdAnswers();
	}

	secrets(): string[] {
		return [this.webhookCode, this.noScopeWebhookCode, this.noCrmWebhookCode, this.managerWebhookCode, this.clientSecret, ...this.oauth.issued];
	}

	setOptions(patch: PortalSettings): void {
		if (patch.batchAllowed !== undefined) {
			this.methods.batchAllowed = patch.batchAllowed;
		}
		if (patch.methodsNotInBatch !== undefined) {
			this.methods.methodsNotInBatch = new Set(patch.methodsNotInBatch.map((name) => name.toLowerCase()));
		}
		if (patch.latency !== undefined) {
			this.rest.latency = patch.latency;
		}
		this.limits.set(patch);
	}

	stats(): PortalStats {
		return this.restStats.snapshot();
	}

	resetStats(): void {
		this.restStats.reset();
	}

	stop(): Promise<void> {
		this.rest.stop();
		return new Promise((resolve) => {
			this.server.close(() => resolve());
			for (const socket of this.sockets) {
				socket.destroy();
			}
			this.sockets.clear();
		});
	}

	// ---- HTTP ------------------------------------------------------------------------------------

	/** Logs the request and routes it; a REST request counts in flight until it is answered. */
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
		if (!pathname.startsWith('/rest/')) {
			await this.route(request, response, entry, pathname, query, startedAt);
			return;
		}
		const answered = this.restStats.arrive(response, entry);
		try {
			await this.route(request, response, entry, pathname, query, startedAt);
		} finally {
			answered();
		}
	}

	/** Reads the request's parameters and answers it: OAuth2 server, REST, or 404. */
	private async route(request: http.IncomingMessage, response: http.ServerResponse, entry: LoggedRequest, pathname: string, query: string, startedAt: number): Promise<void> {
		let body: Buffer;
		try {
			body = await readBody(request);
		} catch {
			entry.status = 413;
			entry.errorCode = 'REQUEST_TOO_LARGE';
			send(response, 413, JSON.stringify({ error: 'REQUEST_TOO_LARGE', error_description: 'Request body too large' }));
			return;
		}
		const params = parseParams(query, body, request.headers['content-type']);

		if (/^\/oauth\/authorize\/?$/.test(pathname)) {
			entry.params = params;
			this.sendOAuth(response, entry, this.oauth.authorize(params));
			return;
		}
		if (/^\/oauth\/token\/?$/.test(pathname)) {
			entry.params = params;
			this.sendOAuth(response, entry, this.oauth.token(params, request.headers.authorization));
			return;
		}
		if (!pathname.startsWith('/rest/')) {
			entry.params = params;
			entry.status = 404;
			entry.errorCode = 'NOT_FOUND';
			send(response, 404, JSON.stringify({ error: 'NOT_FOUND', error_description: 'Not found' }));
			return;
		}
		await this.rest.serve(request, response, entry, pathname, params, startedAt);
	}

	private sendOAuth(response: http.ServerResponse, entry: LoggedRequest, answer: OAuthAnswer): void {
		entry.status = answer.status;
		if ('location' in answer) {
			send(response, 302, '', 'text/plain; charset=utf-8', { Location: answer.location });
			return;
		}
		entry.errorCode = typeof answer.json.error === 'string' ? answer.json.error : null;
		send(response, answer.status, JSON.stringify(answer.json));
	}
}

export async function startPortal(options: PortalOptions = {}): Promise<Portal> {
	const portal = new EmulatedPortal(options);
	await portal.listen(options.port ?? 0);
	return portal;
}
