import type { Operation } from '../../../shared/bitrix24/run/operation';

/** A settings operation: its items name the pay system and the payer type, "pay system 11, payer type 1". */
export function settingsOperation(value: string, plan: Operation['plan']): Operation {
	return {
		value,
		ids: { paySystemId: null, personTypeId: null },
		subject: (ids) =>
			ids.paySystemId === null ? null : `pay system ${String(ids.paySystemId)}${ids.personTypeId === null ? '' : `, payer type ${String(ids.personTypeId)}`}`,
		noSubject: 'no valid pay system ID',
		plan,
	};
}
