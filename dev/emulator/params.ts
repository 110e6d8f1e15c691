// Reading a REST call as a PHP portal does: its method name and its parameters, which arrive as JSON, as
// a parsed form array or as plain strings.

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** PHP `empty()` for a selector: missing, '', 0 and '0' all mean "not given". */
export function isGiven(value: unknown): boolean {
	return !(value === undefined || value === null || value === '' || value === 0 || value === '0' || value === false);
}

/** A positive whole number given as a number or a string of digits, else null. */
export function positiveId(value: unknown): number | null {
	let id: number;
	if (typeof value === 'number') {
		id = value;
	} else if (typeof value === 'string' && /^[0-9]+$/.test(value)) {
		id = Number(value);
	} else {
		return null;
	}
	return Number.isSafeInteger(id) && id > 0 ? id : null;
}

export function isTruthyFlag(value: unknown): boolean {
	if (typeof value === 'string') {
		return value !== '' && value !== '0' && value.toLowerCase() !== 'false' && value.toLowerCase() !== 'n';
	}
	return Boolean(value);
}

/** A PHP array parameter as a list of its values (JSON list, JSON object or parsed form array). */
export function valuesOf(value: unknown): unknown[] {
	if (Array.isArray(value)) {
		return value;
	}
	if (isRecord(value)) {
		return Object.values(value);
	}
	if (value === undefined || value === null || value === '') {
		return [];
	}
	return [value];
}

/** The call's parameters without `auth`: the token is a credential, not a method parameter. */
export function withoutAuth(params: Record<string, unknown>): Record<string, unknown> {
	const copy = { ...params };
	delete copy.auth;
	return copy;
}

/** `/Sale.PaySystem.List.json` and `sale.paysystem.list` name the same method. */
export function normalizeMethodName(name: string): string {
	return name.trim().replace(/^\/+/, '').replace(/\.(json|xml)$/i, '').toLowerCase();
}
