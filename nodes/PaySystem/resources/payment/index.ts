import type { NodeResource } from '../resource';
import { confirm } from './confirm.operation';

/** Payments (of smart invoices, deals and orders): confirming one once its provider reported success. */
export const payment: NodeResource = {
	option: { name: 'Payment', value: 'payment', description: 'Payments of smart invoices, deals and orders' },
	operations: [confirm],
};
