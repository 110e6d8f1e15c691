// Managing REST handlers, pay systems and their settings: sale.paysystem.handler.add/.update/.delete/
// .list, sale.paysystem.add/.update/.delete and sale.paysystem.settings.get/.update (scope pay_system),
// with the checks of Bitrix24's Sale\PaySystem\RestService in its order, its error codes and its texts.
// Every one of them first checks that the caller may configure CRM (an administrator may); none pages.
import { errors } from './errors';
import type { Caller } from './errors';
import { isRecord } from './params';
import type { PaySystem } from './seed';
import type { SaleStore, StoredHandler } from './store';
import { SYSTEM_HANDLERS } from './store';

/** PHP `isset`: given and not null. */
export function isSet(value: unknown): boolean {
	return value !== undefined && value !== null;
}

/** PHP `empty`: missing, null, '', 0, '0', false, or an empty array. */
export function isEmpty(value: unknown): boolean {
	if (Array.isArray(value)) return value.length === 0;
	if (isRecord(value)) return Object.keys(value).length === 0;
	return value === undefined || value === null || value === '' || value === 0 || value === '0' || value === false;
}

/** The keys upper-cased, as RestService's prepareHandlerParams reads a handler call. */
export function upperKeys(params: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(params).map(([key, entry]) => [key.toUpperCase(), entry]));
}

/** The keys upper-cased all the way down, and LOGOTYPE read as LOGOTIP: RestService's prepareIncomingParams. */
export function upperKeysDeep(params: Record<string, unknown>): Record<string, unknown> {
	const deep = (entry: unknown): unknown =>
		Array.isArray(entry) ? entry.map(deep) : isRecord(entry) ? Object.fromEntries(Object.entries(entry).map(([key, inner]) => [key.toUpperCase(), deep(inner)])) : entry;
	const upper = deep(params) as Record<string, unknown>;
	const renamed = (record: Record<string, unknown>) => {
		if ('LOGOTYPE' in record) {
			record.LOGOTIP = record.LOGOTYPE;
			delete record.LOGOTYPE;
		}
	};
	renamed(upper);
	if (isRecord(upper.FIELDS)) renamed(upper.FIELDS);
	return upper;
}

const CLIENT_TYPES = new Set(['b2c', 'b2b']);

export class PaySystemAdmin {
	constructor(private readonly store: SaleStore) {}

	/** AccessChecker::checkAccessPermission: the CRM settings right, which the sales manager lacks. */
	static checkPermission(caller: Caller): void {
		if (!caller.admin) throw errors.forbidden();
	}

	/** RestService::hasAccessToPaySystem: a pay system on an existing REST handler the caller's app may use. */
	private hasAccess(paySystem: PaySystem, caller: Caller): boolean {
		const handler = this.store.handlerByCode(paySystem.ACTION_FILE);
		if (handler === undefined) return false;
		return !(caller.appId !== null && handler.APP_ID !== null && handler.APP_ID !== caller.appId);
	}

	private assertAppMayUse(handler: StoredHandler, caller: Caller): void {
		if (caller.appId !== null && handler.APP_ID !== null && handler.APP_ID !== caller.appId) throw errors.forbidden();
	}

	handlerList(caller: Caller): Record<string, unknown>[] {
		PaySystemAdmin.checkPermission(caller);
		return this.store.handlers.map(({ ID, NAME, CODE, SORT, SETTINGS }) => structuredClone({ ID, NAME, CODE, SORT, SETTINGS }));
	}

	/** handler.add: NAME, CODE, SETTINGS with CODES and one of FORM_DATA, CHECKOUT_DATA, IFRAME_DATA (each with ACTION_URI). */
	addHandler(raw: Record<string, unknown>, caller: Caller): number {
		PaySystemAdmin.checkPermission(caller);
		const params = upperKeys(raw);
		const check = (failed: boolean, text: string) => {
			if (failed) throw errors.sale('ERROR_CHECK_FAILURE', text);
		};
		check(!isSet(params.NAME), 'Parameter NAME is not defined');
		check(!isSet(params.CODE), 'Parameter CODE is not defined');
		check(!isSet(params.SETTINGS), 'Parameter SETTINGS is not defined');
		const settings = isRecord(params.SETTINGS) ? params.SETTINGS : {};
		check(!isSet(settings.CODES), 'Parameter SETTINGS[CODES] is not defined');
		check(
			isEmpty(settings.FORM_DATA) && isEmpty(settings.CHECKOUT_DATA) && isEmpty(settings.IFRAME_DATA),
			'Parameter SETTINGS[FORM_DATA] or SETTINGS[CHECKOUT_DATA] or SETTINGS[IFRAME_DATA] is not defined',
		);
		const actionUriMissing = (data: unknown) => !isEmpty(data) && isEmpty(isRecord(data) ? data.ACTION_URI : undefined);
		check(actionUriMissing(settings.FORM_DATA), 'Parameter SETTINGS[FORM_DATA][ACTION_URI] is not defined');
		// The core names IFRAME_DATA for a checkout handler without ACTION_URI too.
		check(actionUriMissing(settings.CHECKOUT_DATA), 'Parameter SETTINGS[IFRAME_DATA][ACTION_URI] is not defined');
		check(actionUriMissing(settings.IFRAME_DATA), 'Parameter SETTINGS[IFRAME_DATA][ACTION_URI] is not defined');
		check(isSet(settings.CLIENT_TYPE) && !CLIENT_TYPES.has(String(settings.CLIENT_TYPE)), 'Parameter value SETTINGS[CLIENT_TYPE] is invalid');
		if (this.store.handlerByCode(params.CODE) !== undefined) throw errors.sale('ERROR_HANDLER_ALREADY_EXIST', 'Handler already exists!');
		const sort = isEmpty(params.SORT) ? 100 : params.SORT;
		const id = this.store.addHandler({ NAME: String(params.NAME), CODE: String(params.CODE), SORT: String(sort), SETTINGS: structuredClone(settings), APP_ID: caller.appId });
		return Number(id);
	}

	/** handler.update: ID and FIELDS (NAME, CODE, SORT, SETTINGS), written as given. */
	updateHandler(raw: Record<string, unknown>, caller: Caller): true {
		PaySystemAdmin.checkPermission(caller);
		const params = upperKeys(raw);
		if (!isSet(params.FIELDS)) throw errors.sale('ERROR_CHECK_FAILURE', 'Parameter FIELDS is not defined');
		// The core reads CLIENT_TYPE from a top-level SETTINGS, not from FIELDS.
		const topSettings = isRecord(params.SETTINGS) ? params.SETTINGS : {};
		if (isSet(topSettings.CLIENT_TYPE) && !CLIENT_TYPES.has(String(topSettings.CLIENT_TYPE))) {
			throw errors.sale('ERROR_CHECK_FAILURE', 'Parameter value SETTINGS[CLIENT_TYPE] is invalid');
		}
		const handler = this.store.handlerById(params.ID);
		if (handler === undefined) throw errors.sale('ERROR_HANDLER_NOT_FOUND', 'Handler not found');
		this.assertAppMayUse(handler, caller);
		const fields = isRecord(params.FIELDS) ? params.FIELDS : {};
		if (isSet(fields.NAME)) handler.NAME = String(fields.NAME);
		if (isSet(fields.CODE)) handler.CODE = String(fields.CODE);
		if (isSet(fields.SORT)) handler.SORT = String(fields.SORT);
		if (isRecord(fields.SETTINGS)) handler.SETTINGS = structuredClone(fields.SETTINGS);
		return true;
	}

	/** handler.delete: refused while a pay system runs the handler, naming its code upper-cased. */
	deleteHandler(raw: Record<string, unknown>, caller: Caller): true {
		PaySystemAdmin.checkPermission(caller);
		const params = upperKeys(raw);
		const handler = this.store.handlerById(params.ID);
		if (handler === undefined) throw errors.sale('ERROR_HANDLER_NOT_FOUND', 'Handler not found');
		this.assertAppMayUse(handler, caller);
		if (this.store.paySystems.some((paySystem) => paySystem.ACTION_FILE === handler.CODE)) {
			throw errors.sale('ERROR_PAY_SYSTEM_DELETE', `Pay system with handler ${handler.CODE.toUpperCase()} exists!`);
		}
		this.store.handlers.splice(this.store.handlers.indexOf(handler), 1);
		return true;
	}

	/**
	 * sale.paysystem.add: BX_REST_HANDLER, a payer type of the pay system's ENTITY_REGISTRY_TYPE
	 * (CRM_INVOICE when not given, as on a portal with CRM), SETTINGS as `{CODE: {TYPE, VALUE}}`.
	 */
	addPaySystem(raw: Record<string, unknown>, caller: Caller): number {
		PaySystemAdmin.checkPermission(caller);
		const params = upperKeysDeep(raw);
		const registryType = isSet(params.ENTITY_REGISTRY_TYPE) ? String(params.ENTITY_REGISTRY_TYPE) : 'CRM_INVOICE';
		if (isEmpty(params.BX_REST_HANDLER)) throw errors.sale('ERROR_CHECK_FAILURE', 'Parameter BX_REST_HANDLER is not defined');
		const handler = this.store.handlerByCode(params.BX_REST_HANDLER);
		if (handler === undefined) throw errors.sale('ERROR_HANDLER_NOT_FOUND', 'Handler not found');
		this.assertAppMayUse(handler, caller);
		if (this.store.personType(params.PERSON_TYPE_ID, registryType) === undefined) {
			throw errors.sale('ERROR_PERSON_TYPE_NOT_FOUND', 'Incorrect person type id!');
		}
		const name = isSet(params.NAME) ? String(params.NAME) : '';
		const id = this.store.addPaySystem({
			NAME: name,
			PSA_NAME: name,
			ACTION_FILE: handler.CODE,
			ACTIVE: isEmpty(params.ACTIVE) ? 'N' : (String(params.ACTIVE) as 'Y' | 'N'),
			SORT: 100,
			DESCRIPTION: isSet(params.DESCRIPTION) ? String(params.DESCRIPTION) : '',
			PERSON_TYPE_ID: Number(params.PERSON_TYPE_ID),
			ENTITY_REGISTRY_TYPE: registryType,
			IS_CASH: 'N',
			XML_ID: isSet(params.XML_ID) ? String(params.XML_ID) : null,
		});
		this.writeSettings(id, Number(params.PERSON_TYPE_ID), params.SETTINGS);
		return id;
	}

	/**
	 * sale.paysystem.update: ID and FIELDS. The core looks FIELDS[BX_REST_HANDLER] and FIELDS[PERSON_TYPE_ID]
	 * up on every update, so an update without them is refused; it writes NAME, DESCRIPTION, NEW_WINDOW,
	 * ACTIVE, PERSON_TYPE_ID and the handler, nothing else.
	 */
	updatePaySystem(raw: Record<string, unknown>, caller: Caller): true {
		PaySystemAdmin.checkPermission(caller);
		const params = upperKeysDeep(raw);
		const fields = isRecord(params.FIELDS) ? params.FIELDS : {};
		const handlerCode = fields.BX_REST_HANDLER;
		const known = typeof handlerCode === 'string' && (SYSTEM_HANDLERS.includes(handlerCode) || this.store.isRestHandler(handlerCode));
		if (!known) throw errors.sale('ERROR_HANDLER_NOT_FOUND', 'Handler not found');
		const paySystem = this.store.paySystem(params.ID);
		if (paySystem === undefined) throw errors.sale('ERROR_PAY_SYSTEM_NOT_FOUND', 'Pay system not found');
		if (!this.hasAccess(paySystem, caller)) throw errors.forbidden();
		if (this.store.personType(fields.PERSON_TYPE_ID, paySystem.ENTITY_REGISTRY_TYPE) === undefined) {
			throw errors.sale('ERROR_PERSON_TYPE_NOT_FOUND', 'Incorrect person type id!');
		}
		if (isSet(fields.NAME)) paySystem.NAME = String(fields.NAME);
		if (isSet(fields.DESCRIPTION)) paySystem.DESCRIPTION = String(fields.DESCRIPTION);
		if (isSet(fields.ACTIVE)) paySystem.ACTIVE = String(fields.ACTIVE) as 'Y' | 'N';
		paySystem.PERSON_TYPE_ID = Number(fields.PERSON_TYPE_ID);
		paySystem.ACTION_FILE = handlerCode;
		return true;
	}

	deletePaySystem(raw: Record<string, unknown>, caller: Caller): true {
		PaySystemAdmin.checkPermission(caller);
		const params = upperKeysDeep(raw);
		const paySystem = this.store.paySystem(params.ID);
		if (paySystem === undefined) throw errors.sale('ERROR_PAY_SYSTEM_NOT_FOUND', 'Pay system not found');
		if (!this.hasAccess(paySystem, caller)) throw errors.forbidden();
		this.store.deletePaySystem(paySystem.ID);
		return true;
	}

	/** settings.get: ID and PERSON_TYPE_ID (0 for every payer type); each code of the handler as `{TYPE, VALUE}`. */
	getSettings(raw: Record<string, unknown>, caller: Caller): Record<string, { TYPE: unknown; VALUE: unknown }> {
		PaySystemAdmin.checkPermission(caller);
		const params = upperKeysDeep(raw);
		if (!isSet(params.PERSON_TYPE_ID)) throw errors.sale('ERROR_CHECK_FAILURE', 'Parameter PERSON_TYPE_ID is not defined');
		if (!isSet(params.ID)) throw errors.sale('ERROR_CHECK_FAILURE', 'Parameter ID is not defined');
		const paySystem = this.store.paySystem(params.ID);
		if (paySystem === undefined) throw errors.sale('ERROR_CHECK_FAILURE', 'Pay system not found');
		if (!this.hasAccess(paySystem, caller)) throw errors.forbidden();
		const personTypeId = Number(params.PERSON_TYPE_ID) || 0;
		const result: Record<string, { TYPE: unknown; VALUE: unknown }> = {};
		for (const code of Object.keys(this.store.codesOf(paySystem))) {
			const mapping = this.store.mapping(paySystem, personTypeId, code);
			result[code] = { TYPE: mapping?.PROVIDER_KEY ?? null, VALUE: mapping?.PROVIDER_VALUE ?? null };
		}
		return result;
	}

	/**
	 * settings.update: ID, SETTINGS as `{CODE: {TYPE, VALUE}}`, PERSON_TYPE_ID (none: every payer type).
	 * The core answers an empty SETTINGS with ERROR_HANDLER_NOT_FOUND, and takes any code, declared or not.
	 */
	updateSettings(raw: Record<string, unknown>, caller: Caller): true {
		PaySystemAdmin.checkPermission(caller);
		const params = upperKeysDeep(raw);
		if (!isSet(params.ID)) throw errors.sale('ERROR_CHECK_FAILURE', 'Parameter ID is not defined');
		const paySystem = this.store.paySystem(params.ID);
		if (paySystem === undefined) throw errors.sale('ERROR_CHECK_FAILURE', 'Pay system not found');
		if (isEmpty(params.SETTINGS)) throw errors.sale('ERROR_HANDLER_NOT_FOUND', 'Parameter SETTINGS is not defined or empty');
		if (!this.hasAccess(paySystem, caller)) throw errors.forbidden();
		this.writeSettings(paySystem.ID, Number(params.PERSON_TYPE_ID) || 0, params.SETTINGS);
		return true;
	}

	private writeSettings(paySystemId: number, personTypeId: number, settings: unknown): void {
		if (!isRecord(settings)) return;
		for (const [code, entry] of Object.entries(settings)) {
			const given = isRecord(entry) ? entry : {};
			this.store.setMapping(paySystemId, personTypeId, code, { PROVIDER_KEY: given.TYPE ?? null, PROVIDER_VALUE: given.VALUE ?? null });
		}
	}
}
