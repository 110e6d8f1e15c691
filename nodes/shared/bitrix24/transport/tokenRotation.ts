/**
 * An OAuth2 refresh refused because the token had already been renewed (docs/contract.md#oauth2).
 * Bitrix24 issues a new refresh token with every refresh and takes the old one back, so when several
 * requests meet an expired token at once and each refreshes it (n8n 1.x does; n8n 2.x does so across
 * processes), only the first refresh is granted. The request whose refresh was refused is sent again
 * once the credential n8n has saved holds another access token than the one it left with: n8n signs
 * every request with the saved credential. A refresh that fails while the saved token stays as it was
 * is a real failure, `OAUTH_REFRESH_FAILED`. Within one process the token gate (tokenGate.ts) keeps
 * such races from starting once the node knows the token has expired; across processes, and for the
 * requests already out when the portal took the token back, this is what remains.
 */
import type { Bitrix24Outcome } from './answers';
import type { Connection } from './connection';
import { LOCAL_ERROR_CODES } from '../errors/codes';

/**
 * After a refused refresh, how long to wait before each new reading of the saved credential: the
 * refresh that was granted (in another request or process) may not have been saved yet. About 4 s in
 * all; a refresh that really failed is reported after that.
 */
export const SAVED_TOKEN_READ_DELAYS_MS: readonly number[] = [250, 500, 1000, 2000];

/** How many times one request is sent again after refreshes refused for a rotated token. */
export const MAX_SENDS_AFTER_ROTATION = 5;

/** What the rotation needs from its client: a pause that ends when the run stops, and n8n's log. */
export interface RotationWaiter {
	pause(ms: number): Promise<void>;
	log(message: string): void;
}

export class TokenRotation {
	/** Requests of this run sent again after meeting an already renewed token. */
	private sentAgain = 0;
	/**
	 * For each access token a refused refresh started from: whether another one was saved within the
	 * wait. Requests refused for the same token share one wait.
	 */
	private readonly waits = new Map<string, Promise<boolean>>();

	/** `readSaved` reads the saved credential and returns its access token (the client's token gate reads it). */
	constructor(
		private readonly connection: Connection,
		private readonly origin: string,
		private readonly waiter: RotationWaiter,
		private readonly readSaved: () => Promise<string | null>,
	) {}

	/** The access token a request leaving now goes with, as far as the run knows. */
	tokenNow(): string | null {
		return this.connection.accessToken;
	}

	/**
	 * True when `outcome` is a refused refresh of a request that left with `sentWith`, and the saved
	 * credential now holds another access token: the request is sent again. It spends no retry.
	 */
	async sendAgain(outcome: Bitrix24Outcome, sentWith: string | null, sendsSoFar: number): Promise<boolean> {
		if (outcome.ok || outcome.failure.errorCode !== LOCAL_ERROR_CODES.refreshFailed) return false;
		if (this.connection.authentication !== 'oAuth2' || sentWith === null || sendsSoFar >= MAX_SENDS_AFTER_ROTATION) return false;
		if (!(await this.renewedSince(sentWith))) return false;
		this.sentAgain += 1;
		this.waiter.log(
			`Bitrix24 portal ${this.origin}: a request met an OAuth2 access token that another request or process had already renewed, ` +
				`and was sent again with the saved token (${this.sentAgain} ${this.sentAgain === 1 ? 'request' : 'requests'} so far in this run)`,
		);
		return true;
	}

	private async renewedSince(sentWith: string): Promise<boolean> {
		if (await this.savedDiffers(sentWith)) return true;
		let wait = this.waits.get(sentWith);
		if (wait === undefined) {
			wait = this.waitForSave(sentWith);
			this.waits.set(sentWith, wait);
		}
		return await wait;
	}

	/** Reads the saved credential again after each delay, until it holds another access token. */
	private async waitForSave(sentWith: string): Promise<boolean> {
		for (const delay of SAVED_TOKEN_READ_DELAYS_MS) {
			await this.waiter.pause(delay);
			if (await this.savedDiffers(sentWith)) return true;
		}
		return false;
	}

	private async savedDiffers(sentWith: string): Promise<boolean> {
		const saved = await this.readSaved();
		return saved !== null && saved !== sentWith;
	}
}
