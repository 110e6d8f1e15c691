// sale.paysystem.list: the portal's pay systems, filtered, ordered and narrowed to the selected fields
// the way Bitrix24's ORM reads `filter`, `order` and `select`.
import { isRecord, valuesOf } from './params';
import { PAY_SYSTEM_FIELDS } from './seed';
import type { PaySystem } from './seed';

function looseEquals(actual: unknown, expected: unknown): boolean {
	if (actual === null || actual === undefined) {
		return expected === null || expected === '' || expected === undefined;
	}
	return String(actual).toLowerCase() === String(expected).toLowerCase();
}

function compareValues(left: unknown, right: unknown): number {
	const leftNumber = Number(left);
	const rightNumber = Number(right);
	if (left !== null && right !== null && left !== '' && right !== '' && !Number.isNaN(leftNumber) && !Number.isNaN(rightNumber)) {
		return leftNumber - rightNumber;
	}
	return String(left ?? '').localeCompare(String(right ?? ''));
}

/** One ORM filter condition, e.g. `%NAME`, `@ID`, `!ACTIVE`, `>=SORT` or a plain field name. */
function matchesCondition(item: PaySystem, rawKey: string, expected: unknown): boolean {
	const match = /^(!@|!%|!=|>=|<=|=|%|@|!|>|<)?(.*)$/.exec(rawKey.trim());
	const operator = match?.[1] ?? '';
	const field = (match?.[2] ?? rawKey).toUpperCase();
	const actual = (item as unknown as Record<string, unknown>)[field];
	const contains = () => String(actual ?? '').toLowerCase().includes(String(expected ?? '').toLowerCase());
	const inList = () => valuesOf(typeof expected === 'string' ? expected.split(',') : expected).some((value) => looseEquals(actual, value));
	const equals = () => (Array.isArray(expected) || isRecord(expected) ? inList() : looseEquals(actual, expected));
	switch (operator) {
		case '%':
			return contains();
		case '!%':
			return !contains();
		case '@':
			return inList();
		case '!@':
			return !inList();
		case '!':
		case '!=':
			return !equals();
		case '>':
			return compareValues(actual, expected) > 0;
		case '>=':
			return compareValues(actual, expected) >= 0;
		case '<':
			return compareValues(actual, expected) < 0;
		case '<=':
			return compareValues(actual, expected) <= 0;
		default:
			return equals();
	}
}

export function listPaySystems(paySystems: readonly PaySystem[], params: Record<string, unknown>): Record<string, unknown>[] {
	const filter = isRecord(params.FILTER) ? params.FILTER : isRecord(params.filter) ? params.filter : {};
	const order = isRecord(params.ORDER) ? params.ORDER : isRecord(params.order) ? params.order : {};
	const select = valuesOf(params.SELECT ?? params.select).map((field) => String(field).toUpperCase());

	const items = paySystems.filter((item) =>
		Object.entries(filter).every(([key, expected]) => matchesCondition(item, key, expected)),
	);
	const sortKeys = Object.entries(order).map(([field, direction]) => ({
		field: field.toUpperCase(),
		sign: String(direction).toUpperCase() === 'DESC' ? -1 : 1,
	}));
	items.sort((left, right) => {
		for (const { field, sign } of sortKeys) {
			const difference = compareValues(
				(left as unknown as Record<string, unknown>)[field],
				(right as unknown as Record<string, unknown>)[field],
			);
			if (difference !== 0) {
				return sign * difference;
			}
		}
		return left.ID - right.ID;
	});

	const fields = select.length === 0 || select.includes('*')
		? PAY_SYSTEM_FIELDS
		: select.filter((field): field is keyof PaySystem => (PAY_SYSTEM_FIELDS as readonly string[]).includes(field));
	return items.map((item) => {
		const row: Record<string, unknown> = {};
		for (const field of fields) {
			row[field] = item[field];
		}
		return row;
	});
}
