// A request whose OAuth2 refresh was refused because another request or process had already renewed the
// token is sent again once the saved credential holds the new one (docs/contract.md#refresh-race).
import type { ICredentialDataDecryptedObject, IExecuteFunctions } from 'n8n-workflow';

import { refreshFailed } from '../../nodes/shared/bitrix24/errors/failures';
import type { Connection } from '../../nodes/shared/bitrix24/transport/connection';
import { readSavedToken } from '../../nodes/shared/bitrix24/transport/connection';
import { TokenRotation } from '../../nodes/shared/bitrix24/transport/tokenRotation';

const ORIGIN = 'https://portal.example.com';
const REFUSED = { ok: false as const, failure: refreshFailed('invalid_grant') };
const tokens = (access: string): ICredentialDataDecryptedObject => ({ oauthTokenData: { access_token: access, refresh_token: `r-${access}` } });

/** A rotation whose saved credential holds the tokens `saved` gives at each reading, with instant pauses. */
function rotation(saved: (reading: number) => string, authentication: 'oAuth2' | 'webhook' = 'oAuth2') {
	let readings = 0;
	const pauses: number[] = [];
	const logged: string[] = [];
	const context = { getCredentials: async () => tokens(saved(readings++)) } as unknown as IExecuteFunctions;
	const connection: Connection = { authentication, credentialType: 'bitrix24OAuth2Api', baseUrl: `${ORIGIN}/rest/`, secrets: [], accessToken: 'old', accessTokenExpiresAt: null };
	const waiter = { pause: async (ms: number) => void pauses.push(ms), log: (message: string) => void logged.push(message) };
	return { rotation: new TokenRotation(connection, ORIGIN, waiter, async () => await readSavedToken(context, connection)), pauses, logged, connection, readings: () => readings };
}

const line = (count: number) =>
	`Bitrix24 portal ${ORIGIN}: a request met an OAuth2 access token that another request or process had already renewed, and was sent again with the saved token (${count} ${count === 1 ? 'request' : 'requests'} so far in this run)`;

describe('TokenRotation.sendAgain', () => {
	it('sends again at once when the saved token is already another, and counts each request in the log line', async () => {
		const { rotation: subject, pauses, logged, connection } = rotation(() => 'new');
		expect(subject.tokenNow()).toBe('old');
		expect(await subject.sendAgain(REFUSED, 'old', 0)).toBe(true);
		expect(await subject.sendAgain(REFUSED, 'old', 0)).toBe(true);
		expect(pauses).toEqual([]);
		expect(logged).toEqual([line(1), line(2)]);
		expect(connection.accessToken).toBe('new');
	});

	it('reads the saved credential again after 0.25, 0.5, 1 and 2 s, then gives up: the refresh really failed', async () => {
		const { rotation: subject, pauses, logged, readings } = rotation(() => 'old');
		expect(await subject.sendAgain(REFUSED, 'old', 0)).toBe(false);
		expect(pauses).toEqual([250, 500, 1000, 2000]);
		expect(readings()).toBe(5);
		expect(logged).toEqual([]);
	});

	it('stops reading once the renewed token is saved', async () => {
		const { rotation: subject, pauses } = rotation((reading) => (reading >= 2 ? 'new' : 'old'));
		expect(await subject.sendAgain(REFUSED, 'old', 0)).toBe(true);
		expect(pauses).toEqual([250, 500]);
	});

	it('requests refused for the same token share one wait', async () => {
		const { rotation: subject, pauses } = rotation(() => 'old');
		expect(await Promise.all([subject.sendAgain(REFUSED, 'old', 0), subject.sendAgain(REFUSED, 'old', 0)])).toEqual([false, false]);
		expect(pauses).toEqual([250, 500, 1000, 2000]);
	});

	it.each([
		['an answer', { ok: true as const, result: {}, time: null, httpCode: 200 }, 'old', 0, 'oAuth2'],
		['another failure', { ok: false as const, failure: { ...REFUSED.failure, errorCode: 'NETWORK_ERROR' } }, 'old', 0, 'oAuth2'],
		['a webhook', REFUSED, 'old', 0, 'webhook'],
		['a request that left without a token', REFUSED, null, 0, 'oAuth2'],
		['a request sent again 5 times already', REFUSED, 'old', 5, 'oAuth2'],
	] as const)('never sends again %s', async (_case, outcome, sentWith, sends, authentication) => {
		const { rotation: subject, readings } = rotation(() => 'new', authentication);
		expect(await subject.sendAgain(outcome, sentWith, sends)).toBe(false);
		expect(readings()).toBe(0);
	});

	it('sends again up to the fifth time', async () => {
		expect(await rotation(() => 'new').rotation.sendAgain(REFUSED, 'old', 4)).toBe(true);
	});
});
