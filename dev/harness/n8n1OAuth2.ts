// n8n 1.x's OAuth2 requests, modelled for the engine harness (which runs n8n 2.41's engine): what
// httpRequestWithAuthentication does in n8n-core 1.122.48 (requestOAuth2, the n8n request path) for
// a credential that extends oAuth2Api. Each request reads the credential and signs with its access
// token; when the portal answers 401 the request refreshes with the refresh token it read, saves what
// the token endpoint sent and sends once more. Nothing is shared between requests: no lock, and no
// new reading of the saved credential before the refresh (n8n 2.41's refreshOrFetchToken has both),
// so K requests that meet an expired token refresh it K times. The errors have n8n 1.x's shape: a
// NodeApiError that keeps only `httpCode` (the status, the transport code, or EAUTH for a refresh the
// token endpoint refused) and an object body as `context.data`.
import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

export type HttpRequestWithAuthentication = IExecuteFunctions['helpers']['httpRequestWithAuthentication'];

/** Saves a credential as n8n's store does after a refresh (the harness's TestCredentialsHelper). */
export interface CredentialSaver {
	getParentTypes(name: string): string[];
	updateCredentialsOauthTokenData(nodeCredentials: { id: string | null; name: string }, type: string, data: ICredentialDataDecryptedObject): Promise<void>;
}

/** What the OAuth2 client throws for a refused refresh (client-oauth2's AuthError). */
class RefreshRefused extends Error {
	readonly code = 'EAUTH';

	constructor(readonly body: unknown) {
		super('The provided authorization grant is invalid');
	}
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The NodeApiError n8n-workflow 1.120 throws around a failed request: its cause is gone (see test/unit/n8nVersions.test.ts). */
function n8n1ApiError(error: unknown): Error {
	const source = isRecord(error) ? error : {};
	const response = isRecord(source.response) ? source.response : undefined;
	let httpCode = typeof source.code === 'string' ? source.code : 'UNKNOWN';
	let data: unknown;
	if (response !== undefined && typeof response.status === 'number') {
		httpCode = String(response.status);
		data = response.data;
	}
	const message = error instanceof Error ? error.message : String(error);
	return Object.assign(new Error(message), {
		name: 'NodeApiError',
		cause: undefined,
		httpCode,
		messages: [message],
		context: isRecord(data) ? { data } : {},
	});
}

/** The refresh request client-oauth2 sends for a credential whose client authentication is "body". */
async function refresh(context: IExecuteFunctions, credentials: ICredentialDataDecryptedObject, tokenData: IDataObject): Promise<IDataObject> {
	const form = new URLSearchParams({
		refresh_token: String(tokenData.refresh_token ?? ''),
		grant_type: 'refresh_token',
		client_id: String(credentials.clientId ?? ''),
		client_secret: String(credentials.clientSecret ?? ''),
	});
	const answer = (await context.helpers.httpRequest({
		method: 'POST',
		url: String(credentials.accessTokenUrl),
		headers: { Accept: 'application/json, application/x-www-form-urlencoded', 'Content-Type': 'application/x-www-form-urlencoded' },
		body: form.toString(),
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	})) as { statusCode: number; body: unknown };
	const body = typeof answer.body === 'string' ? (JSON.parse(answer.body) as unknown) : answer.body;
	if (answer.statusCode >= 400 || !isRecord(body) || 'error' in body) throw new RefreshRefused(body);
	return { ...tokenData, ...body } as IDataObject;
}

function signed(options: IHttpRequestOptions, accessToken: unknown): IHttpRequestOptions {
	return { ...options, headers: { ...options.headers, Authorization: `Bearer ${String(accessToken)}` } };
}

/**
 * httpRequestWithAuthentication as n8n 1.x runs it for OAuth2 credentials; any other credential goes
 * through `engine`, the engine's own helper.
 */
export function n8n1HttpRequestWithAuthentication(engine: HttpRequestWithAuthentication, store: CredentialSaver): HttpRequestWithAuthentication {
	return async function (this: IExecuteFunctions, credentialsType: string, requestOptions: IHttpRequestOptions, ...rest: unknown[]) {
		if (!store.getParentTypes(credentialsType).includes('oAuth2Api')) {
			return await (engine as (...args: unknown[]) => Promise<unknown>).call(this, credentialsType, requestOptions, ...rest);
		}
		// n8n (1.x and 2.x) signals the request with the execution's cancel signal.
		if ('getExecutionCancelSignal' in this) requestOptions.abortSignal = this.getExecutionCancelSignal();
		try {
			const credentials = await this.getCredentials(credentialsType);
			const tokenData = credentials.oauthTokenData as IDataObject;
			try {
				return await this.helpers.httpRequest(signed(requestOptions, tokenData.access_token));
			} catch (error) {
				if (!isRecord(error) || !isRecord(error.response) || error.response.status !== 401) throw error;
				credentials.oauthTokenData = await refresh(this, credentials, tokenData);
				const nodeCredentials = this.getNode().credentials?.[credentialsType];
				if (nodeCredentials === undefined) throw new Error('Node does not have credential type');
				await store.updateCredentialsOauthTokenData(nodeCredentials, credentialsType, credentials);
				return await this.helpers.httpRequest(signed(requestOptions, credentials.oauthTokenData.access_token));
			}
		} catch (error) {
			throw n8n1ApiError(error);
		}
	} as HttpRequestWithAuthentication;
}
