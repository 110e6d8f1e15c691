import type { INodeProperties } from 'n8n-workflow';

import { operationOption } from '../../../shared/bitrix24/fields/fields';
import type { ItemInput } from '../../../shared/bitrix24/run/itemInput';
import type { Step } from '../../../shared/bitrix24/run/operation';
import { readSuccess } from '../../../shared/bitrix24/run/results';
import { REST_METHODS } from '../../../shared/bitrix24/transport/methods';
import { paySystemField, personTypeField, settingsField } from '../fields';
import { settingsOperation } from './settingsOperation';

/**
 * Settings > Update (`settings` / `update`): sets the settings given of a pay system for one payer type
 * through `sale.paysystem.settings.update`; outputs `{id, success}` (docs/contract.md#pay-system-settings).
 */
export const METHOD = REST_METHODS.updatePaySystemSettings;

const SHOW = { resource: ['settings'], operation: ['update'] };

export const option = operationOption('Update', 'update', 'Set a pay system\'s settings for a payer type', 'Update pay system settings');

export const fields: INodeProperties[] = [
	paySystemField(SHOW, 'The pay system whose settings are set (ID)'),
	personTypeField(SHOW, 0, 'The payer type whose settings are set (PERSON_TYPE_ID); 0 sets the defaults for every payer type'),
	settingsField(SHOW, 'The settings to set as JSON, each code as {"TYPE": ..., "VALUE": ...} (SETTINGS); codes left out keep their values', true),
];

function plan(input: ItemInput): Step {
	const id = input.wholeId('paySystemId', 'Pay System ID', { locator: true, identifies: 'paySystemId' });
	const personTypeId = input.wholeNumber('personTypeId', 'Person Type ID', 0, { identifies: 'personTypeId' });
	const params = { ID: id, PERSON_TYPE_ID: personTypeId, SETTINGS: input.jsonObject('settings', 'Settings') };
	return readSuccess({ method: METHOD, params }, id);
}

export const operation = settingsOperation('settings/update', plan);
