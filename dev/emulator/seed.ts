// The emulated portal's data. Tests assert these exact values.

export interface PaySystem {
	ID: number;
	NAME: string;
	PSA_NAME: string;
	ACTION_FILE: string;
	ACTIVE: 'Y' | 'N';
	SORT: number;
	DESCRIPTION: string;
	PERSON_TYPE_ID: number;
	ENTITY_REGISTRY_TYPE: string;
	IS_CASH: 'Y' | 'N';
	XML_ID: string | null;
}

export interface PaySystemHandler {
	ID: string;
	NAME: string;
	CODE: string;
	SORT: string;
	SETTINGS: Record<string, unknown>;
}

function paySystem(ID: number, NAME: string, ACTION_FILE: string, IS_CASH: 'Y' | 'N' = 'N'): PaySystem {
	return {
		ID,
		NAME,
		PSA_NAME: NAME,
		ACTION_FILE,
		ACTIVE: 'Y',
		SORT: 100,
		DESCRIPTION: '',
		PERSON_TYPE_ID: 1,
		ENTITY_REGISTRY_TYPE: 'ORDER',
		IS_CASH,
		XML_ID: null,
	};
}

/** Pay systems by ID ascending; 14 shares 11's handler so that "first found" is observable. */
export const PAY_SYSTEMS: readonly PaySystem[] = Object.freeze([
	paySystem(11, 'Card payment (REST)', 'resthandlercard'),
	paySystem(12, 'Bank transfer (REST)', 'resthandlerbank'),
	paySystem(13, 'Cash', 'cash', 'Y'),
	paySystem(14, 'Card payment, second shop', 'resthandlercard'),
	paySystem(15, 'Empty settings (REST)', 'resthandlerempty'),
].map((item) => Object.freeze(item)));

export const PAY_SYSTEM_FIELDS: readonly (keyof PaySystem)[] = Object.freeze([
	'ID',
	'NAME',
	'PSA_NAME',
	'ACTION_FILE',
	'ACTIVE',
	'SORT',
	'DESCRIPTION',
	'PERSON_TYPE_ID',
	'ENTITY_REGISTRY_TYPE',
	'IS_CASH',
	'XML_ID',
]);

function code(NAME: string, SORT: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
	return { NAME, DESCRIPTION: '', SORT, ...extra };
}

const WORK_MODE_INPUT = {
	INPUT: { TYPE: 'ENUM', OPTIONS: { REGULAR: 'Regular', TEST: 'Test' } },
};

/** REST handlers as `sale.paysystem.handler.list` returns them (IDs and SORT are strings there). */
export const HANDLERS: readonly PaySystemHandler[] = Object.freeze([
	{
		ID: '1',
		NAME: 'Card payment handler',
		CODE: 'resthandlercard',
		SORT: '100',
		SETTINGS: {
			CURRENCY: ['USD', 'EUR'],
			CLIENT_TYPE: 'b2c',
			IFRAME_DATA: {
				ACTION_URI: 'https://pay.example.com/iframe/',
				FIELDS: {
					invoiceNumber: { CODE: 'PAYMENT_ID' },
					sum: { CODE: 'PAYMENT_SHOULD_PAY' },
					serviceId: { CODE: 'REST_SERVICE_ID_IFRAME' },
				},
			},
			CODES: {
				REST_SERVICE_ID_IFRAME: code('Shop ID', '100'),
				REST_SERVICE_KEY_IFRAME: code('Secret key', '200'),
				PS_WORK_MODE_IFRAME: code('Work mode', '300', WORK_MODE_INPUT),
			},
		},
	},
	{
		ID: '2',
		NAME: 'Bank transfer handler',
		CODE: 'resthandlerbank',
		SORT: '100',
		SETTINGS: {
			CURRENCY: ['USD', 'EUR'],
			CLIENT_TYPE: 'b2b',
			FORM_DATA: {
				ACTION_URI: 'https://bank.example.com/pay/',
				METHOD: 'POST',
				PARAMS: {
					bankName: { CODE: 'BANK_NAME' },
					paymentId: { CODE: 'PAYMENT_ID' },
				},
			},
			CODES: {
				BANK_NAME: code('Bank name', '100'),
				PAYMENT_ID: code('Payment ID', '200', {
					DEFAULT: { PROVIDER_KEY: 'PAYMENT', PROVIDER_VALUE: 'ACCOUNT_NUMBER' },
				}),
				PS_WORK_MODE: code('Work mode', '300', WORK_MODE_INPUT),
			},
		},
	},
	{
		ID: '3',
		NAME: 'Empty handler',
		CODE: 'resthandlerempty',
		SORT: '100',
		SETTINGS: {
			CURRENCY: ['USD'],
			CLIENT_TYPE: 'b2c',
			CODES: {},
		},
	},
	{
		ID: '4',
		NAME: 'Unused handler',
		CODE: 'resthandlerunused',
		SORT: '100',
		SETTINGS: {
			CURRENCY: ['USD'],
			CLIENT_TYPE: 'b2c',
			CODES: {
				MERCHANT_ID: code('Merchant ID', '100'),
			},
		},
	},
]);

/**
 * The settings `sale.paysystem.settings.invoice.get` returns, keys in the handler's order.
 * Pay system 15 has none: `{}` here, which goes over the wire as PHP's empty array `[]`.
 */
export function settingsFor(paySystemId: number, invoiceId: number): Record<string, string> {
	switch (paySystemId) {
		case 11:
			return { REST_SERVICE_ID_IFRAME: 'snum', REST_SERVICE_KEY_IFRAME: 'skey', PS_WORK_MODE_IFRAME: 'REGULAR' };
		case 12:
			return { BANK_NAME: 'Example Bank', PAYMENT_ID: `INV-${invoiceId}`, PS_WORK_MODE: 'TEST' };
		case 13:
			return { CASH_DESK: 'Main' };
		case 14:
			return { REST_SERVICE_ID_IFRAME: 'snum2', REST_SERVICE_KEY_IFRAME: 'skey2', PS_WORK_MODE_IFRAME: 'TEST' };
		case 15:
			return {};
		default:
			throw new RangeError(`No seeded pay system ${paySystemId}`);
	}
}

/** The portal user behind the webhook and the OAuth tokens (an administrator), or the sales manager behind the manager's webhook. */
export function profileFor(userId: number, admin = true): Record<string, unknown> {
	return admin
		? { ID: String(userId), ADMIN: true, NAME: 'Anna', LAST_NAME: 'Admin', PERSONAL_GENDER: '', TIME_ZONE: '' }
		: { ID: String(userId), ADMIN: false, NAME: 'Max', LAST_NAME: 'Manager', PERSONAL_GENDER: '', TIME_ZONE: '' };
}
