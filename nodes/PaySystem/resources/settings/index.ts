import type { NodeResource } from '../resource';
import * as get from './get.operation';
import * as update from './update.operation';

/** A pay system's settings per payer type: the values its handler's CODES receive. */
export const settings: NodeResource = {
	option: { name: 'Settings', value: 'settings', description: 'A pay system\'s settings for a payer type' },
	operations: [get, update],
};
