import type { ICredentialDataDecryptedObject, IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { resolveOAuthBase, resolveWebhookBase } from './endpoint';
import { credentialSecrets } from './redact';

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
}

function hasAccessToken(credentials: ICredentialDataDecryptedObject): boolean {
	const tokenData = credentials.oauthTokenData;
	return (
		typeof tokenData === 'object' &&
		tokenData !== null &&
		typeof (tokenData as { access_token?: unknown }).access_token === 'string' &&
		(tokenData as { access_token: string }).access_token !== ''
	);
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
	return {
		authentication,
		credentialType,
		baseUrl: resolution.baseUrl,
		secrets: credentialSecrets(credentials, resolution.pathSecret),
	};
}
