import './env';

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import type {
	EngineRequest,
	EngineResponse,
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IRun,
	ITaskData,
} from 'n8n-workflow';
import { NodeConnectionTypes, Workflow, deepCopy } from 'n8n-workflow';

import type { OnError } from './engine';
import { ITEMS_NODE_TYPE, NODE_TYPE, TestCredentialsHelper, executeWorkflow, nodeTypesFor, packageNodeType, savedNode } from './engine';
import { PACKAGE_ROOT } from './package';

/** The synthetic type n8n's CLI adds for a node with `usableAsTool`. */
export const TOOL_NODE_TYPE = `${NODE_TYPE}Tool`;
/** The name the editor gives the tool node: the type's default name, as no operation has an `action` tied to a resource. */
export const TOOL_NODE_NAME = 'Pay System Invoice Settings';
export const AGENT_NODE_NAME = 'AI Agent';
const AGENT_NODE_TYPE = 'harness.scriptedAgent';
const CHAT_NODE_NAME = 'When chat message received';

// The marker the editor puts in front of a $fromAI() it wrote itself.
const FROM_AI_MARKER = '/*n8n-auto-generated-fromAI-override*/';

/**
 * The value n8n's "Let the model define this parameter" button writes (n8n-editor-ui,
 * focusPanel.store buildValueFromOverride): the key comes from the parameter's display name.
 */
export function fromAI(key: string, description: string, type: 'string' | 'number' | 'boolean' | 'json'): string {
	const quote = description.includes('\n') || !description.includes('`') ? '`' : description.includes('"') ? "'" : '"';
	const escaped = description.replaceAll('\\', '\\\\').replaceAll(quote, `\\${quote}`);
	return `={{ ${FROM_AI_MARKER} $fromAI('${key}', ${quote}${escaped}${quote}, '${type}') }}`;
}

/** The codex n8n's loader reads from the `.node.json` beside the node file (n8n-core nodes-loader/directory-loader.js getCodex). */
function loaderCodex(): NonNullable<INodeTypeDescription['codex']> {
	const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } };
	for (const file of manifest.n8n.nodes) {
		const codex = JSON.parse(readFileSync(join(PACKAGE_ROOT, `${file}on`), 'utf8')) as IDataObject & { resources: IDataObject };
		if (codex.node !== NODE_TYPE) continue;
		const { categories, subcategories, alias, resources } = codex;
		return {
			...(categories !== undefined && { categories }),
			...(subcategories !== undefined && { subcategories }),
			...(alias !== undefined && { alias }),
			resources: { primaryDocumentation: resources.primaryDocumentation, credentialDocumentation: resources.credentialDocumentation },
		} as NonNullable<INodeTypeDescription['codex']>;
	}
	throw new Error(`No codex file names ${NODE_TYPE}`);
}

/** The package's node as n8n's loader holds it: with the codex from its `.node.json`. */
function loadedNodeType(): INodeType {
	const original = packageNodeType();
	return Object.create(original, { description: { value: { ...original.description, codex: loaderCodex() } } }) as INodeType;
}

// Mirrors n8n/dist/tool-generation/ai-tools.js convertNodeToAiTool and utils.js setToolCodex (n8n 2.41.1).
function convertNodeToAiTool(item: { description: INodeTypeDescription }): void {
	const description = item.description;
	description.name += 'Tool';
	description.inputs = [];
	description.outputs = [NodeConnectionTypes.AiTool];
	description.displayName += ' Tool';
	delete description.usableAsTool;
	const properties = description.properties;
	const hasResourceOrOperation = properties.some((prop) => prop.name === 'resource' || prop.name === 'operation');
	if (!properties.map((prop) => prop.name).includes('toolDescription')) {
		const descriptionType: INodeProperties = {
			displayName: 'Tool Description',
			name: 'descriptionType',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Set Automatically', value: 'auto', description: 'Automatically set based on resource and operation' },
				{ name: 'Set Manually', value: 'manual', description: 'Manually set the description' },
			],
			default: 'auto',
		};
		const descProp: INodeProperties = {
			displayName: 'Description',
			name: 'toolDescription',
			type: 'string',
			default: description.description,
			required: true,
			typeOptions: { rows: 2 },
			description:
				'Explain to the LLM what this tool does, a good, specific description would allow LLMs to produce expected results much more often',
		};
		let lastCallout = -1;
		for (let i = properties.length - 1; i >= 0; i--) {
			if (properties[i].type === 'callout') {
				lastCallout = i;
				break;
			}
		}
		properties.splice(lastCallout + 1, 0, descProp);
		if (hasResourceOrOperation) {
			properties.splice(lastCallout + 1, 0, descriptionType);
			descProp.displayOptions = { show: { descriptionType: ['manual'] } };
		}
	}
	const codex = description.codex;
	description.codex = {
		categories: ['AI'],
		subcategories: { AI: ['Tools'], Tools: codex?.subcategories?.Tools ?? ['Other Tools'] },
		resources: codex?.resources ?? {},
		...(codex?.alias && { alias: codex.alias }),
	};
}

/** The tool type's description as the editor gets it (n8n/dist/node-types.js buildSyntheticToolDescription). */
export function toolTypeDescription(): INodeTypeDescription {
	const item = { description: deepCopy(loadedNodeType().description) };
	convertNodeToAiTool(item);
	return item.description;
}

/**
 * The tool type the engine runs (n8n/dist/node-types.js getByNameAndVersion): the node's own execute,
 * under a description cloned through prototypes, the way n8n clones it before converting.
 */
export function toolNodeType(): INodeType {
	const nodeType = loadedNodeType();
	const clonedProperties = Object.create(nodeType.description.properties) as INodeProperties[];
	const clonedDescription = Object.create(nodeType.description, { properties: { value: clonedProperties, writable: false } }) as INodeTypeDescription;
	const clonedNode = Object.create(nodeType, { description: { value: clonedDescription } }) as INodeType;
	convertNodeToAiTool(clonedNode);
	return clonedNode;
}

// Mirrors @n8n/n8n-nodes-langchain dist/utils/agent-execution/buildSteps.js buildObservation (n8n 2.41.1).
export function buildObservation(toolData: ITaskData | undefined): string {
	const aiToolData = toolData?.data?.ai_tool?.[0]?.map((item) => item?.json);
	if (aiToolData && aiToolData.length > 0) {
		return JSON.stringify(aiToolData);
	}
	if (toolData?.error) {
		const errorInfo = {
			error: toolData.error.message ?? 'Unknown error',
			...(toolData.error.name && { errorType: toolData.error.name }),
		};
		return JSON.stringify(errorInfo);
	}
	return JSON.stringify('');
}

// The agent turns a tool's zod schema into JSON Schema with the @langchain/core that n8n-core builds tools with.
const { toJsonSchema } = createRequire(require.resolve('n8n-core'))('@langchain/core/utils/json_schema') as {
	toJsonSchema(schema: unknown): unknown;
};

/** What n8n-core's createNodeAsTool hands an agent: a langchain DynamicStructuredTool. */
interface ConnectedTool {
	name: string;
	description: string;
	schema: unknown;
	metadata?: { sourceNodeName?: string };
	invoke(args: IDataObject): Promise<unknown>;
}

/** A tool as a model provider is shown it (langchain's convertToOpenAITool). */
export interface ToolAsShown {
	name: string;
	description: string;
	parameters: unknown;
}

export interface Observation {
	toolCallId: string;
	observation: string;
}

export type LegacyOutcome = { returned: unknown } | { thrown: { name: string; message: string } };

/** What the scripted model does in its one turn, and what it saw. */
interface AgentScript {
	calls: IDataObject[];
	legacy: boolean;
	shown: ToolAsShown[];
	request?: EngineRequest;
	observations?: Observation[];
	legacyOutcomes?: LegacyOutcome[];
}

/**
 * An agent whose model is a script: its first turn asks for the scripted tool calls, the way n8n 2.41's
 * AI Agent (v3, ToolsAgent V3 runAgent + createEngineRequests) returns an EngineRequest; when the engine
 * calls it back with the tools' task data it outputs each observation the model would read next.
 * With `legacy`, it calls each tool's `invoke` directly, as agents did before engine requests.
 */
function scriptedAgentType(script: AgentScript): INodeType {
	return {
		description: {
			displayName: 'AI Agent',
			name: AGENT_NODE_TYPE,
			group: ['transform'],
			version: 1,
			description: 'Calls its tools as scripted',
			defaults: { name: AGENT_NODE_NAME },
			inputs: [NodeConnectionTypes.Main, NodeConnectionTypes.AiTool],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		async execute(this: IExecuteFunctions, response?: EngineResponse): Promise<INodeExecutionData[][] | EngineRequest> {
			if (response !== undefined && response.actionResponses.length > 0) {
				script.observations = response.actionResponses.map(({ action, data }) => ({ toolCallId: action.id, observation: buildObservation(data) }));
				return [script.observations.map((observation) => ({ json: { ...observation } }))];
			}
			const tools = (await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0)) as ConnectedTool[];
			script.shown = tools.map((tool) => ({ name: tool.name, description: tool.description, parameters: toJsonSchema(tool.schema) }));
			const [tool] = tools;
			if (script.legacy) {
				const outcomes: LegacyOutcome[] = [];
				for (const args of script.calls) {
					try {
						outcomes.push({ returned: await tool.invoke(args) });
					} catch (error) {
						outcomes.push({ thrown: { name: (error as Error).name, message: (error as Error).message } });
					}
				}
				script.legacyOutcomes = outcomes;
				return [outcomes.map((outcome) => ({ json: outcome as IDataObject }))];
			}
			script.request = {
				actions: script.calls.map((input, index) => ({
					actionType: 'ExecutionNodeAction' as const,
					nodeName: tool.metadata?.sourceNodeName ?? '',
					input,
					type: NodeConnectionTypes.AiTool,
					id: `call_${index + 1}`,
					metadata: { itemIndex: 0, hitl: undefined, toolName: tool.name },
				})),
				metadata: { previousRequests: [], itemIndex: 0, iterationCount: 1 },
			};
			return script.request;
		},
	};
}

export interface AgentRunOptions {
	/** The tool node's parameters, as the editor saves them. */
	parameters: INodeParameters;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** The arguments of each tool call the model makes in its turn. */
	calls: IDataObject[];
	/** The tool node's "On Error" setting; unset by default, as on a new node. */
	onError?: OnError;
	/** Call the tool object's `invoke` instead of asking the engine. */
	legacy?: boolean;
}

export interface AgentRunResult {
	run: IRun;
	/** The tools the model was shown. */
	shown: ToolAsShown[];
	/** The engine request the agent made (not in legacy mode). */
	request?: EngineRequest;
	/** What the model reads back for each call; undefined when the engine never called the agent back. */
	observations?: Observation[];
	legacyOutcomes?: LegacyOutcome[];
	/** The tool node as the workflow holds it. */
	toolNode: INode;
	error: IRun['data']['resultData']['error'];
}

/** The tool node as a saved workflow holds it, with its defaults resolved as n8n's Workflow does. */
export function buildToolNode(parameters: INodeParameters, onError?: OnError): INode {
	const node = { id: 'tool', name: TOOL_NODE_NAME, type: TOOL_NODE_TYPE, typeVersion: 1, position: [200, 200] as [number, number], parameters };
	return savedNode(onError === undefined ? node : { ...node, onError }, toolNodeType().description);
}

/** Runs chat message -> AI Agent, with the node as the agent's tool, through n8n-core's WorkflowExecute. */
export async function runAgent(options: AgentRunOptions): Promise<AgentRunResult> {
	const script: AgentScript = { calls: options.calls, legacy: options.legacy ?? false, shown: [] };
	const chatNode: INode = { id: 'chat', name: CHAT_NODE_NAME, type: ITEMS_NODE_TYPE, typeVersion: 1, position: [0, 0], parameters: {} };
	const agentNode: INode = { id: 'agent', name: AGENT_NODE_NAME, type: AGENT_NODE_TYPE, typeVersion: 1, position: [200, 0], parameters: {} };
	const toolNode = buildToolNode(options.parameters, options.onError);
	const workflow = new Workflow({
		id: 'agent',
		name: 'agent',
		nodes: [chatNode, agentNode, toolNode],
		connections: {
			[CHAT_NODE_NAME]: { main: [[{ node: AGENT_NODE_NAME, type: NodeConnectionTypes.Main, index: 0 }]] },
			[TOOL_NODE_NAME]: { ai_tool: [[{ node: AGENT_NODE_NAME, type: NodeConnectionTypes.AiTool, index: 0 }]] },
		},
		active: false,
		nodeTypes: nodeTypesFor([{ sessionId: 'session-1', action: 'sendMessage', chatInput: 'Show the pay system settings of my invoices' }], {
			[TOOL_NODE_TYPE]: toolNodeType(),
			[AGENT_NODE_TYPE]: scriptedAgentType(script),
		}),
		settings: { executionOrder: 'v1' },
	});

	const run = await executeWorkflow(workflow, chatNode, new TestCredentialsHelper(structuredClone(options.credentials)));
	return {
		run,
		shown: script.shown,
		request: script.request,
		observations: script.observations,
		legacyOutcomes: script.legacyOutcomes,
		toolNode,
		error: run.data.resultData.error,
	};
}
