import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, IHttpRequestOptions, ILoadOptionsFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { HttpAnswer } from './answers';
import { readThrownAnswer } from './answers';
import { resolveOAuthBase, resolveWebhookBase } from './endpoint';
import { credentialSecrets } from '../errors/redact';

export type AuthenticationMethod = 'webhook' | 'oAuth2';

export type RequestContext = IExecuteFunctions | ILoadOptionsFunctions;

/** The credential type behind each authentication choice of the node. */
export function credentialTypeOf(authentication: AuthenticationMethod): string | undefined {
	if (authentication === 'webhook') return 'bitrix24WebhookApi';
	if (authentication === 'oAuth2') return 'bitrix24OAuth2Api';
	return undefined;
}

/** Where calls go and what must never be shown: read once from the credential. */
export interface Connection {
	authentication: AuthenticationMethod;
	credentialType: string;
	/** `<origin>/rest/<user>/<code>/` for a webhook, the REST base for OAuth2; ends with a slash. */
	baseUrl: string;
	secrets: string[];
	/**
	 * The OAuth2 access token the credential held when the node last read it (null for a webhook): n8n
	 * signs each request with the saved one, so a newer saved token means a refresh happened elsewhere.
	 */
	accessToken: string | null;
	/**
	 * When that access token expires (ms since the epoch), from the token answer's `expires` (unix
	 * seconds) as n8n saved it; null for a webhook, or when the credential does not name it.
	 */
	accessTokenExpiresAt: number | null;
}

/** The access token an OAuth2 credential holds, or null when it holds none (never connected). */
export function accessTokenOf(credentials: ICredentialDataDecryptedObject): string | null {
	const tokenData = credentials.oauthTokenData;
	if (typeof tokenData !== 'object' || tokenData === null) return null;
	const token = (tokenData as { access_token?: unknown }).access_token;
	return typeof token === 'string' && token !== '' ? token : null;
}

/** When the OAuth2 access token expires (ms since the epoch), from its `expires`; null when not named. */
export function accessTokenExpiresAtOf(credentials: ICredentialDataDecryptedObject): number | null {
	const tokenData = credentials.oauthTokenData;
	if (typeof tokenData !== 'object' || tokenData === null) return null;
	const expires = Number((tokenData as { expires?: unknown }).expires);
	return Number.isFinite(expires) && expires > 0 ? expires * 1000 : null;
}

/**
 * Reads the credential behind the node's authentication choice. A credential that cannot work (see
 * docs/contract.md#credentials) stops the run here, before any request, whatever the error setting.
 */
export async function openConnection(context: RequestContext, authentication: AuthenticationMethod): Promise<Connection> {
	const credentialType = credentialTypeOf(authentication);
	if (credentialType === undefined) {
		throw new NodeOperationError(context.getNode(), `Unknown authentication "${String(authentication)}"`);
	}
	const credentials: ICredentialDataDecryptedObject = await context.getCredentials(credentialType);
	const accessToken = authentication === 'oAuth2' ? accessTokenOf(credentials) : null;
	if (authentication === 'oAuth2' && accessToken === null) {
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
	return {
		authentication,
		credentialType,
		baseUrl: resolution.baseUrl,
		secrets: credentialSecrets(credentials, resolution.pathSecret),
		accessToken,
		accessTokenExpiresAt: accessToken === null ? null : accessTokenExpiresAtOf(credentials),
	};
}

/** POSTs one call (or batch) as JSON through n8n's authenticated request helper and reads the answer, whatever it is. */
export async function postCall(
context: RequestContext,
connection: Connection,
method: string,
body: IDataObject,
limits: { timeoutMs: number; signal: AbortSignal },
): Promise<HttpAnswer> {
	const url = `${connection.baseUrl}${method}.json`;
	const options: IHttpRequestOptions = {
		method: 'POST',
		url,
		body,
		json: true,
		timeout: limits.timeoutMs,
		returnFullResponse: true,
		abortSignal: limits.signal,
		// A webhook's answers are read as bodies whatever the status: its 401 is final, so it is not
		// sent twice. OAuth2 lets every error status throw: n8n refreshes the token and repeats the call
		// only when a 401 throws, and n8n 1.x reads any ignoreHttpStatusErrors setting (2.x's
		// { ignore: true, except: [401] } too) as "throw for nothing". The thrown error still carries
		// the status and body (readThrownAnswer).
		ignoreHttpStatusErrors: connection.authentication !== 'oAuth2',
	};
	try {
		const response = (await context.helpers.httpRequestWithAuthentication.call(
			context,
			connection.credentialType,
			options,
		)) as { statusCode?: number; body?: unknown };
		return { status: response.statusCode ?? 200, body: response.body, transportCode: null, message: '', refreshFailed: false };
	} catch (error) {
		return readThrownAnswer(error, url);
	}
}

/**
 * Reads the OAuth2 credential as n8n has it saved now, learns its tokens (to redact them, and as the
 * token the next requests go with, with its expiry) and returns its access token; null when it cannot
 * be read. The client reads through its token gate (tokenGate.ts), which learns the token too.
 */
export async function readSavedToken(context: RequestContext, connection: Connection): Promise<string | null> {
	if (connection.authentication !== 'oAuth2') return null;
	try {
		const credentials = await context.getCredentials(connection.credentialType);
		connection.secrets = [...new Set([...connection.secrets, ...credentialSecrets(credentials, null)])];
		const saved = accessTokenOf(credentials);
		if (saved !== null) {
			connection.accessToken = saved;
			connection.accessTokenExpiresAt = accessTokenExpiresAtOf(credentials);
		}
		return saved;
	} catch {
		// The secrets known from the start still apply; the generic shapes catch the rest.
		return null;
	}
}
