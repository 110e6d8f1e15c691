/** Every Bitrix24 REST method the package calls, named by what it gives (docs/contract.md#the-method). */
export const REST_METHODS = {
	batch: 'batch',
	invoiceSettings: 'sale.paysystem.settings.invoice.get',
	paymentSettings: 'sale.paysystem.settings.payment.get',
	crmItemPayments: 'crm.item.payment.list',
	paySystems: 'sale.paysystem.list',
	handlers: 'sale.paysystem.handler.list',
	payment: 'sale.payment.get',
	payPayment: 'sale.paysystem.pay.payment',
	legacyInvoice: 'crm.invoice.get',
	payInvoice: 'sale.paysystem.pay.invoice',
} as const;
