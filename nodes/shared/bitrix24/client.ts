import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { resolveOAuthBase, resolveWebhookBase } from './endpoint';
import { LOCAL_ERROR_CODES } from './errorTable';
import { credentialSecrets, redactSecrets } from './redact';

export type AuthenticationMethod = 'webhook' | 'oAuth2';

/** The credential type behind each authentication choice of the node. */
export function credentialTypeOf(authentication: AuthenticationMethod): string | undefined {
	if (authentication === 'webhook') return 'bitrix24WebhookApi';
	if (authentication === 'oAuth2') return 'bitrix24OAuth2Api';
	return undefined;
}

/**
 * A failed call as users see it: the Bitrix24 (or local) code, the portal's own text (null when the
 * portal sent none), the HTTP status (null when there was no answer), and a readable message.
 */
export interface Bitrix24Failure {
	errorCode: string;
	errorDescription: string | null;
	httpCode: number | null;
	message: string;
}

export type Bitrix24Outcome =
	| { ok: true; result: unknown; time: IDataObject | null }
	| { ok: false; failure: Bitrix24Failure };

export type BatchOutcome =
	| { ok: true; commands: Map<string, Bitrix24Outcome | undefined> }
	| { ok: false; failure: Bitrix24Failure };

type RequestContext = IExecuteFunctions | ILoadOptionsFunctions;

const REQUEST_TIMEOUT_MS = 60_000;

interface HttpAnswer {
	status: number | null;
	body: unknown;
	transportCode: string | null;
	message: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** n8n wraps request errors (NodeApiError around an axios error): find the HTTP answer inside. */
function readThrownAnswer(error: unknown): HttpAnswer {
	let status: number | null = null;
	let body: unknown = undefined;
	let transportCode: string | null = null;
	const message = error instanceof Error ? error.message : String(error);
	const seen = new Set<unknown>();
	let current: unknown = error;
	while (isRecord(current) && !seen.has(current)) {
		seen.add(current);
		const response = current.response;
		if (status === null && isRecord(response) && typeof response.status === 'number') {
			status = response.status;
			body = response.data;
		}
		if (transportCode === null && typeof current.code === 'string' && /^E[A-Z_]+$/.test(current.code)) {
			transportCode = current.code;
		}
		current = current.cause;
	}
	return { status, body, transportCode, message };
}

function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body) as unknown;
	} catch {
		return undefined;
	}
}

function hasAccessToken(credentials: ICredentialDataDecryptedObject): boolean {
	const tokenData = credentials.oauthTokenData;
	return isRecord(tokenData) && typeof tokenData.access_token === 'string' && tokenData.access_token !== '';
}

/** PHP sends an associative array keyed 0..n-1 (and an empty one) as a JSON list: read it as a map. */
export function asMap(value: unknown): Record<string, unknown> | null {
	if (isRecord(value)) return value;
	if (Array.isArray(value)) return Object.fromEntries(value.map((entry, index) => [String(index), entry as unknown]));
	return null;
}

export function invalidResponse(httpCode: number | null, message: string): Bitrix24Failure {
	return { errorCode: LOCAL_ERROR_CODES.invalidResponse, errorDescription: null, httpCode, message };
}

function failureFromBitrixError(
	body: Record<string, unknown>,
	status: number | null,
	secrets: readonly string[],
): Bitrix24Failure {
	const errorCode = String(body.error).trim();
	const description = body.error_description;
	const errorDescription =
		typeof description === 'string' && description.trim() !== '' ? redactSecrets(description, secrets) : null;
	return {
		errorCode,
		errorDescription,
		httpCode: status,
		message: `Bitrix24 error ${errorCode}${errorDescription === null ? '' : `: ${errorDescription}`}`,
	};
}

/**
 * The one door to a Bitrix24 portal: resolves where calls go from the credential, sends them through
 * n8n's authenticated request helper, and turns every answer into a result or a redacted failure.
 */
export class Bitrix24Client {
	private constructor(
		private readonly context: RequestContext,
		private readonly credentialType: string,
		readonly baseUrl: string,
		private readonly authentication: AuthenticationMethod,
		private secrets: readonly string[],
	) {}

	/** Reads the credential once; a credential that cannot work stops the run before any request. */
	static async open(context: RequestContext, authentication: AuthenticationMethod): Promise<Bitrix24Client> {
		const credentialType = credentialTypeOf(authentication);
		if (credentialType === undefined) {
			throw new NodeOperationError(context.getNode(), `Unknown authentication "${String(authentication)}"`);
		}
		const credentials: ICredentialDataDecryptedObject = await context.getCredentials(credentialType);
		if (authentication === 'oAuth2' && !hasAccessToken(credentials)) {
			throw new NodeOperationError(context.getNode(), 'The Bitrix24 OAuth2 credential is not connected', {
				description: 'Open the credential and click "Connect my account" to sign in to the portal. No request was sent.',
			});
		}
		const resolution =
			authentication === 'webhook'
				? resolveWebhookBase(credentials.webhookUrl, credentials.allowInsecureHttp)
				: resolveOAuthBase(credentials);
		if (!resolution.ok) {
			throw new NodeOperationError(context.getNode(), `The Bitrix24 credential cannot be used: ${resolution.problem}`, {
				description: 'Fix the credential, then run the workflow again. No request was sent.',
			});
		}
		return new Bitrix24Client(
			context,
			credentialType,
			resolution.baseUrl,
			authentication,
			credentialSecrets(credentials, resolution.pathSecret),
		);
	}

	redact(text: string): string {
		return redactSecrets(text, this.secrets);
	}

	/** n8n may have refreshed the OAuth2 token during the call: redact the new one too. */
	private async learnRefreshedSecrets(): Promise<void> {
		if (this.authentication !== 'oAuth2') return;
		try {
			const credentials = await this.context.getCredentials(this.credentialType);
			this.secrets = [...new Set([...this.secrets, ...credentialSecrets(credentials, null)])];
		} catch {
			// The secrets known from the start still apply; the generic shapes catch the rest.
		}
	}

	/** Sends one request and reads its answer, learning any refreshed token first when it failed. */
	private async exchange(method: string, body: IDataObject): Promise<Bitrix24Outcome> {
		const answer = await this.post(method, body);
		if (answer.status === null || answer.status >= 400) await this.learnRefreshedSecrets();
		return this.toOutcome(answer);
	}

	private async post(method: string, body: IDataObject): Promise<HttpAnswer> {
		const options: IHttpRequestOptions = {
			method: 'POST',
			url: `${this.baseUrl}${method}.json`,
			body,
			json: true,
			timeout: REQUEST_TIMEOUT_MS,
			returnFullResponse: true,
			// Every answer is read as a body. Only OAuth2 lets a 401 throw: that is how n8n knows to
			// refresh the token and repeat the call. A webhook's 401 is final, so it is not sent twice.
			ignoreHttpStatusErrors: this.authentication === 'oAuth2' ? { ignore: true, except: [401] } : true,
		};
		try {
			const response = (await this.context.helpers.httpRequestWithAuthentication.call(
				this.context,
				this.credentialType,
				options,
			)) as { statusCode?: number; body?: unknown };
			return { status: response.statusCode ?? 200, body: response.body, transportCode: null, message: '' };
		} catch (error) {
			return readThrownAnswer(error);
		}
	}

	private toOutcome(answer: HttpAnswer): Bitrix24Outcome {
		if (answer.status === null) {
			const reason = answer.transportCode ?? this.redact(answer.message);
			return {
				ok: false,
				failure: {
					errorCode: LOCAL_ERROR_CODES.networkError,
					errorDescription: null,
					httpCode: null,
					message: `The Bitrix24 portal could not be reached (${reason})`,
				},
			};
		}
		const body = parseBody(answer.body);
		if (isRecord(body) && typeof body.error === 'string' && body.error.trim() !== '') {
			return { ok: false, failure: failureFromBitrixError(body, answer.status, this.secrets) };
		}
		if (answer.status >= 200 && answer.status < 300 && isRecord(body) && 'result' in body) {
			return { ok: true, result: body.result, time: isRecord(body.time) ? (body.time as IDataObject) : null };
		}
		return {
			ok: false,
			failure: invalidResponse(answer.status, `The Bitrix24 portal answered HTTP ${answer.status} with a body that is not REST JSON`),
		};
	}

	/** One REST call: POST `<base>/<method>.json` with a JSON body. */
	async call(method: string, params: IDataObject): Promise<Bitrix24Outcome> {
		return await this.exchange(method, params);
	}

	/**
	 * One `batch` call carrying up to 50 commands. Each command gets its own outcome, or undefined
	 * when the portal's answer does not mention it.
	 */
	async batch(commands: ReadonlyArray<[key: string, command: string]>): Promise<BatchOutcome> {
		const outcome = await this.exchange('batch', { halt: 0, cmd: Object.fromEntries(commands) as IDataObject });
		if (!outcome.ok) return outcome;
		const envelope = isRecord(outcome.result) ? outcome.result : null;
		const results = asMap(envelope?.result);
		const errors = asMap(envelope?.result_error);
		const times = asMap(envelope?.result_time) ?? {};
		if (results === null || errors === null) {
			return {
				ok: false,
				failure: invalidResponse(200, 'The Bitrix24 portal answered the batch call without its result maps'),
			};
		}
		if (Object.keys(errors).length > 0) await this.learnRefreshedSecrets();
		const byKey = new Map<string, Bitrix24Outcome | undefined>();
		for (const [key] of commands) {
			const time = isRecord(times[key]) ? (times[key] as IDataObject) : null;
			const error = errors[key];
			if (isRecord(error) && typeof error.error === 'string') {
				const failure = failureFromBitrixError(error, null, this.secrets);
				// The batch's own status says nothing about one command; keep only a status the command carries.
				const status = Number(error.status);
				failure.httpCode = Number.isInteger(status) && status > 0 ? status : null;
				byKey.set(key, { ok: false, failure });
			} else if (Object.prototype.hasOwnProperty.call(results, key)) {
				byKey.set(key, { ok: true, result: results[key], time });
			} else {
				byKey.set(key, undefined);
			}
		}
		return { ok: true, commands: byKey };
	}
}
