/** What a soak run asks the node for, and what the contract says must come out of it. */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { normalizeMethodName } from '../emulator/params';
import { parsePhpQuery } from '../emulator/php';
import type { LoggedRequest, PortalOptions } from '../emulator/portal';

/** What one input item must come out as: its output `json` objects in order, or one error item. */
export type Expected =
	| { ok: true; outputs: IDataObject[] }
	| { ok: false; error: string; details: IDataObject };

export interface SoakWorkload {
	items: IDataObject[];
	/** The node's parameters beside `authentication` and `options`. */
	parameters: INodeParameters;
	/** What the portal must hold for these items. */
	portal: Partial<PortalOptions>;
	/** By input item. An `undefined` in `details` means the key must be absent. */
	expected: Expected[];
	/** What a run with no faults sends. */
	minimumRequests: number;
	/** A key for each call a logged request carried: the same call sent again has the same key. */
	callKeys(request: LoggedRequest): string[];
	/** An output `json` as it is compared with `outputs` (e.g. with its timing replaced). */
	comparable(json: IDataObject): IDataObject;
}

/** The calls one logged request carried: each batch command's method and parameters, or the single call's. */
export function callsOf(request: LoggedRequest): Array<{ method: string; params: Record<string, unknown> }> {
	if (request.restMethod !== 'batch') return request.restMethod === null ? [] : [{ method: request.restMethod, params: request.params }];
	const commands = request.params.cmd;
	const list = typeof commands === 'object' && commands !== null ? Object.values(commands as Record<string, unknown>) : [];
	return list.map((command) => {
		const text = String(command);
		const query = text.indexOf('?');
		return {
			method: normalizeMethodName(query < 0 ? text : text.slice(0, query)),
			params: query < 0 ? {} : (parsePhpQuery(text.slice(query + 1)) as Record<string, unknown>),
		};
	});
}
