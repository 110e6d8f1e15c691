// n8n's own AI Agent in a saved workflow for `n8n execute`: Manual Trigger -> AI Agent (the prompt
// defined on the node), with an "OpenAI Chat Model" whose credential points at a scripted model
// (dev/emulator/openai.ts) and one of this package's nodes as its tool, connected as the editor saves
// them. The agent is the newest each n8n line has: 3 on 1.123, 3.1 on 2.41.
import { IS_N8N_1, manualTriggerNode, workflowEntity } from './n8n';
import type { CredentialReference, WorkflowNode } from './n8n';

export const AGENT = 'AI Agent';
export const AGENT_VERSION = IS_N8N_1 ? 3 : 3.1;
export const CHAT_MODEL = 'OpenAI Chat Model';

/**
 * What the editor writes for "Let the model define this parameter" with the description left empty: the
 * key comes from the parameter's display name.
 */
export const fromAIExpression = (key: string, type: 'number' | 'string') => `={{ /*n8n-auto-generated-fromAI-override*/ $fromAI('${key}', \`\`, '${type}') }}`;

/** An `openAiApi` credential as `n8n import:credentials` reads it, its Base URL on the scripted model. */
export function openAiCredentialEntity(reference: CredentialReference, apiKey: string, baseUrl: string) {
	return { ...reference, type: 'openAiApi', data: { apiKey, organizationId: '', url: baseUrl, header: false } };
}

export interface AgentWorkflowOptions {
	id: string;
	name: string;
	prompt: string;
	/** The model ID the chat model node asks for. */
	model: string;
	openAi: CredentialReference;
	/** The tool node: one of this package's node types with `Tool` appended. */
	tool: WorkflowNode;
}

export function agentWorkflowEntity(options: AgentWorkflowOptions) {
	const nodes: WorkflowNode[] = [
		manualTriggerNode(),
		{ name: AGENT, type: '@n8n/n8n-nodes-langchain.agent', typeVersion: AGENT_VERSION, parameters: { promptType: 'define', text: options.prompt, options: {} } },
		{
			name: CHAT_MODEL,
			type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
			typeVersion: 1.3,
			// "Use Responses API" is on by default in 1.3 (POST /responses); an OpenAI-compatible server speaks Chat Completions.
			parameters: { model: { __rl: true, mode: 'id', value: options.model }, responsesApiEnabled: false, options: {} },
			credentials: { openAiApi: options.openAi },
		},
		options.tool,
	];
	const workflow = workflowEntity({ id: options.id, name: options.name, nodes, connections: [['Start', AGENT]] });
	return {
		...workflow,
		connections: {
			...workflow.connections,
			[CHAT_MODEL]: { ai_languageModel: [[{ node: AGENT, type: 'ai_languageModel', index: 0 }]] },
			[options.tool.name]: { ai_tool: [[{ node: AGENT, type: 'ai_tool', index: 0 }]] },
		},
	};
}
