import './env';
import './regexGuard';

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IRun,
	IRunExecutionData,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { ICredentialsHelper, NodeHelpers, Workflow } from 'n8n-workflow';

import { n8n1HttpRequestWithAuthentication } from './n8n1OAuth2';
import { loadPackage } from './package';

/** The type name n8n gives the node when it loads this package. */
export const NODE_TYPE = 'n8n-nodes-bitrix24-paysystem.bitrix24PaySystemInvoiceSettings';
export const ITEMS_NODE_TYPE = 'harness.items';

export type OnError = 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';

/** A first node that emits the run's input items. */
function itemsNodeType(items: IDataObject[]): INodeType {
	return {
		description: {
			displayName: 'Items',
			name: ITEMS_NODE_TYPE,
			group: ['input'],
			version: 1,
			description: 'Emits fixed items',
			defaults: { name: 'Items' },
			inputs: ['main'],
			outputs: ['main'],
			properties: [],
		} as unknown as INodeType['description'],
		async execute(): Promise<INodeExecutionData[][]> {
			return [items.map((json) => ({ json: structuredClone(json), pairedItem: { item: 0 } }))];
		},
	};
}

// The package as n8n loads it: the built files its package.json lists.
const loaded = loadPackage();
const credentialTypes: Record<string, ICredentialType> = loaded.credentials;

/** The type name of the Pay System node (confirmations and management). */
export const PAY_SYSTEM_NODE_TYPE = 'n8n-nodes-bitrix24-paysystem.bitrix24PaySystem';

export const packageNodeType = (type = NODE_TYPE): INodeType => loaded.nodes[type];

export function loadedCredentialType(name: string): ICredentialType {
	const credentialType = credentialTypes[name];
	if (credentialType === undefined) throw new Error(`The package has no credential type ${name}`);
	return credentialType;
}

/**
 * The node's context with n8n 1.x's OAuth2 requests (n8n1OAuth2.ts) in place of the engine's: every
 * request that meets an expired token refreshes it on its own.
 */
function withN8n1OAuth2(context: IExecuteFunctions, store: TestCredentialsHelper): IExecuteFunctions {
	const wrapped = Object.create(context) as IExecuteFunctions;
	const helpers = { ...context.helpers };
	helpers.httpRequestWithAuthentication = n8n1HttpRequestWithAuthentication(context.helpers.httpRequestWithAuthentication, store);
	Object.defineProperty(wrapped, 'helpers', { value: helpers });
	return wrapped;
}

/**
 * The package's node with its execute watched: `finished` settles when a call of it has. With
 * `n8n1OAuth2Store`, the node's OAuth2 requests run as n8n 1.x runs them, saving into that store.
 */
function watchedPackageNodeType(n8n1OAuth2Store?: TestCredentialsHelper, type = NODE_TYPE): { nodeType: INodeType; finished: Promise<unknown> } {
	const original = packageNodeType(type);
	let settle: (value: unknown) => void = () => undefined;
	const finished = new Promise<unknown>((resolve) => (settle = resolve));
	const nodeType = Object.create(original) as INodeType;
	nodeType.execute = async function (this: IExecuteFunctions) {
		try {
			const context = n8n1OAuth2Store === undefined ? this : withN8n1OAuth2(this, n8n1OAuth2Store);
			const result = await original.execute!.call(context);
			settle(undefined);
			return result;
		} catch (error) {
			settle(error);
			throw error;
		}
	};
	return { nodeType, finished };
}

export function nodeTypesFor(items: IDataObject[], overrides: Record<string, INodeType> = {}): INodeTypes {
	const byName: Record<string, INodeType> = { ...loaded.nodes, [ITEMS_NODE_TYPE]: itemsNodeType(items), ...overrides };
	return {
		getByName(type: string) {
			return this.getByNameAndVersion(type);
		},
		getByNameAndVersion(type: string): INodeType {
			const nodeType = byName[type];
			if (nodeType === undefined) throw new Error(`Unknown node type ${type}`);
			return nodeType;
		},
		getKnownTypes() {
			return {};
		},
	};
}

/**
 * Hands out the test credentials, applies their `authenticate`, and records what n8n saves back
 * (the OAuth2 token after a refresh), as n8n's own credentials store would.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	readonly saved: Array<{ type: string; data: ICredentialDataDecryptedObject }> = [];

	constructor(private readonly store: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(name: string): string[] {
		return credentialTypes[name]?.extends ?? [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const authenticate = credentialTypes[typeName]?.authenticate;
		return typeof authenticate === 'function' ? await authenticate(credentials, requestOptions) : requestOptions;
	}

	async preAuthentication(
		_helpers: IHttpRequestHelper,
		_credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		_node: INode,
		_credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('Encrypted credentials are not used in the harness');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.store[type];
		if (data === undefined) throw new Error(`No test credentials of type ${type}`);
		return structuredClone(data);
	}

	async updateCredentials(_nodeCredentials: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject) {
		this.store[type] = structuredClone(data);
		this.saved.push({ type, data: structuredClone(data) });
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	) {
		await this.updateCredentials(nodeCredentials, type, data);
	}

	getCredentialsProperties(type: string) {
		return credentialTypes[type]?.properties ?? [];
	}
}

export interface WorkflowRunOptions {
	/** The node's parameters, as a saved workflow holds them. */
	parameters: INodeParameters;
	/** Input items for the node. */
	items: IDataObject[];
	/** Decrypted credential data by credential type name. */
	credentials: Record<string, ICredentialDataDecryptedObject>;
	onError?: OnError;
	/** Extra node settings (retryOnFail, alwaysOutputData, ...). */
	nodeSettings?: Partial<INode>;
	mode?: WorkflowExecuteMode;
	/** Cancels the execution, as the editor's stop button does, once this promise resolves. */
	cancelWhen?: Promise<void>;
	/** A credentials store shared with other runs, as n8n's database is; else one of the run's own. */
	credentialsHelper?: TestCredentialsHelper;
	/**
	 * Who refreshes an expired OAuth2 token: `engine` (default), n8n 2.41's engine, once for all
	 * requests of the process that meet it; `eachRequest`, as n8n 1.x's requestOAuth2 does: every
	 * request that meets it refreshes with the refresh token it read (n8n1OAuth2.ts).
	 */
	oauth2Refresh?: 'engine' | 'eachRequest';
	/** The package's node to run: the Pay System Invoice Settings node unless told otherwise. */
	nodeType?: string;
}

export interface WorkflowRunResult {
	run: IRun;
	/** The node's main output. */
	output: INodeExecutionData[];
	/** The node's error output (only with continueErrorOutput). */
	errorOutput: INodeExecutionData[];
	/** The error that stopped the run, if any. */
	error: IRun['data']['resultData']['error'];
	/** The error the node threw, also when a "continue" setting let the run go on. */
	nodeError: IRun['data']['resultData']['error'];
	credentialsHelper: TestCredentialsHelper;
	/**
	 * Settles when the node's own execute has finished, with what it threw (undefined if nothing).
	 * After a cancel the engine reports at once; this says when the node itself stopped.
	 */
	nodeFinished: Promise<unknown>;
}

export const NODE_NAME = 'Pay System Invoice Settings';

/** What the engine hands every node context: here, the test credentials and hooks. */
export function buildAdditionalData(
	credentialsHelper: TestCredentialsHelper,
	hooks?: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper,
		hooks,
		executionId: 'execution-1',
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formBaseUrl: '',
		formWaitingBaseUrl: '',
		formTestBaseUrl: '',
		webhookBaseUrl: '',
		webhookWaitingBaseUrl: '',
		webhookTestBaseUrl: '',
		mcpBaseUrl: '',
		mcpTestBaseUrl: '',
		variables: {},
		userId: 'user-1',
		executeWorkflow: async () => {
			throw new Error('Sub-workflows are not used in the harness');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => undefined,
	} as unknown as IWorkflowExecuteAdditionalData;
}

/**
 * A node as a saved workflow holds it: the Bitrix24 credential its authentication picks, and its
 * parameters resolved against the description, as the editor saves them.
 */
export function savedNode(node: Omit<INode, 'credentials'> & Partial<Pick<INode, 'credentials'>>, description: INodeTypeDescription): INode {
	const credentialType = node.parameters.authentication === 'oAuth2' ? 'bitrix24OAuth2Api' : 'bitrix24WebhookApi';
	const saved: INode = { credentials: { [credentialType]: { id: '1', name: 'Bitrix24' } }, ...node };
	saved.parameters = NodeHelpers.getNodeParameters(description.properties, node.parameters, true, false, saved, description) ?? {};
	return saved;
}

/** This package's node as a saved workflow holds it. */
export function buildPackageNode(parameters: INodeParameters, extra: Partial<INode> = {}, type = NODE_TYPE): INode {
	const node = { id: 'bitrix24', name: NODE_NAME, type, typeVersion: 1, position: [200, 0] as [number, number], parameters, ...extra };
	return savedNode(node, packageNodeType(type).description);
}

/**
 * Runs a workflow from its first node through n8n-core's WorkflowExecute, the engine n8n itself runs,
 * and resolves with the finished run (also after a cancel, which never settles the engine's promise).
 */
export async function executeWorkflow(
	workflow: Workflow,
	startNode: INode,
	credentialsHelper: TestCredentialsHelper,
	options: { mode?: WorkflowExecuteMode; cancelWhen?: Promise<unknown> } = {},
): Promise<IRun> {
	const mode = options.mode ?? 'manual';
	const hooks = new ExecutionLifecycleHooks(mode, 'execution-1', {
		id: workflow.id,
		name: workflow.name,
		active: false,
		isArchived: false,
		nodes: Object.values(workflow.nodes),
		connections: workflow.connectionsBySourceNode,
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	} as never);
	const finished = new Promise<IRun>((resolve) => hooks.addHandler('workflowExecuteAfter', (run) => resolve(run)));
	const runExecutionData = {
		startData: {},
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			nodeExecutionStack: [{ node: startNode, data: { main: [[{ json: {} }]] }, source: null }],
			metadata: {},
			waitingExecution: {},
			waitingExecutionSource: {},
		},
	} as unknown as IRunExecutionData;
	const running = new WorkflowExecute(buildAdditionalData(credentialsHelper, hooks), mode, runExecutionData).processRunExecutionData(workflow);
	if (options.cancelWhen === undefined) await running;
	else void options.cancelWhen.then(() => running.cancel());
	return await finished;
}

/** Runs Items -> node through n8n-core's WorkflowExecute, the engine n8n itself runs. */
export async function runWorkflow(options: WorkflowRunOptions): Promise<WorkflowRunResult> {
	const itemsNode: INode = {
		id: 'items',
		name: 'Items',
		type: ITEMS_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const type = options.nodeType ?? NODE_TYPE;
	const node = buildPackageNode(
		options.parameters,
		{ ...(options.onError !== undefined ? { onError: options.onError } : {}), ...options.nodeSettings },
		type,
	);
	const credentialsHelper = options.credentialsHelper ?? new TestCredentialsHelper(structuredClone(options.credentials));
	const watched = watchedPackageNodeType(options.oauth2Refresh === 'eachRequest' ? credentialsHelper : undefined, type);
	const nodeTypes = nodeTypesFor(options.items, { [type]: watched.nodeType });
	const workflow = new Workflow({
		id: 'harness',
		name: 'harness',
		nodes: [itemsNode, node],
		connections: { Items: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] } },
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});

	const run = await executeWorkflow(workflow, itemsNode, credentialsHelper, { mode: options.mode, cancelWhen: options.cancelWhen });
	const taskData = run.data.resultData.runData[NODE_NAME]?.[0];
	const outputs = taskData?.data?.main ?? [];
	return {
		run,
		output: outputs[0] ?? [],
		errorOutput: options.onError === 'continueErrorOutput' ? (outputs[1] ?? []) : [],
		error: run.data.resultData.error,
		nodeError: taskData?.error,
		credentialsHelper,
		nodeFinished: watched.finished,
	};
}
