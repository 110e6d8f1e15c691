// What callers see of an emulated portal: its options, its request log and the control API tests use.
import type { InvoiceControl, PaymentControl, PaySystemControl } from './control';
import type { FaultKind, FaultMix, FaultRule } from './faults';

export interface PortalOptions {
	port?: number;
	webhookUserId?: number;
	webhookCode?: string;
	noScopeWebhookCode?: string;
	clientId?: string;
	clientSecret?: string;
	appScopes?: string[];
	/** The scopes of the main webhook and the manager's (which adds `sale`): ['pay_system', 'crm', 'user'] by default. */
	webhookScopes?: string[];
	accessTokenLifetimeSeconds?: number;
	batchAllowed?: boolean;
	/** Methods the portal refuses inside `batch` (each such command answers ERROR_BATCH_METHOD_NOT_ALLOWED). */
	methodsNotInBatch?: string[];
	maxInvoiceId?: number;
	missingInvoiceIds?: number[];
	/** Smart invoices and deals from 1000 up to this ID exist, each with `paymentsPerEntity` payments. */
	maxEntityId?: number;
	paymentsPerEntity?: number;
	/** The leaky bucket every caller of the portal shares: webhooks and OAuth tokens alike. */
	limits?: { drainPerSecond: number; burst: number } | null;
	/** Seconds of run time a method may use in the window before it is refused; null for no budget. */
	operatingBudgetSeconds?: number | null;
	/** The window the budget covers: 600 s on Bitrix24; shorter lets tests see a reset. */
	operatingWindowSeconds?: number;
	/** The run time one call of a method books against its budget. */
	processingSecondsPerCall?: number;
	/**
	 * How long the portal takes to answer a REST request: `perRequestMs` plus `perCallMs` for each method
	 * call it ran (1 for a single call, the commands a batch got to, 0 for a request refused before any
	 * method ran). Requests are served side by side, each held for its own time; null answers at once.
	 */
	latency?: Latency | null;
	/** Faults drawn at random for each REST request (see faults.ts). */
	faultMix?: FaultMix | null;
}

export interface Latency {
	perRequestMs: number;
	perCallMs: number;
}

/**
 * The options a running portal can change (Portal.setOptions). A new bucket, budget or window starts
 * empty: changing `limits` empties the bucket, `operatingBudgetSeconds` or `operatingWindowSeconds` the
 * run-time ledger.
 */
export type PortalSettings = Partial<
	Pick<
		PortalOptions,
		'batchAllowed' | 'methodsNotInBatch' | 'limits' | 'operatingBudgetSeconds' | 'operatingWindowSeconds' | 'processingSecondsPerCall' | 'latency'
	>
>;

/** What the portal has seen of REST requests since it started or since Portal.resetStats. */
export interface PortalStats {
	/** REST requests that arrived; the OAuth server's are not counted. */
	requests: number;
	/** Requests answered with QUERY_LIMIT_EXCEEDED. */
	queryLimitExceeded: number;
	/** Requests answered with OPERATION_TIME_LIMIT. */
	operationTimeLimit: number;
	/** Batch commands answered with OPERATION_TIME_LIMIT inside a batch answer. */
	operationTimeLimitCommands: number;
	/** REST requests in flight now: arrived, not answered yet, and their client still waiting. */
	inFlight: number;
	/** The most REST requests in flight at once. */
	maxInFlight: number;
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
	/** Batch commands refused with OPERATION_TIME_LIMIT, when any were. */
	operatingLimitedCommands?: number;
	/** How long the answer was held back, when a latency is set (PortalOptions.latency). */
	latencyMs?: number;
	/** The portal ran the request, then a `lostAnswer` fault dropped its answer; `status` is what it would have answered. */
	answerLost?: true;
}

/**
 * The refresh-token requests the OAuth server answered: granted (new tokens) and refused (an unknown
 * or already used refresh token, a wrong client). Each refresh token is good for one refresh.
 */
export interface RefreshCounts {
	granted: number;
	refused: number;
}

export interface TokenResponse {
	access_token: string;
	refresh_token: string;
	/** When the access token expires, in unix seconds: the portal refuses it from then on. */
	expires: number;
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
	/**
	 * The webhook of a sales manager (user ID one above the administrator's, not an administrator): the
	 * main webhook's scopes and `sale`. The manager may pay orders and invoices; sale.payment.get and the
	 * sale.paysystem.* methods that manage handlers, pay systems and settings refuse the manager.
	 */
	managerWebhookUrl: string;
	webhookCode: string;
	noScopeWebhookCode: string;
	noCrmWebhookCode: string;
	managerWebhookCode: string;
	/** The payments of smart invoices and deals: read, pay or change one behind a client's back, cancel an order, count pay calls. */
	payments: PaymentControl;
	/** Legacy invoices: read, change, cancel, count pay calls. */
	invoices: InvoiceControl;
	/** Pay systems, REST handlers and settings: read, add a pay system without REST's checks. */
	paySystems: PaySystemControl;
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
	/**
	 * Tokens whose access token expires `seconds` from now, at the second their `expires` names
	 * (negative: already expired, `expires` in the past), as a credential saved earlier holds them.
	 */
	issueTokensExpiringIn(seconds: number, scopes?: string[]): TokenResponse;
	/** Takes every access token back now, though what a client saved names a later `expires`. */
	expireAccessTokens(): void;
	tokenRequests(): LoggedRequest[];
	/** The refreshes of the token requests so far (see RefreshCounts); clearLog starts them afresh. */
	refreshes(): RefreshCounts;
	/**
	 * Holds every REST answer, made as its request arrives, until the returned function is called (or
	 * the portal stops): a test sees its requests arrive, changes the tokens, then lets the answers go.
	 */
	holdAnswers(): () => void;
	secrets(): string[];
	setOptions(patch: PortalSettings): void;
	/** Counts of REST requests, refusals and requests in flight (see PortalStats). */
	stats(): PortalStats;
	/** Starts the counts afresh; the most in flight starts from the requests in flight now. */
	resetStats(): void;
	stop(): Promise<void>;
}
