import './env';

import { ExecuteContext, LoadOptionsContext, RoutingNode } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	INode,
	INodeListSearchResult,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRunExecutionData,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { TestCredentialsHelper, buildAdditionalData, buildPackageNode, loadedCredentialType, nodeTypesFor, packageNodeType } from './engine';

/** Runs one of the node's searchable lists, as the editor does when a user opens the dropdown. */
export async function searchList(
	method: 'searchPaySystems' | 'searchHandlers',
	parameters: INodeParameters,
	credentials: Record<string, ICredentialDataDecryptedObject>,
	filter?: string,
): Promise<INodeListSearchResult> {
	const node = buildPackageNode(parameters);
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: nodeTypesFor([]) });
	// The editor sends the form's current values along with the request for a list.
	const additionalData = buildAdditionalData(new TestCredentialsHelper(structuredClone(credentials)));
	additionalData.currentNodeParameters = node.parameters;
	const context = new LoadOptionsContext(workflow, node, additionalData, 'parameters.paySystemId');
	const search = packageNodeType().methods?.listSearch?.[method];
	if (search === undefined) throw new Error(`The node has no list search ${method}`);
	return await search.call(context, filter);
}

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

/**
 * Presses a credential's "Test" button: sends the credential type's declared test request through a
 * routing node with the credential applied, then reads the answer with the declared rules, the way
 * n8n's credentials tester does.
 */
export async function testCredential(type: string, data: ICredentialDataDecryptedObject): Promise<CredentialTestResult> {
	const test = loadedCredentialType(type).test;
	if (test === undefined) throw new Error(`${type} declares no test`);
	const probe: INodeType = {
		description: {
			...packageNodeType().description,
			name: 'credentialProbe',
			credentials: [{ name: type, required: true }],
			properties: [{ displayName: 'Probe', name: 'probe', type: 'string', default: '', routing: { request: test.request } }],
		},
	};
	const node: INode = {
		id: 'probe',
		name: 'Probe',
		type: 'credentialProbe',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [type]: { id: '1', name: 'Bitrix24' } },
	};
	const nodeTypes: INodeTypes = {
		getByName: () => probe,
		getByNameAndVersion: () => probe,
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const runExecutionData = { resultData: { runData: {} } } as unknown as IRunExecutionData;
	const context = new ExecuteContext(
		workflow,
		node,
		buildAdditionalData(new TestCredentialsHelper({ [type]: structuredClone(data) })),
		'internal',
		runExecutionData,
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	const decrypted: ICredentialsDecrypted = { id: '1', name: 'Bitrix24', type, data: structuredClone(data) };
	let json: Record<string, unknown>;
	try {
		const response = await new RoutingNode(context, probe, decrypted).runNode();
		json = response?.[0]?.[0]?.json ?? {};
	} catch (error) {
		const cause = (error as { cause?: { response?: { status?: number; statusText?: string }; code?: string } }).cause;
		if (cause?.response?.status !== undefined) {
			return { status: 'Error', message: cause.response.statusText || `Received HTTP status code: ${cause.response.status}` };
		}
		if (cause?.code !== undefined) return { status: 'Error', message: cause.code };
		return { status: 'Error', message: (error as Error).message };
	}
	for (const rule of test.rules ?? []) {
		if (rule.type === 'responseSuccessBody' && json[rule.properties.key] === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
