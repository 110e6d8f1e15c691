import type { NodeResource } from '../resource';
import { confirm } from './confirm.operation';

/** Legacy CRM invoices (crm.invoice.*, deprecated by Bitrix24): confirming one once its provider reported success. */
export const invoice: NodeResource = {
	option: { name: 'Legacy Invoice', value: 'invoice', description: 'Legacy CRM invoices (deprecated by Bitrix24)' },
	operations: [confirm],
};
