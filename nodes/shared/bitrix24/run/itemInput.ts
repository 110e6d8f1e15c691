import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** Bitrix24 keeps IDs in signed 32-bit columns; a larger number cannot name an invoice, payment or pay system. */
export const MAX_ID = 2147483647;
// ACTION_FILE, where a pay system keeps its handler code, is a 255-character column.
const MAX_HANDLER_LENGTH = 255;
// No handler code holds a line break or a control character, and one the editor does not show
// would only come back from the portal as "Handler not found".
const CONTROL_CHARACTER = /[\p{Cc}\p{Zl}\p{Zp}]/u;
// Half of a surrogate pair is not text, and no URL or JSON encoding can carry it.
const LONE_SURROGATE = /\p{Cs}/u;

/** A value as an error message shows it: short, text quoted as JSON writes it, and NaN or Infinity as themselves. */
export function describeValue(value: unknown): string {
	let text: string;
	if (value === undefined) text = 'nothing';
	else if (typeof value === 'number') text = String(value);
	else {
		try {
			text = JSON.stringify(value) ?? String(value);
		} catch {
			text = String(value);
		}
	}
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A whole number from 1 to MAX_ID, given as a number or a numeric string; anything else is null. */
export function parsePositiveId(value: unknown): number | null {
	let id: number;
	if (typeof value === 'number') id = value;
	// Number() drops the same surrounding whitespace that \s matches.
	else if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) id = Number(value);
	else return null;
	return Number.isInteger(id) && id >= 1 && id <= MAX_ID ? id : null;
}

/** The REST handler code as it is sent (trimmed), or why the value cannot be one. */
export function checkHandlerCode(value: unknown): { code: string } | { problem: string } {
	const code = typeof value === 'string' ? value.trim() : '';
	const length = [...code].length;
	if (code === '') {
		return { problem: `REST Handler Code must be text of 1 to ${MAX_HANDLER_LENGTH} characters; got ${describeValue(value)}` };
	}
	if (length > MAX_HANDLER_LENGTH) {
		return { problem: `REST Handler Code must be text of 1 to ${MAX_HANDLER_LENGTH} characters; got ${length} characters` };
	}
	if (CONTROL_CHARACTER.test(code)) {
		return { problem: `REST Handler Code must not contain line breaks or other control characters; got ${describeValue(value)}` };
	}
	if (LONE_SURROGATE.test(code)) {
		return { problem: `REST Handler Code must be valid Unicode text; got ${describeValue(value)}` };
	}
	return { code };
}

/** True when a saved parameter value holds an expression anywhere (a string starting with "="). */
function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	// A list or an object: its values (a list's are its entries).
	if (typeof value === 'object' && value !== null) return Object.values(value).some(holdsExpression);
	return false;
}

export type ParameterReader = (name: string, itemIndex: number, fallback: unknown, options?: { extractValue: boolean }) => unknown;

/**
 * Reads node parameters for an item, but a parameter without an expression only once per run: its
 * value is the same for every item, and n8n's parameter resolution is most of a large run's CPU time.
 */
export function parameterReader(context: IExecuteFunctions): ParameterReader {
	const fixed = new Map<string, unknown>();
	return (name, itemIndex, fallback, options) => {
		if (fixed.has(name)) return fixed.get(name);
		const value = context.getNodeParameter(name, itemIndex, fallback, options);
		if (!holdsExpression(context.getNode().parameters[name])) fixed.set(name, value);
		return value;
	};
}

/**
 * One input item's parameters as an operation reads them, checked on the way. A value that cannot
 * make a request ends the planning of that item (the runner makes it an INVALID_PARAMETER failure),
 * with the ids read so far in its error's `details`.
 */
export class ItemInput {
	/** The ids read so far, for the item's error `details`. */
	readonly ids: IDataObject;

	private readonly refusals = new WeakSet<object>();

	constructor(
		private readonly context: IExecuteFunctions,
		readonly itemIndex: number,
		private readonly read: ParameterReader,
		ids: IDataObject,
	) {
		this.ids = { ...ids };
	}

	/** Ends the item's planning: nothing is sent for it. */
	refuse(problem: string): never {
		const error = new NodeOperationError(this.context.getNode(), problem, { itemIndex: this.itemIndex });
		this.refusals.add(error);
		throw error;
	}

	/** The problem when `error` is a refusal of this item, else null. */
	refusalOf(error: unknown): string | null {
		return error instanceof Error && this.refusals.has(error) ? error.message : null;
	}

	/** A parameter's value; an expression that fails names the field it was in. */
	value(name: string, label: string, fallback: unknown, options?: { extractValue: boolean }): unknown {
		try {
			return this.read(name, this.itemIndex, fallback, options);
		} catch (error) {
			return this.refuse(`${label} could not be read: ${error instanceof Error ? error.message : String(error)}`);
		}
	}

	/**
	 * A whole-number id, from a number field or (`locator`) a resource locator. With `identifies` it is
	 * also recorded under that name for the item's error `details`.
	 */
	wholeId(name: string, label: string, how: { identifies?: string; locator?: boolean } = {}): number {
		const raw = how.locator === true ? this.value(name, label, '', { extractValue: true }) : this.value(name, label, null);
		const id = parsePositiveId(raw);
		if (id === null) return this.refuse(`${label} must be a whole number from 1 to ${MAX_ID}; got ${describeValue(raw)}`);
		if (how.identifies !== undefined) this.ids[how.identifies] = id;
		return id;
	}

	/** A REST handler code, trimmed, from a field, a resource locator or (`source`) a collection. */
	handlerCode(name: string, label: string, source: IDataObject | null = null): string {
		const handler = checkHandlerCode(source === null ? this.value(name, label, '', { extractValue: true }) : source[name]);
		return 'problem' in handler ? this.refuse(handler.problem) : handler.code;
	}

	/** A parameter's value, or with `source` (a collection's value) the value of that key in it. */
	private raw(name: string, label: string, fallback: unknown, source: IDataObject | null): unknown {
		return source === null ? this.value(name, label, fallback) : (source[name] ?? fallback);
	}

	/** A whole number from `min` to MAX_ID (a number, or digits as text), recorded under `identifies` when given. */
	wholeNumber(name: string, label: string, min: number, how: { identifies?: string; source?: IDataObject } = {}): number {
		const raw = this.raw(name, label, null, how.source ?? null);
		const number = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw.trim()) : raw;
		if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > MAX_ID) {
			return this.refuse(`${label} must be a whole number from ${min} to ${MAX_ID}; got ${describeValue(raw)}`);
		}
		if (how.identifies !== undefined) this.ids[how.identifies] = number;
		return number;
	}

	/** Text, trimmed; `required` text must not be empty. A number from an expression is taken as its digits. */
	text(name: string, label: string, required: boolean, source: IDataObject | null = null): string {
		const raw = this.raw(name, label, '', source);
		const text = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : null;
		if (text === null || (required && text === '')) return this.refuse(`${label} must be${required ? ' non-empty' : ''} text; got ${describeValue(raw)}`);
		return text;
	}

	/** A yes-or-no parameter as Bitrix24 stores it: "Y" or "N". */
	flag(name: string, label: string, fallback: boolean, source: IDataObject | null = null): 'Y' | 'N' {
		const raw = this.raw(name, label, fallback, source);
		if (typeof raw !== 'boolean') return this.refuse(`${label} must be true or false; got ${describeValue(raw)}`);
		return raw ? 'Y' : 'N';
	}

	/** A JSON object, given as JSON text or as an object from an expression. */
	jsonObject(name: string, label: string, source: IDataObject | null = null): IDataObject {
		const raw = this.raw(name, label, '{}', source);
		let value: unknown = raw;
		if (typeof raw === 'string') {
			try {
				value = JSON.parse(raw.trim() === '' ? '{}' : raw);
			} catch (error) {
				return this.refuse(`${label} must be a JSON object; ${error instanceof Error ? error.message : 'it is not JSON'}`);
			}
		}
		if (typeof value !== 'object' || value === null || Array.isArray(value)) return this.refuse(`${label} must be a JSON object; got ${describeValue(raw)}`);
		return value as IDataObject;
	}

	/** One of the `allowed` values of a parameter. */
	choice<T extends string>(name: string, label: string, fallback: T, allowed: readonly T[]): T {
		const value = this.value(name, label, fallback) as T;
		if (!allowed.includes(value)) this.refuse(`${label} must be one of ${allowed.join(', ')}; got ${describeValue(value)}`);
		return value;
	}

	/** One of the `allowed` values of an option inside the Options collection. */
	option<T extends string>(key: string, label: string, fallback: T, allowed: readonly T[]): T {
		const options = this.value('options', 'Options', {}) as IDataObject;
		const value = (options[key] ?? fallback) as T;
		if (!allowed.includes(value)) this.refuse(`${label} must be one of ${allowed.join(', ')}; got ${describeValue(value)}`);
		return value;
	}
}
