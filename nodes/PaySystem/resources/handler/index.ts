import type { NodeResource } from '../resource';
import * as create from './create.operation';
import * as remove from './delete.operation';
import * as getAll from './getAll.operation';
import * as update from './update.operation';

/** REST pay system handlers: what an application registers so that pay systems can run on it. */
export const handler: NodeResource = {
	option: { name: 'Handler', value: 'handler', description: 'REST pay system handlers (needs a CRM administrator)' },
	operations: [create, remove, getAll, update],
};
