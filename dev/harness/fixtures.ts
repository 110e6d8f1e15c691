// Fixtures the tests and the tools share: the standard portal limits, node parameters, credentials as
// n8n passes them, and the settings the emulated portal keeps. Nothing here depends on jest.
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Portal, PortalOptions } from '../emulator/portal';

/** Bitrix24's standard plan: 2 requests/s with a burst of 50, and 480 s of run time per method in 10 minutes. */
export const STANDARD_PORTAL: PortalOptions = {
	limits: { drainPerSecond: 2, burst: 50 },
	operatingBudgetSeconds: 480,
};

export const resourceLocator = (mode: string, value: string | number) => ({ __rl: true, mode, value });

/** Node parameters selecting the pay system by ID, the invoice from the item's `invoiceId`. */
export function byPaySystemId(paySystemId: string | number, options: IDataObject = {}): INodeParameters {
	return {
		invoiceId: '={{ $json.invoiceId }}',
		paySystemBy: 'id',
		paySystemId: resourceLocator('id', paySystemId),
		options,
	} as INodeParameters;
}

/** Node parameters selecting the pay system by REST handler code. */
export function byHandler(code: string, options: IDataObject = {}): INodeParameters {
	return {
		invoiceId: '={{ $json.invoiceId }}',
		paySystemBy: 'handler',
		bxRestHandler: resourceLocator('code', code),
		options,
	} as INodeParameters;
}

/** Get for Payment: the payment from the item's `paymentId`, the pay system by ID (from the item's `paySystemId` unless given). */
export function forPayment(options: IDataObject = {}, paySystemId: string | number = '={{ $json.paySystemId }}'): INodeParameters {
	return {
		operation: 'getForPayment',
		paymentId: '={{ $json.paymentId }}',
		paySystemId: resourceLocator('id', paySystemId),
		options,
	} as INodeParameters;
}

/** Get for Smart Invoice or Deal: the entity type and ID from the item's `entityTypeId` and `entityId`. */
export function forCrmItem(options: IDataObject = {}): INodeParameters {
	return {
		operation: 'getForCrmItem',
		entityTypeId: '={{ $json.entityTypeId }}',
		entityId: '={{ $json.entityId }}',
		options,
	} as INodeParameters;
}

/**
 * Payment > Confirm with everything from the item: `paymentId`, `paySystemId`, `transactionId`, `amount`
 * and `currency`, as a provider's callback gives them.
 */
export function confirmPayment(options: IDataObject = {}): INodeParameters {
	return {
		resource: 'payment',
		operation: 'confirm',
		paymentId: '={{ $json.paymentId }}',
		paySystemId: resourceLocator('id', '={{ $json.paySystemId }}'),
		transactionId: '={{ $json.transactionId }}',
		amount: '={{ $json.amount }}',
		currency: '={{ $json.currency }}',
		options,
	} as INodeParameters;
}

/** A provider's callback for a payment: by default the transaction `txn-<paymentId>` in USD. */
export const paymentCallback = (paymentId: number, paySystemId: number, amount: number, transactionId = `txn-${paymentId}`, currency = 'USD'): IDataObject => ({
	paymentId,
	paySystemId,
	transactionId,
	amount,
	currency,
});

export function webhookCredentials(webhookUrl: string, allowInsecureHttp = false): Record<string, ICredentialDataDecryptedObject> {
	return { bitrix24WebhookApi: { webhookUrl, allowInsecureHttp } };
}

/** An OAuth2 credential as n8n stores it after "Connect": the client, the portal, the token response. */
export function oauthCredentials(
	portal: Portal,
	oauthTokenData: object,
	overrides: IDataObject = {},
): Record<string, ICredentialDataDecryptedObject> {
	return {
		bitrix24OAuth2Api: {
			grantType: 'authorizationCode',
			domain: portal.origin,
			authUrl: `${portal.origin}/oauth/authorize/`,
			accessTokenUrl: `${portal.origin}/oauth/token/`,
			clientId: portal.clientId,
			clientSecret: portal.clientSecret,
			scope: 'pay_system',
			authQueryParameters: '',
			authentication: 'body',
			allowInsecureHttp: false,
			oauthTokenData: oauthTokenData as IDataObject,
			...overrides,
		},
	};
}

export const invoices = (...ids: unknown[]): IDataObject[] => ids.map((invoiceId) => ({ invoiceId }) as IDataObject);
/** Items for Get for Payment: [payment ID, pay system ID] each. */
export const payments = (...pairs: Array<[unknown, unknown]>): IDataObject[] =>
	pairs.map(([paymentId, paySystemId]) => ({ paymentId, paySystemId }) as IDataObject);
export const smartInvoices = (...ids: unknown[]): IDataObject[] => ids.map((entityId) => ({ entityTypeId: 31, entityId }) as IDataObject);
export const deals = (...ids: unknown[]): IDataObject[] => ids.map((entityId) => ({ entityTypeId: 2, entityId }) as IDataObject);

export const jsonOf = (items: INodeExecutionData[]) => items.map((item) => item.json);
export const pairingOf = (items: INodeExecutionData[]) => items.map((item) => item.pairedItem);

/** The settings the emulated portal keeps for each seeded pay system. */
export const SETTINGS = {
	card: { REST_SERVICE_ID_IFRAME: 'snum', REST_SERVICE_KEY_IFRAME: 'skey', PS_WORK_MODE_IFRAME: 'REGULAR' },
	cardSecondShop: { REST_SERVICE_ID_IFRAME: 'snum2', REST_SERVICE_KEY_IFRAME: 'skey2', PS_WORK_MODE_IFRAME: 'TEST' },
	bank: (invoiceId: number) => ({ BANK_NAME: 'Example Bank', PAYMENT_ID: `INV-${invoiceId}`, PS_WORK_MODE: 'TEST' }),
	cash: { CASH_DESK: 'Main' },
};
