import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { NodeOperation } from '../../shared/bitrix24/fields/fields';

/** A resource of the node: its entry in the Resource list and its operations, the first one the default. */
export interface NodeResource {
	option: INodePropertyOptions;
	operations: readonly NodeOperation[];
}

/** The Operation list shown for one resource. */
export function operationSelector(resource: NodeResource): INodeProperties {
	const firstOperation = resource.operations[0].option.value;
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource.option.value] } },
		options: resource.operations.map((entry) => entry.option),
		default: firstOperation,
	};
}
