// One portal's sale data, which its REST methods change: the REST handlers, the pay systems, their
// settings (Bitrix24's business values), the payer types, and the orders a test has canceled. Each
// portal starts from its own copy of the frozen seed, so what one test changes no other test sees.
import { HANDLERS, PAY_SYSTEMS } from './seed';
import type { PaySystem, PaySystemHandler } from './seed';

/** A REST handler as the portal keeps it: what handler.list shows, and the app that added it. */
export interface StoredHandler extends PaySystemHandler {
	/** The OAuth client that added it; null when a webhook did. */
	APP_ID: string | null;
}

/** Where one setting's value comes from: `VALUE` with the value itself, or a field of an entity (`PAYMENT`/`ACCOUNT_NUMBER`). */
export interface Mapping {
	PROVIDER_KEY: unknown;
	PROVIDER_VALUE: unknown;
}

export interface PersonType {
	ID: number;
	NAME: string;
	/** `ORDER` for orders (smart invoices and deals pay through them), `CRM_INVOICE` for legacy invoices. */
	ENTITY_REGISTRY_TYPE: 'ORDER' | 'CRM_INVOICE';
}

/** Payer types 1 and 2 take orders, 3 and 4 legacy invoices, as on a portal with CRM. */
export const PERSON_TYPES: readonly PersonType[] = Object.freeze([
	{ ID: 1, NAME: 'Individual', ENTITY_REGISTRY_TYPE: 'ORDER' },
	{ ID: 2, NAME: 'Company', ENTITY_REGISTRY_TYPE: 'ORDER' },
	{ ID: 3, NAME: 'Contact', ENTITY_REGISTRY_TYPE: 'CRM_INVOICE' },
	{ ID: 4, NAME: 'Company', ENTITY_REGISTRY_TYPE: 'CRM_INVOICE' },
] as const);

/** The handlers Bitrix24 brings itself (Manager::getHandlerList 'SYSTEM'); a pay system may run one, REST does not manage it. */
export const SYSTEM_HANDLERS: readonly string[] = Object.freeze(['cash', 'bill', 'orderdocument', 'inner']);

const value = (PROVIDER_VALUE: string): Mapping => ({ PROVIDER_KEY: 'VALUE', PROVIDER_VALUE });

/**
 * The seeded settings, all for every payer type (person type 0): with them and the handlers' defaults,
 * a settings read gives what seed.ts `settingsFor` names. Pay system 12's PAYMENT_ID has no mapping: the
 * bank handler's default (`PAYMENT` / `ACCOUNT_NUMBER`) gives it.
 */
function seededSettings(): Map<number, Map<number, Map<string, Mapping>>> {
	const common = (entries: Record<string, Mapping>) => new Map([[0, new Map(Object.entries(entries))]]);
	return new Map([
		[11, common({ REST_SERVICE_ID_IFRAME: value('snum'), REST_SERVICE_KEY_IFRAME: value('skey'), PS_WORK_MODE_IFRAME: value('REGULAR') })],
		[12, common({ BANK_NAME: value('Example Bank'), PS_WORK_MODE: value('TEST') })],
		[13, common({ CASH_DESK: value('Main') })],
		[14, common({ REST_SERVICE_ID_IFRAME: value('snum2'), REST_SERVICE_KEY_IFRAME: value('skey2'), PS_WORK_MODE_IFRAME: value('TEST') })],
		[15, common({})],
	]);
}

export class SaleStore {
	readonly handlers: StoredHandler[] = HANDLERS.map((handler) => ({ ...structuredClone(handler), APP_ID: null }));
	readonly paySystems: PaySystem[] = PAY_SYSTEMS.map((paySystem) => ({ ...paySystem }));
	/** Settings by pay system, then payer type (0 for all), then code. */
	readonly settings = seededSettings();
	/** Orders canceled since the portal started (Portal.payments.cancelOrder). */
	readonly canceledOrders = new Set<number>();
	private nextHandlerId = 1 + Math.max(...HANDLERS.map((handler) => Number(handler.ID)));
	private nextPaySystemId = 1 + Math.max(...PAY_SYSTEMS.map((paySystem) => paySystem.ID));

	handlerByCode(code: unknown): StoredHandler | undefined {
		return typeof code === 'string' || typeof code === 'number' ? this.handlers.find((handler) => handler.CODE === String(code)) : undefined;
	}

	handlerById(id: unknown): StoredHandler | undefined {
		return id === undefined || id === null ? undefined : this.handlers.find((handler) => handler.ID === String(id).trim());
	}

	paySystem(id: unknown): PaySystem | undefined {
		const wanted = Number(id);
		return id === undefined || id === null || id === '' || !Number.isInteger(wanted) ? undefined : this.paySystems.find((paySystem) => paySystem.ID === wanted);
	}

	/** Manager::isRestHandler: the code of a REST handler that exists. */
	isRestHandler(code: string): boolean {
		return this.handlerByCode(code) !== undefined;
	}

	personType(id: unknown, registryType: string): PersonType | undefined {
		const wanted = Number(id);
		return id === undefined || id === null || id === '' ? undefined : PERSON_TYPES.find((type) => type.ID === wanted && type.ENTITY_REGISTRY_TYPE === registryType);
	}

	addHandler(fields: Omit<StoredHandler, 'ID'>): string {
		const ID = String(this.nextHandlerId++);
		this.handlers.push({ ID, ...fields });
		return ID;
	}

	addPaySystem(fields: Omit<PaySystem, 'ID'>): number {
		const ID = this.nextPaySystemId++;
		this.paySystems.push({ ID, ...fields });
		return ID;
	}

	deletePaySystem(id: number): void {
		this.paySystems.splice(this.paySystems.findIndex((paySystem) => paySystem.ID === id), 1);
		this.settings.delete(id);
	}

	/** The codes a pay system's handler declares (its SETTINGS.CODES), in the handler's order. */
	codesOf(paySystem: PaySystem): Record<string, Record<string, unknown>> {
		const codes = this.handlerByCode(paySystem.ACTION_FILE)?.SETTINGS.CODES;
		return typeof codes === 'object' && codes !== null && !Array.isArray(codes) ? (codes as Record<string, Record<string, unknown>>) : {};
	}

	/** BusinessValue::setMapping for one code (upper-cased), one payer type (0 for all). */
	setMapping(paySystemId: number, personTypeId: number, code: string, mapping: Mapping): void {
		let byPersonType = this.settings.get(paySystemId);
		if (byPersonType === undefined) this.settings.set(paySystemId, (byPersonType = new Map()));
		let byCode = byPersonType.get(personTypeId);
		if (byCode === undefined) byPersonType.set(personTypeId, (byCode = new Map()));
		byCode.set(code.toUpperCase(), mapping);
	}

	/**
	 * BusinessValue::getMapping: the payer type's own mapping, else the one for every payer type, else
	 * the default the handler declares for the code, else none.
	 */
	mapping(paySystem: PaySystem, personTypeId: number, code: string): Mapping | null {
		const byPersonType = this.settings.get(paySystem.ID);
		const exact = byPersonType?.get(personTypeId)?.get(code.toUpperCase());
		if (exact !== undefined) return exact;
		const common = personTypeId === 0 ? undefined : byPersonType?.get(0)?.get(code.toUpperCase());
		if (common !== undefined) return common;
		const fallback = this.codesOf(paySystem)[code]?.DEFAULT;
		return typeof fallback === 'object' && fallback !== null ? (fallback as Mapping) : null;
	}

	/**
	 * Service::getParamsBusValue: each code's value for one invoice or payment. A `VALUE` mapping gives
	 * its value; `PAYMENT` / `ACCOUNT_NUMBER` gives `INV-<id>`, the account numbers the seed gives.
	 */
	values(paySystem: PaySystem, personTypeId: number, entityId: number): Record<string, unknown> {
		const values: Record<string, unknown> = {};
		for (const code of Object.keys(this.codesOf(paySystem))) {
			const found = this.mapping(paySystem, personTypeId, code);
			if (found === null) values[code] = null;
			else if (found.PROVIDER_KEY === 'PAYMENT' && found.PROVIDER_VALUE === 'ACCOUNT_NUMBER') values[code] = `INV-${entityId}`;
			else values[code] = found.PROVIDER_VALUE ?? null;
		}
		return values;
	}
}
