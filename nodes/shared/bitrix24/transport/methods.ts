/** Every Bitrix24 REST method the package calls, named by what it gives (docs/contract.md#the-method). */
export const REST_METHODS = {
	batch: 'batch',
	invoiceSettings: 'sale.paysystem.settings.invoice.get',
	paymentSettings: 'sale.paysystem.settings.payment.get',
	crmItemPayments: 'crm.item.payment.list',
	paySystems: 'sale.paysystem.list',
	handlers: 'sale.paysystem.handler.list',
	addHandler: 'sale.paysystem.handler.add',
	updateHandler: 'sale.paysystem.handler.update',
	deleteHandler: 'sale.paysystem.handler.delete',
	addPaySystem: 'sale.paysystem.add',
	updatePaySystem: 'sale.paysystem.update',
	deletePaySystem: 'sale.paysystem.delete',
	paySystemSettings: 'sale.paysystem.settings.get',
	updatePaySystemSettings: 'sale.paysystem.settings.update',
} as const;
