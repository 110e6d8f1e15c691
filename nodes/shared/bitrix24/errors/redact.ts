const REDACTED = '***';

// Shapes that carry a secret whatever its value: a webhook path, an auth parameter, a bearer header.
const SECRET_SHAPES: Array<[RegExp, string]> = [
	[/(\/rest\/\d+\/)[^/\s?#"']+/gi, `$1${REDACTED}`],
	[/\b((?:auth|access_token|refresh_token|client_secret|code)=)[^&\s"']+/gi, `$1${REDACTED}`],
	[/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${REDACTED}`],
];

/** Removes every known secret, and anything shaped like one, from a text meant for users. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
	let result = text;
	for (const secret of secrets) {
		if (secret.length >= 4) result = result.split(secret).join(REDACTED);
	}
	for (const [shape, replacement] of SECRET_SHAPES) result = result.replace(shape, replacement);
	return result;
}

/** The secrets held by a credential, for redaction. */
export function credentialSecrets(credentials: Record<string, unknown>, webhookCode: string | null): string[] {
	const secrets: string[] = [];
	const add = (value: unknown) => {
		if (typeof value === 'string' && value.length > 0) secrets.push(value);
	};
	add(webhookCode);
	add(credentials.clientSecret);
	const tokenData = credentials.oauthTokenData as Record<string, unknown> | undefined;
	if (tokenData !== undefined && tokenData !== null) {
		add(tokenData.access_token);
		add(tokenData.refresh_token);
	}
	return secrets;
}
