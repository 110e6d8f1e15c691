import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { Operation } from '../../shared/bitrix24/run/operation';
import * as get from './get.operation';
import * as getForCrmItem from './getForCrmItem.operation';
import * as getForPayment from './getForPayment.operation';

/** An operation of the node: its entry in the Operation list, its own fields, and how it runs. */
export interface NodeOperation {
	option: INodePropertyOptions;
	fields: INodeProperties[];
	operation: Operation;
}

/** Every operation of the node, in the order the Operation list shows them. Adding one is one line here. */
export const OPERATIONS: readonly NodeOperation[] = [get, getForPayment, getForCrmItem];
