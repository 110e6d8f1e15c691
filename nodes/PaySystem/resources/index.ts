import { handler } from './handler';
import { invoice } from './invoice';
import { payment } from './payment';
import { paySystem } from './paySystem';
import type { NodeResource } from './resource';
import { settings } from './settings';

/**
 * Every resource of the node. The Resource list shows them by name; the first one registered is the
 * default. Adding a resource is one import and one entry here.
 */
export const RESOURCES: readonly NodeResource[] = [payment, invoice, handler, paySystem, settings];
