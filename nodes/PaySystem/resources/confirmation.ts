/**
 * How a confirmation decides, for a payment and for a legacy invoice alike (docs/contract.md#confirm):
 * read what the portal holds, send the confirmation only when nothing says it is paid already or for
 * another amount, read again after it, and never send it twice for an answer that was lost.
 */
import type { IDataObject } from 'n8n-workflow';

import { LOCAL_ERROR_CODES } from '../../shared/bitrix24/errors/codes';
import type { Bitrix24Failure } from '../../shared/bitrix24/errors/failures';
import { invalidResponse, refusedLocally } from '../../shared/bitrix24/errors/failures';
import type { Step } from '../../shared/bitrix24/run/operation';
import type { Call } from '../../shared/bitrix24/transport/calls';

/** What the portal holds of a payment or invoice, as far as a confirmation needs it. */
export interface Held {
	paid: boolean;
	/** The provider's transaction it was paid by (PS_INVOICE_ID), null when the portal does not say. */
	transactionId: string | null;
	sum: number | null;
	currency: string | null;
}

/** What the provider reported, as the item gives it. */
export interface Reported {
	transactionId: string;
	/** Null: not given, not compared. */
	amount: number | null;
	currency: string | null;
}

/** Where a confirmation stands when it reads: before sending, after an answer was lost, after the portal accepted it. */
export type Phase = 'before' | 'afterLost' | 'afterWrite';

export type Decision =
	| { send: true }
	| { status: 'confirmed' | 'alreadyConfirmed' }
	| { failure: Bitrix24Failure; ids: IDataObject };

/** A confirmation is sent at most this many times for one item, each after a read found it not applied. */
export const MAX_SENDS = 3;

/** Amounts as the same number of money: the float noise of a sum sent as text is not a difference. */
function sameAmount(left: number, right: number): boolean {
	return Math.abs(left - right) < 1e-6;
}

/** The decision table (docs/contract.md#confirm) for what a read found. */
export function decide(held: Held, reported: Reported, phase: Phase): Decision {
	if (held.paid) {
		if (held.transactionId === reported.transactionId) return { status: phase === 'before' ? 'alreadyConfirmed' : 'confirmed' };
		if (held.transactionId === null) {
			// The portal does not say by which transaction: only our own confirmation, sent, can explain it.
			if (phase !== 'before') return { status: 'confirmed' };
			return { failure: refusedLocally(LOCAL_ERROR_CODES.alreadyPaid, 'It is already paid, and the portal does not say by which transaction'), ids: {} };
		}
		return {
			failure: refusedLocally(
				LOCAL_ERROR_CODES.paidByOtherTransaction,
				`It is already paid by transaction ${held.transactionId}, not by ${reported.transactionId}`,
			),
			ids: { transactionId: reported.transactionId, paidTransactionId: held.transactionId },
		};
	}
	if (phase === 'afterWrite') {
		return { failure: refusedLocally(LOCAL_ERROR_CODES.notMarkedPaid, 'The portal accepted the confirmation, but it still reads as unpaid'), ids: {} };
	}
	const amountDiffers = reported.amount !== null && (held.sum === null || !sameAmount(held.sum, reported.amount));
	const currencyDiffers = reported.currency !== null && (held.currency ?? '').toUpperCase() !== reported.currency.toUpperCase();
	if (amountDiffers || currencyDiffers) {
		const expected = `${String(held.sum)} ${held.currency ?? ''}`.trim();
		const received = `${reported.amount ?? String(held.sum)} ${reported.currency ?? held.currency ?? ''}`.trim();
		return {
			failure: refusedLocally(LOCAL_ERROR_CODES.amountMismatch, `The provider reported ${received}, the portal expects ${expected}`),
			ids: { expectedSum: held.sum, expectedCurrency: held.currency, receivedSum: reported.amount, receivedCurrency: reported.currency },
		};
	}
	return { send: true };
}

/** What a confirmation reads, sends, and makes of what it read. */
export interface Confirmation {
	/** The read of what the portal holds. */
	read: Call;
	/** What the read answered, or null when it is not what the method answers. */
	held(result: unknown): Held | null;
	/** A failure the read shows before anything else (the payment is on another pay system), or null. */
	refusal?(result: unknown): Bitrix24Failure | null;
	/** The confirmation itself; the runner's client never sends it twice for a lost answer. */
	pay: Call;
	reported: Reported;
	/** The output `json` for a status, with what the portal holds when it was read. */
	output(status: 'confirmed' | 'alreadyConfirmed', held: Held | null): IDataObject;
}

/** Read first (`checkFirst`), then decide: the item's first step. */
export function checkedConfirmation(confirmation: Confirmation): Step {
	return readAndDecide(confirmation, 'before', 0, null);
}

function readAndDecide(confirmation: Confirmation, phase: Phase, sends: number, before: Held | null): Step {
	return {
		calls: [confirmation.read],
		next: ([answer]) => {
			// The portal accepted the confirmation: a read that fails after it does not undo that.
			if (!answer.ok && phase === 'afterWrite') return { items: [confirmation.output('confirmed', before)] };
			if (!answer.ok) return { failure: answer.failure };
			const refusal = confirmation.refusal?.(answer.result) ?? null;
			if (refusal !== null) return { failure: refusal };
			const held = confirmation.held(answer.result);
			if (held === null) return { failure: invalidResponse(answer.httpCode, `The Bitrix24 portal answered ${confirmation.read.method} without what it holds`) };
			const decision = decide(held, confirmation.reported, phase);
			if ('status' in decision) return { items: [confirmation.output(decision.status, held)] };
			if ('failure' in decision) return { failure: decision.failure, ids: decision.ids };
			if (sends >= MAX_SENDS) return { failure: refusedLocally(LOCAL_ERROR_CODES.answerLost, `The answers of ${sends} confirmations were lost, and the portal still reads it as unpaid`) };
			return sendAndRead(confirmation, sends + 1, held);
		},
	};
}

function sendAndRead(confirmation: Confirmation, sends: number, held: Held): Step {
	return {
		calls: [confirmation.pay],
		next: ([answer]) => {
			if (answer.ok) return readAndDecide(confirmation, 'afterWrite', sends, held);
			// The portal may have applied it: what it holds now says whether to send again.
			if (answer.failure.errorCode === LOCAL_ERROR_CODES.answerLost) return readAndDecide(confirmation, 'afterLost', sends, held);
			return { failure: answer.failure };
		},
	};
}

/**
 * An item's confirmation as its first step, read first or not (`checkFirst`). Its output names `ids`
 * (the payment or invoice and its pay system) beside the transaction, the sum and currency (as the
 * portal holds them once read, else as reported) and the status.
 */
export function confirmationStep(confirmation: Omit<Confirmation, 'output'>, ids: IDataObject, checkFirst: boolean): Step {
	const { reported } = confirmation;
	const whole: Confirmation = {
		...confirmation,
		output: (status, held) => ({ ...ids, transactionId: reported.transactionId, sum: held?.sum ?? reported.amount, currency: held?.currency ?? reported.currency, status }),
	};
	return checkFirst ? checkedConfirmation(whole) : uncheckedConfirmation(whole);
}

/** Without `checkFirst`: send, and report what the portal answers; a lost answer is reported, not sent again. */
export function uncheckedConfirmation(confirmation: Confirmation): Step {
	return {
		calls: [confirmation.pay],
		next: ([answer]) => (answer.ok ? { items: [confirmation.output('confirmed', null)] } : { failure: answer.failure }),
	};
}
