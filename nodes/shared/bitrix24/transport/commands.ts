/**
 * What the client's refusal-or-retry loop keeps of each command's outcome, and what it sends again
 * (docs/contract.md#retries). One rule for every request: a read that failed transiently is sent
 * again; a call that writes never is after a failure the portal may have run it through.
 */
import type { Bitrix24Outcome } from './answers';
import { UNANSWERED_COMMAND, commandMethod } from './answers';
import type { FailureFacts } from '../errors/codes';
import { BITRIX24_CODES, isLimitRefusal, isRetried } from '../errors/codes';
import { answerLost } from '../errors/failures';

/** A batch command: its key in the envelope and its encoded call (a single call: its method). */
export type Command = [key: string, command: string];

/** How many of the commands call each method. */
export function methodCounts(commands: readonly Command[]): Map<string, number> {
	const counts = new Map<string, number>();
	for (const [, command] of commands) counts.set(commandMethod(command), (counts.get(commandMethod(command)) ?? 0) + 1);
	return counts;
}

/** A command the portal's batch answer did not mention: it has no answer yet, so it is sent again. */
const UNANSWERED: FailureFacts = { errorCode: BITRIX24_CODES.unexpectedAnswer, httpCode: null };

/**
 * What becomes of one command after a round: its outcome is kept, or it is sent `again` (with the
 * failure that decides the wait). Refusals for the portal's limits are answered before the portal runs
 * anything, so every command goes again after them. Any other transient failure (a timeout, a broken
 * connection, an answer cut off or missing, a 5xx) may have come after the portal ran the call: a read
 * goes again, a call that `writes` keeps the outcome ANSWER_LOST and goes no more.
 */
export function sortOutcome(outcome: Bitrix24Outcome | undefined, writes: boolean): { keep: Bitrix24Outcome } | { again: FailureFacts } {
	if (outcome === undefined) return writes ? { keep: lost(UNANSWERED_COMMAND) } : { again: UNANSWERED };
	if (outcome.ok) return { keep: outcome };
	if (isLimitRefusal(outcome.failure)) return { again: outcome.failure };
	if (!isRetried(outcome.failure)) return { keep: outcome };
	return writes ? { keep: lost(outcome) } : { again: outcome.failure };
}

function lost(outcome: Bitrix24Outcome): Bitrix24Outcome {
	if (outcome.ok) return outcome;
	return { ok: false, failure: answerLost(outcome.failure) };
}
