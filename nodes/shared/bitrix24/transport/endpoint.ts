import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/** Where REST calls go (and the secret the address itself holds), or why they cannot go anywhere. */
export type EndpointResolution =
	| { ok: true; baseUrl: string; pathSecret: string | null }
	| { ok: false; problem: string };

const WEBHOOK_PATH = /^\/rest\/([1-9]\d*)\/([A-Za-z0-9_]+)(?:\/(?:[A-Za-z0-9_.]+)?)?\/?$/;

const WEBHOOK_SHAPE = 'https://<portal>/rest/<user id>/<webhook code>/';

function isLoopbackHost(hostname: string): boolean {
	const host = hostname.toLowerCase();
	if (host === 'localhost' || host === '[::1]') return true;
	return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A secret never crosses a network unencrypted unless the user says so. */
function checkTransport(url: URL, allowInsecureHttp: boolean, what: string): string | null {
	if (url.protocol === 'https:') return null;
	if (url.protocol !== 'http:') return `${what} must start with https:// (found ${url.protocol}//).`;
	if (isLoopbackHost(url.hostname) || allowInsecureHttp) return null;
	return `${what} uses http:// to ${url.hostname}, which would send the secret unencrypted. Use https://, or turn on "Allow Insecure HTTP" in the credential if the portal is on a network you trust.`;
}

function parseUrl(text: string): URL | null {
	try {
		return new URL(text);
	} catch {
		return null;
	}
}

/**
 * Normalises an incoming-webhook URL to its base (`<origin>/rest/<user>/<code>/`).
 * Accepted: with or without the trailing slash, with or without a trailing method name or `.json`.
 * Problems are described without echoing the URL: it holds the webhook code.
 */
export function resolveWebhookBase(webhookUrl: unknown, allowInsecureHttp: unknown): EndpointResolution {
	const text = typeof webhookUrl === 'string' ? webhookUrl.trim() : '';
	if (text === '') {
		return { ok: false, problem: `The webhook URL is empty. Paste the URL Bitrix24 shows for the incoming webhook, like ${WEBHOOK_SHAPE}` };
	}
	const url = parseUrl(text);
	if (url === null || !/^https?:$/.test(url.protocol) || url.hostname === '') {
		return { ok: false, problem: `The webhook URL is not a valid http(s) URL. It should look like ${WEBHOOK_SHAPE}` };
	}
	if (url.username !== '' || url.password !== '') {
		return { ok: false, problem: 'The webhook URL must not contain a user name or password before the host.' };
	}
	if (url.search !== '' || url.hash !== '' || text.includes('?') || text.includes('#')) {
		return { ok: false, problem: `The webhook URL must not carry a query string or fragment. It should look like ${WEBHOOK_SHAPE}` };
	}
	const match = WEBHOOK_PATH.exec(url.pathname);
	if (match === null) {
		return { ok: false, problem: `The webhook URL does not point to a Bitrix24 incoming webhook. It should look like ${WEBHOOK_SHAPE}` };
	}
	const transportProblem = checkTransport(url, allowInsecureHttp === true, 'The webhook URL');
	if (transportProblem !== null) return { ok: false, problem: transportProblem };
	return { ok: true, baseUrl: `${url.origin}/rest/${match[1]}/${match[2]}/`, pathSecret: match[2] };
}

/** The portal's origin from the credential's domain: a bare host gets https://. */
export function portalOrigin(domain: unknown): URL | null {
	const text = typeof domain === 'string' ? domain.trim().replace(/\/+$/, '') : '';
	if (text === '') return null;
	const url = parseUrl(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
	if (url === null || url.hostname === '') return null;
	return url;
}

/**
 * REST base for an OAuth2 connection: the token's `client_endpoint` when the portal sent one,
 * else `https://<domain>/rest/`.
 */
export function resolveOAuthBase(credentials: ICredentialDataDecryptedObject): EndpointResolution {
	const allowInsecureHttp = credentials.allowInsecureHttp === true;
	const tokenData = credentials.oauthTokenData as { client_endpoint?: unknown } | undefined;
	const clientEndpoint = typeof tokenData?.client_endpoint === 'string' ? tokenData.client_endpoint.trim() : '';
	let url: URL | null;
	if (clientEndpoint !== '') {
		url = parseUrl(clientEndpoint);
		if (url === null || !/^https?:$/.test(url.protocol)) {
			return { ok: false, problem: 'The portal sent a client_endpoint that is not an http(s) URL. Reconnect the credential.' };
		}
	} else {
		const origin = portalOrigin(credentials.domain);
		if (origin === null || !/^https?:$/.test(origin.protocol)) {
			return { ok: false, problem: 'The Bitrix24 domain is empty or not valid. Enter the portal address, e.g. example.bitrix24.com.' };
		}
		url = new URL(`${origin.origin}/rest/`);
	}
	const transportProblem = checkTransport(url, allowInsecureHttp, 'The portal address');
	if (transportProblem !== null) return { ok: false, problem: transportProblem };
	const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
	return { ok: true, baseUrl: `${url.origin}${path}`, pathSecret: null };
}
