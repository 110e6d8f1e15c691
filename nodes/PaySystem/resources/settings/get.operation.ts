import type { INodeProperties } from 'n8n-workflow';

import { operationOption } from '../../../shared/bitrix24/fields/fields';
import type { ItemInput } from '../../../shared/bitrix24/run/itemInput';
import type { Step } from '../../../shared/bitrix24/run/operation';
import { readSettings } from '../../../shared/bitrix24/run/results';
import { REST_METHODS } from '../../../shared/bitrix24/transport/methods';
import { paySystemField, personTypeField } from '../fields';
import { settingsOperation } from './settingsOperation';

/**
 * Settings > Get (`settings` / `get`): a pay system's settings for one payer type through
 * `sale.paysystem.settings.get`, one item with the settings as the portal gives them
 * (`{"<CODE>": {"TYPE", "VALUE"}}`; an empty `[]` is `{}`) (docs/contract.md#pay-system-settings).
 */
export const METHOD = REST_METHODS.paySystemSettings;

const SHOW = { resource: ['settings'], operation: ['get'] };

export const option = operationOption('Get', 'get', 'Get a pay system\'s settings for a payer type', 'Get pay system settings');

export const fields: INodeProperties[] = [
	paySystemField(SHOW, 'The pay system whose settings are read (ID)'),
	personTypeField(SHOW, 0, 'The payer type whose settings are read (PERSON_TYPE_ID); 0 reads the defaults for every payer type'),
];

function plan(input: ItemInput): Step {
	const id = input.wholeId('paySystemId', 'Pay System ID', { locator: true, identifies: 'paySystemId' });
	const personTypeId = input.wholeNumber('personTypeId', 'Person Type ID', 0, { identifies: 'personTypeId' });
	return readSettings({ method: METHOD, params: { ID: id, PERSON_TYPE_ID: personTypeId } }, (settings) => ({ items: [settings] }));
}

export const operation = settingsOperation('settings/get', plan);
