// PHP wire conventions the real portal follows: `parse_str` for query strings and form bodies,
// `json_encode` of PHP arrays for replies, `date('c')` for the times in them.

export type PhpValue = string | PhpValue[] | { [key: string]: PhpValue };

/** An ordered PHP array while it is being built: string keys, plus the next auto index for `a[]`. */
class PhpArrayBuilder {
	readonly entries = new Map<string, PhpArrayBuilder | string>();
	private nextIndex = 0;

	keyFor(rawKey: string | null): string {
		if (rawKey === null) {
			const key = String(this.nextIndex);
			this.nextIndex += 1;
			return key;
		}
		if (canonicalIntegerKey(rawKey) !== null && Number(rawKey) >= this.nextIndex) {
			this.nextIndex = Number(rawKey) + 1;
		}
		return rawKey;
	}

	toValue(): { [key: string]: PhpValue } | PhpValue[] {
		const entries: Array<[string, PhpValue]> = [];
		for (const [key, value] of this.entries) {
			entries.push([key, typeof value === 'string' ? value : value.toValue()]);
		}
		if (entries.length > 0 && isSequentialList(entries.map(([key]) => key))) {
			return entries.map(([, value]) => value);
		}
		const result: { [key: string]: PhpValue } = {};
		for (const [key, value] of entries) {
			result[key] = value;
		}
		return result;
	}
}

/** PHP turns a decimal integer key such as '7' or '-3' (but not '07') into an integer key. */
function canonicalIntegerKey(key: string): string | null {
	return /^(0|-?[1-9][0-9]*)$/.test(key) && Number.isSafeInteger(Number(key)) ? key : null;
}

/** True when the keys are exactly '0', '1', ... in order: PHP's json_encode then writes a JSON list. */
export function isSequentialList(keys: string[]): boolean {
	return keys.every((key, index) => key === String(index));
}

/** PHP `urldecode`: '+' is a space, valid %XX sequences are bytes, anything else is kept as it is. */
export function phpUrlDecode(text: string): string {
	if (!text.includes('%') && !text.includes('+')) {
		return text;
	}
	const bytes: number[] = [];
	for (let index = 0; index < text.length; index += 1) {
		const char = text[index];
		if (char === '+') {
			bytes.push(0x20);
		} else if (char === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(index + 1, index + 3))) {
			bytes.push(parseInt(text.slice(index + 1, index + 3), 16));
			index += 2;
		} else {
			for (const byte of Buffer.from(char, 'utf8')) {
				bytes.push(byte);
			}
		}
	}
	return Buffer.from(bytes).toString('utf8');
}

/** Splits a PHP variable name such as `cmd[a][]` into its base name and bracket keys (null for `[]`). */
function splitVariableName(name: string): { base: string; keys: Array<string | null> } | null {
	const trimmed = name.replace(/^[ ]+/, '');
	const open = trimmed.indexOf('[');
	const close = open < 0 ? -1 : trimmed.indexOf(']', open + 1);
	if (open < 0 || close < 0) {
		// PHP replaces '.' and ' ' before an unmatched first '[', and that '[' itself, with '_'.
		const base = open < 0
			? trimmed.replace(/[. ]/g, '_')
			: `${trimmed.slice(0, open).replace(/[. ]/g, '_')}_${trimmed.slice(open + 1)}`;
		return open === 0 || base === '' ? null : { base, keys: [] };
	}
	const base = trimmed.slice(0, open).replace(/[. ]/g, '_');
	if (base === '') {
		return null;
	}
	const keys: Array<string | null> = [];
	let position = open;
	while (position < trimmed.length && trimmed[position] === '[') {
		const end = trimmed.indexOf(']', position + 1);
		if (end < 0) {
			break;
		}
		const key = trimmed.slice(position + 1, end);
		keys.push(key === '' ? null : key);
		position = end + 1;
	}
	return { base, keys };
}

/** PHP `parse_str`: `a=1&b[]=x&b[]=y&c[k]=v` => {a: '1', b: ['x', 'y'], c: {k: 'v'}}. */
export function parsePhpQuery(query: string): Record<string, PhpValue> {
	const root = new PhpArrayBuilder();
	for (const part of query.split('&')) {
		if (part === '') {
			continue;
		}
		const equals = part.indexOf('=');
		const rawName = equals < 0 ? part : part.slice(0, equals);
		const rawValue = equals < 0 ? '' : part.slice(equals + 1);
		const name = splitVariableName(phpUrlDecode(rawName));
		if (name === null) {
			continue;
		}
		const value = phpUrlDecode(rawValue);
		const path = [name.base as string | null, ...name.keys];
		let container = root;
		for (let depth = 0; depth < path.length; depth += 1) {
			const key = container.keyFor(path[depth]);
			if (depth === path.length - 1) {
				container.entries.set(key, value);
				break;
			}
			const existing = container.entries.get(key);
			if (existing instanceof PhpArrayBuilder) {
				container = existing;
			} else {
				const child = new PhpArrayBuilder();
				container.entries.set(key, child);
				container = child;
			}
		}
	}
	const parsed = root.toValue();
	return Array.isArray(parsed) ? Object.fromEntries(parsed.map((value, index) => [String(index), value])) : parsed;
}

/**
 * `json_encode` of a PHP array: an empty map is `[]` and a map keyed 0..n-1 is a list,
 * because PHP cannot tell those apart from lists.
 */
export function encodePhpJson(value: unknown): string {
	if (value === null || value === undefined) {
		return 'null';
	}
	if (Array.isArray(value)) {
		return `[${value.map((item) => encodePhpJson(item)).join(',')}]`;
	}
	if (typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
		if (isSequentialList(entries.map(([key]) => key))) {
			return `[${entries.map(([, item]) => encodePhpJson(item)).join(',')}]`;
		}
		return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${encodePhpJson(item)}`).join(',')}}`;
	}
	if (typeof value === 'number' && !Number.isFinite(value)) {
		return '0';
	}
	if (typeof value === 'bigint') {
		return value.toString();
	}
	return JSON.stringify(value) ?? 'null';
}

/** PHP's date('c'): `2024-04-03T11:08:55+02:00` in the server's time zone. */
export function phpIsoDate(seconds: number): string {
	const date = new Date(Math.floor(seconds) * 1000);
	const offsetMinutes = -date.getTimezoneOffset();
	const local = new Date(date.getTime() + offsetMinutes * 60000);
	const sign = offsetMinutes < 0 ? '-' : '+';
	const absolute = Math.abs(offsetMinutes);
	const pad = (value: number) => String(value).padStart(2, '0');
	return (
		`${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
		`T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
		`${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`
	);
}
