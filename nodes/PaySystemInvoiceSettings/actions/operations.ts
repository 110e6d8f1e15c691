import type { NodeOperation } from '../../shared/bitrix24/fields/fields';
import * as get from './get.operation';
import * as getForCrmItem from './getForCrmItem.operation';
import * as getForPayment from './getForPayment.operation';

/** Every operation of the node, in the order the Operation list shows them. Adding one is one line here. */
export const OPERATIONS: readonly NodeOperation[] = [get, getForPayment, getForCrmItem];
