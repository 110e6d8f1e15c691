/** Fields several resources of the node share: a name, the payer type, a pay system, a handler ID, a JSON settings object and the fields an update changes. */
import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { paySystemLocator, wholeIdField } from '../../shared/bitrix24/fields/fields';

/** The payer type (PERSON_TYPE_ID); `min` 0 where 0 means the defaults for every payer type. */
export function personTypeField(show: IDisplayOptions['show'], min: 0 | 1, description: string): INodeProperties {
	return {
		displayName: 'Person Type ID',
		name: 'personTypeId',
		type: 'number',
		required: true,
		default: min,
		typeOptions: { minValue: min, numberPrecision: 0 },
		displayOptions: { show },
		description,
		hint: 'The portal\'s payer types are listed by sale.persontype.list.',
	};
}

/** A pay system on a REST handler, from the list or by ID. */
export function paySystemField(show: IDisplayOptions['show'], description: string): INodeProperties {
	return paySystemLocator(
		show,
		'The list shows the pay systems on a REST handler, the only ones the portal lets an application manage. Choose By ID to give the ID from the input.',
		description,
	);
}

/** A REST handler by its ID (the ID Handler > Create output, or Handler > Get Many lists). */
export function handlerIdField(show: IDisplayOptions['show'], description: string): INodeProperties {
	return wholeIdField({
		displayName: 'Handler ID',
		name: 'handlerId',
		show,
		description,
		hint: 'Usually mapped from the input, e.g. {{ $json.id }}. Handler > Get Many lists the handlers with their IDs.',
	});
}

/** A JSON object sent as SETTINGS. */
export function settingsField(show: IDisplayOptions['show'] | undefined, description: string, required: boolean): INodeProperties {
	return {
		displayName: 'Settings',
		name: 'settings',
		type: 'json',
		required,
		default: '{}',
		...(show === undefined ? {} : { displayOptions: { show } }),
		description,
	};
}

/** The NAME a record is created with. */
export function nameField(show: IDisplayOptions['show'], description: string): INodeProperties {
	return { displayName: 'Name', name: 'name', type: 'string', required: true, default: '', displayOptions: { show }, description };
}

/** The fields an update changes (`updateFields`), each optional: only those added are sent. */
export function updateFieldsCollection(show: IDisplayOptions['show'], options: INodeProperties[]): INodeProperties {
	return { displayName: 'Update Fields', name: 'updateFields', type: 'collection', placeholder: 'Add Field', default: {}, displayOptions: { show }, options };
}
