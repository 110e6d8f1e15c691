// The confirmation's decision table (nodes/PaySystem/resources/confirmation.ts: decide), as
// docs/contract.md#confirm gives it, for each phase of a confirmation.
import { decide } from '../../nodes/PaySystem/resources/confirmation';
import type { Held, Reported } from '../../nodes/PaySystem/resources/confirmation';

const unpaid: Held = { paid: false, transactionId: null, sum: 200, currency: 'USD' };
const paidBy = (transactionId: string | null): Held => ({ paid: true, transactionId, sum: 200, currency: 'USD' });
const reported = (amount: number | null = 200, currency: string | null = 'USD'): Reported => ({ transactionId: 'txn-502', amount, currency });

describe('Before anything was sent', () => {
	it('unpaid, amount and currency as the payment holds them: send', () => {
		expect(decide(unpaid, reported(), 'before')).toEqual({ send: true });
		expect(decide(unpaid, reported(200.0000001, 'usd'), 'before')).toEqual({ send: true });
		expect(decide(unpaid, reported(null, null), 'before')).toEqual({ send: true });
	});

	it('paid by the same transaction: alreadyConfirmed, nothing sent', () => {
		expect(decide(paidBy('txn-502'), reported(), 'before')).toEqual({ status: 'alreadyConfirmed' });
		// A repeated callback is a success even when its amount would differ.
		expect(decide(paidBy('txn-502'), reported(1), 'before')).toEqual({ status: 'alreadyConfirmed' });
	});

	it('paid by another transaction: PAID_BY_OTHER_TRANSACTION with both IDs', () => {
		expect(decide(paidBy('txn-OTHER'), reported(), 'before')).toEqual({
			failure: {
				errorCode: 'PAID_BY_OTHER_TRANSACTION',
				errorDescription: null,
				httpCode: null,
				message: 'PAID_BY_OTHER_TRANSACTION: It is already paid by transaction txn-OTHER, not by txn-502',
			},
			ids: { transactionId: 'txn-502', paidTransactionId: 'txn-OTHER' },
		});
	});

	it('paid, and the portal names no transaction: ALREADY_PAID', () => {
		expect(decide(paidBy(null), reported(), 'before')).toEqual({
			failure: { errorCode: 'ALREADY_PAID', errorDescription: null, httpCode: null, message: 'ALREADY_PAID: It is already paid, and the portal does not say by which transaction' },
			ids: {},
		});
	});

	it('amount or currency differs: AMOUNT_MISMATCH with expected and received', () => {
		expect(decide(unpaid, reported(150), 'before')).toEqual({
			failure: { errorCode: 'AMOUNT_MISMATCH', errorDescription: null, httpCode: null, message: 'AMOUNT_MISMATCH: The provider reported 150 USD, the portal expects 200 USD' },
			ids: { expectedSum: 200, expectedCurrency: 'USD', receivedSum: 150, receivedCurrency: 'USD' },
		});
		expect(decide(unpaid, reported(200, 'EUR'), 'before')).toEqual({
			failure: { errorCode: 'AMOUNT_MISMATCH', errorDescription: null, httpCode: null, message: 'AMOUNT_MISMATCH: The provider reported 200 EUR, the portal expects 200 USD' },
			ids: { expectedSum: 200, expectedCurrency: 'USD', receivedSum: 200, receivedCurrency: 'EUR' },
		});
	});
});

describe('After a confirmation whose answer was lost', () => {
	it('paid by our transaction: confirmed; still unpaid: send again; paid by another: PAID_BY_OTHER_TRANSACTION', () => {
		expect(decide(paidBy('txn-502'), reported(), 'afterLost')).toEqual({ status: 'confirmed' });
		expect(decide(paidBy(null), reported(), 'afterLost')).toEqual({ status: 'confirmed' });
		expect(decide(unpaid, reported(), 'afterLost')).toEqual({ send: true });
		expect(decide(paidBy('txn-OTHER'), reported(), 'afterLost')).toMatchObject({ failure: { errorCode: 'PAID_BY_OTHER_TRANSACTION' } });
	});
});

describe('After the portal accepted the confirmation', () => {
	it('paid by our transaction: confirmed; replaced by another: PAID_BY_OTHER_TRANSACTION; unpaid: NOT_MARKED_PAID', () => {
		expect(decide(paidBy('txn-502'), reported(), 'afterWrite')).toEqual({ status: 'confirmed' });
		expect(decide(paidBy('txn-LATER'), reported(), 'afterWrite')).toEqual({
			failure: {
				errorCode: 'PAID_BY_OTHER_TRANSACTION',
				errorDescription: null,
				httpCode: null,
				message: 'PAID_BY_OTHER_TRANSACTION: It is already paid by transaction txn-LATER, not by txn-502',
			},
			ids: { transactionId: 'txn-502', paidTransactionId: 'txn-LATER' },
		});
		expect(decide(unpaid, reported(), 'afterWrite')).toMatchObject({ failure: { errorCode: 'NOT_MARKED_PAID' } });
	});
});
