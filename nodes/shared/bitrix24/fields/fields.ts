/**
 * Field builders every node of the package shares: an operation's entry in its Operation list, a
 * whole-number ID, and the values picked from the portal's searchable lists (pay systems, handlers).
 */
import type { IDisplayOptions, INodeProperties, INodePropertyModeValidation, INodePropertyOptions } from 'n8n-workflow';

import type { Operation } from '../run/operation';

/** An operation of a node: its entry in the Operation list, its own fields, and how it runs. */
export interface NodeOperation {
	option: INodePropertyOptions;
	fields: INodeProperties[];
	operation: Operation;
}

/** An operation's entry in the Operation list; `action` is what the nodes panel lists it as. */
export function operationOption(name: string, value: string, description: string, action = description): INodePropertyOptions {
	return { name, value, description, action };
}

/** A required whole-number ID field, usually mapped from the input. */
export function wholeIdField(field: {
	displayName: string;
	name: string;
	show: IDisplayOptions['show'];
	description: string;
	hint: string;
}): INodeProperties {
	return {
		displayName: field.displayName,
		name: field.name,
		type: 'number',
		required: true,
		default: 0,
		typeOptions: { minValue: 1, numberPrecision: 0 },
		displayOptions: { show: field.show },
		description: field.description,
		hint: field.hint,
	};
}

/** A value picked from a searchable list of the portal's, or typed in a second mode. */
export function locatorField(field: {
	displayName: string;
	name: string;
	show: IDisplayOptions['show'];
	description: string;
	hint: string;
	searchListMethod: string;
	typed: { displayName: string; name: string; placeholder: string; validation?: INodePropertyModeValidation[] };
}): INodeProperties {
	return {
		displayName: field.displayName,
		name: field.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		displayOptions: { show: field.show },
		description: field.description,
		hint: field.hint,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: field.searchListMethod, searchable: true },
			},
			{ type: 'string', ...field.typed },
		],
	};
}

/**
 * The pay system, picked from the portal's list or given by ID (`paySystemId`, PAY_SYSTEM_ID). The list
 * (`searchPaySystems` of the node) asks the portal for the pay systems the chosen operation can use.
 */
export function paySystemLocator(
	show: IDisplayOptions['show'],
	hint = 'The list shows the portal\'s pay systems (sale.paysystem.list). Choose By ID to give the ID from the input.',
	description = 'The pay system whose settings are read (PAY_SYSTEM_ID)',
): INodeProperties {
	return locatorField({
		displayName: 'Pay System',
		name: 'paySystemId',
		show,
		description,
		hint,
		searchListMethod: 'searchPaySystems',
		typed: {
			displayName: 'By ID',
			name: 'id',
			placeholder: 'e.g. 11',
			validation: [
				{
					type: 'regex',
					properties: { regex: '^\\s*[1-9]\\d*\\s*$', errorMessage: 'Enter a whole number of 1 or more' },
				},
			],
		},
	});
}

/** A REST handler, picked from the portal's list (`searchHandlers`) or given by its code (`bxRestHandler`). */
export function handlerLocator(show: IDisplayOptions['show'], description: string): INodeProperties {
	return locatorField({
		displayName: 'REST Handler',
		name: 'bxRestHandler',
		show,
		description,
		hint: 'Handlers are added by Bitrix24 applications (sale.paysystem.handler.list). The code is case-sensitive.',
		searchListMethod: 'searchHandlers',
		typed: { displayName: 'By Code', name: 'code', placeholder: 'e.g. resthandlercard' },
	});
}

/** How an operation finds its pay system (`paySystemBy`): by ID, or by the REST handler it runs on. */
export function paySystemByField(show: IDisplayOptions['show'], description: string): INodeProperties {
	return {
		displayName: 'Pay System By',
		name: 'paySystemBy',
		type: 'options',
		options: [
			{ name: 'ID', value: 'id', description: 'Use the pay system with this ID' },
			{ name: 'REST Handler Code', value: 'handler', description: 'Use the first pay system that runs this REST handler' },
		],
		default: 'id',
		displayOptions: { show },
		description,
	};
}
