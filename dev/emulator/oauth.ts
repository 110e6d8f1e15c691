// The portal's OAuth2 server: /oauth/authorize hands out a code, /oauth/token trades a code or a refresh
// token for new tokens, and the REST API asks it which scopes an access token grants.
import * as crypto from 'node:crypto';

import { errors } from './errors';
import type { TokenResponse } from './types';

export function randomHex(bytes: number): string {
	return crypto.randomBytes(bytes).toString('hex');
}

/** The portal's one OAuth application, and the user its tokens act for. */
export interface OAuthApp {
	clientId: string;
	clientSecret: string;
	scopes: readonly string[];
	accessTokenLifetimeSeconds: number;
	userId: number;
}

/** What the server answers: a JSON body, or a redirect back to the client. */
export type OAuthAnswer = { status: number; json: Record<string, unknown> } | { status: 302; location: string };

interface AccessTokenRecord {
	scopes: string[];
	expiresAt: number;
}

interface PendingGrant {
	scopes: string[];
}

export class OAuthServer {
	readonly memberId = randomHex(16);
	/** Every access and refresh token issued, to look for in what a client logs. */
	readonly issued: string[] = [];
	private readonly accessTokens = new Map<string, AccessTokenRecord>();
	private readonly refreshTokens = new Map<string, PendingGrant>();
	private readonly authorizationCodes = new Map<string, PendingGrant>();

	/** `origin` is the portal's address, known once it listens. */
	constructor(
		private readonly app: OAuthApp,
		private readonly origin: () => string,
	) {}

	private get domain(): string {
		return this.origin().replace(/^https?:\/\//, '');
	}

	/** New tokens for the app's scopes (or `scopes`), good for the app's lifetime. */
	issueTokens(scopes?: string[]): TokenResponse {
		return this.issue(scopes, this.app.accessTokenLifetimeSeconds);
	}

	/**
	 * Tokens as a credential saved earlier holds them: the access token expires `seconds` from now, at
	 * the `expires` the answer names (negative: it has expired, and `expires` is in the past), while
	 * `expires_in` is the app's lifetime, as when they were issued. The refresh token is good as ever.
	 */
	issueTokensExpiringIn(seconds: number, scopes?: string[]): TokenResponse {
		return this.issue(scopes, seconds);
	}

	/**
	 * The access token is taken until the second `expires` names (unix seconds, as Bitrix24 answers),
	 * so a client that reads `expires` knows the moment the portal starts refusing it.
	 */
	private issue(scopes: string[] | undefined, lifetimeSeconds: number): TokenResponse {
		const granted = [...(scopes ?? this.app.scopes)];
		const accessToken = randomHex(32);
		const refreshToken = randomHex(32);
		const expires = Math.floor(Date.now() / 1000) + lifetimeSeconds;
		this.accessTokens.set(accessToken, { scopes: granted, expiresAt: expires * 1000 });
		this.refreshTokens.set(refreshToken, { scopes: granted });
		this.issued.push(accessToken, refreshToken);
		return {
			access_token: accessToken,
			expires,
			expires_in: this.app.accessTokenLifetimeSeconds,
			scope: granted.join(','),
			domain: this.domain,
			server_endpoint: `${this.origin()}/oauth/rest/`,
			status: 'L',
			client_endpoint: `${this.origin()}/rest/`,
			member_id: this.memberId,
			user_id: this.app.userId,
			refresh_token: refreshToken,
		};
	}

	/**
	 * Takes every access token back at once, as if they had expired, while what the client saved still
	 * names a later `expires`: a client cannot see this coming.
	 */
	expireAccessTokens(): void {
		for (const record of this.accessTokens.values()) {
			record.expiresAt = 0;
		}
	}

	/** The scopes an access token grants; throws invalid_token or expired_token. */
	scopesOf(token: string): string[] {
		const record = this.accessTokens.get(token);
		if (record === undefined) {
			throw errors.invalidToken();
		}
		if (record.expiresAt <= Date.now()) {
			throw errors.expiredToken();
		}
		return record.scopes;
	}

	/** /oauth/authorize: the user has agreed; redirects to the client with a code for the app's scopes. */
	authorize(params: Record<string, unknown>): OAuthAnswer {
		if (params.client_id !== this.app.clientId) {
			return { status: 400, json: { error: 'invalid_client' } };
		}
		const redirectUri = typeof params.redirect_uri === 'string' ? params.redirect_uri : '';
		if (!/^https?:\/\//i.test(redirectUri)) {
			return { status: 400, json: { error: 'invalid_request', error_description: 'redirect_uri is required' } };
		}
		const code = randomHex(16);
		this.authorizationCodes.set(code, { scopes: [...this.app.scopes] });
		const answer = new URLSearchParams({
			code,
			state: typeof params.state === 'string' ? params.state : '',
			domain: this.domain,
			member_id: this.memberId,
			scope: this.app.scopes.join(','),
			server_domain: this.domain,
		});
		return { status: 302, location: `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${answer.toString()}` };
	}

	/** /oauth/token: new tokens for an authorization code or a refresh token, each good once. */
	token(params: Record<string, unknown>, authorization: string | undefined): OAuthAnswer {
		if (!this.isClientAuthenticated(params, authorization)) {
			return { status: 401, json: { error: 'invalid_client', error_description: 'Client authentication failed' } };
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
			return { status: 400, json: { error: 'unsupported_grant_type' } };
		}
		if (grant === undefined) {
			return { status: 400, json: { error: 'invalid_grant' } };
		}
		return { status: 200, json: this.issueTokens(grant.scopes) };
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
		return ids.includes(this.app.clientId) && secrets.includes(this.app.clientSecret);
	}
}
