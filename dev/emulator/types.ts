// What callers see of an emulated portal: its options, its request log and the control API tests use.
import type { FaultKind, FaultMix, FaultRule } from './faults';

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
	/** Methods the portal refuses inside `batch` (each such command answers ERROR_BATCH_METHOD_NOT_ALLOWED). */
	methodsNotInBatch?: string[];
	maxInvoiceId?: number;
	missingInvoiceIds?: number[];
	/** Smart invoices and deals from 1000 up to this ID exist, each with `paymentsPerEntity` payments. */
	maxEntityId?: number;
	paymentsPerEntity?: number;
	limits?: { drainPerSecond: number; burst: number } | null;
	operatingBudgetSeconds?: number | null;
	/** The window the budget covers: 600 s on Bitrix24; shorter lets tests see a reset. */
	operatingWindowSeconds?: number;
	processingSecondsPerCall?: number;
	/** Faults drawn at random for each REST request (see faults.ts). */
	faultMix?: FaultMix | null;
}

/** The options a running portal can change (Portal.setOptions). */
export type PortalSettings = Partial<
	Pick<PortalOptions, 'batchAllowed' | 'methodsNotInBatch' | 'limits' | 'operatingBudgetSeconds' | 'processingSecondsPerCall'>
>;

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
	/** A webhook with pay_system but without crm. */
	noCrmWebhookUrl: string;
	webhookCode: string;
	noScopeWebhookCode: string;
	noCrmWebhookCode: string;
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
	setOptions(patch: PortalSettings): void;
	stop(): Promise<void>;
}
