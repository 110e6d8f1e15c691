import type { NodeResource } from '../resource';
import * as create from './create.operation';
import * as remove from './delete.operation';
import * as getAll from './getAll.operation';
import * as update from './update.operation';

/** Pay systems on a REST handler: what buyers choose, and what payments are made through. */
export const paySystem: NodeResource = {
	option: { name: 'Pay System', value: 'paySystem', description: 'Pay systems on a REST handler' },
	operations: [create, remove, getAll, update],
};
