// A small OpenAI-compatible chat model on 127.0.0.1 for the end-to-end tests: n8n's "OpenAI Chat Model"
// node talks to it through an `openAiApi` credential whose Base URL points here. It answers the Chat
// Completions API (POST <base>/chat/completions, plain JSON or server-sent events when asked to stream)
// and GET <base>/models, with replies a test scripts from each request body; it records every request.
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the emulator received it. `body` is the parsed JSON body (undefined when there was none or it was not JSON). */
export interface RecordedModelRequest {
	method: string;
	path: string;
	headers: http.IncomingHttpHeaders;
	raw: string;
	body: ChatCompletionRequest | undefined;
}

/** The parts of a Chat Completions request body the tests read; everything else is kept as sent. */
export interface ChatCompletionRequest {
	model: string;
	messages: ChatMessage[];
	tools?: Array<{ type: 'function'; function: { name: string; description?: string; parameters?: unknown; strict?: boolean } }>;
	stream?: boolean;
	[key: string]: unknown;
}

export interface ChatMessage {
	role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
	content: string | null | Array<{ type: string; text?: string }>;
	tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
	tool_call_id?: string;
	[key: string]: unknown;
}

export interface ScriptedToolCall {
	/** Defaults to call_<n>, counted over the whole emulator. */
	id?: string;
	name: string;
	/** An object is sent as its JSON text, a string as it is (the model may send malformed JSON). */
	arguments: object | string;
}

/** What the model answers: final text, tool calls, or an HTTP error as OpenAI sends it. */
export type ScriptedReply = { content: string } | { toolCalls: ScriptedToolCall[]; content?: string } | { status: number; error: { message: string; type: string; code: string | null } };

export interface OpenAiEmulator {
	/** The Base URL for the credential: `http://127.0.0.1:<port>/v1`, as OpenAI's own ends in /v1. */
	baseUrl: string;
	/** Every request, in the order received, whatever its path. */
	requests: RecordedModelRequest[];
	/** The Chat Completions requests only. */
	chatRequests(): RecordedModelRequest[];
	stop(): Promise<void>;
}

export interface OpenAiEmulatorOptions {
	/** Model IDs GET /models lists. */
	models?: string[];
	/** Picks the reply to a chat completion request from its body; `index` counts chat requests from 0. */
	reply: (request: ChatCompletionRequest, index: number) => ScriptedReply;
	port?: number;
}

const JSON_CONTENT_TYPE = 'application/json';
// The created time of every reply: a fixed instant keeps replies identical between runs.
const CREATED = 1_767_225_600;

/** The text of a message's content, whether a string or parts. */
export function messageText(message: ChatMessage): string {
	if (typeof message.content === 'string') return message.content;
	if (message.content === null) return '';
	return message.content.map((part) => part.text ?? '').join('');
}

export async function startOpenAiEmulator(options: OpenAiEmulatorOptions): Promise<OpenAiEmulator> {
	const requests: RecordedModelRequest[] = [];
	const sockets = new Set<Socket>();
	let chatIndex = 0;
	let toolCallCount = 0;

	const send = (response: http.ServerResponse, status: number, json: unknown) => {
		const body = JSON.stringify(json);
		response.writeHead(status, { 'content-type': JSON_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
		response.end(body);
	};
	const notFound = (response: http.ServerResponse, path: string) =>
		send(response, 404, { error: { message: `Unknown request URL: ${path}`, type: 'invalid_request_error', param: null, code: 'unknown_url' } });

	const answerChat = (request: ChatCompletionRequest, response: http.ServerResponse) => {
		const reply = options.reply(request, chatIndex++);
		if ('status' in reply) {
			send(response, reply.status, { error: { ...reply.error, param: null } });
			return;
		}
		const id = `chatcmpl-emulated-${chatIndex}`;
		const toolCalls =
			'toolCalls' in reply
				? reply.toolCalls.map((call) => ({
						id: call.id ?? `call_${++toolCallCount}`,
						type: 'function' as const,
						function: { name: call.name, arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments) },
					}))
				: undefined;
		const content = 'content' in reply && reply.content !== undefined ? reply.content : null;
		const finishReason = toolCalls === undefined ? 'stop' : 'tool_calls';
		const promptTokens = JSON.stringify(request.messages).length;
		const completionTokens = JSON.stringify({ content, toolCalls }).length;
		const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
		if (request.stream === true) {
			response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
			const chunk = (delta: object, finish: string | null, extra: object = {}) =>
				response.write(
					`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: CREATED, model: request.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra })}\n\n`,
				);
			chunk({ role: 'assistant', content: content ?? '' }, null);
			if (toolCalls !== undefined) {
				chunk({ tool_calls: toolCalls.map((call, index) => ({ index, ...call })) }, null);
			}
			chunk({}, finishReason, { usage });
			response.end('data: [DONE]\n\n');
			return;
		}
		send(response, 200, {
			id,
			object: 'chat.completion',
			created: CREATED,
			model: request.model,
			choices: [
				{
					index: 0,
					message: { role: 'assistant', content, refusal: null, ...(toolCalls === undefined ? {} : { tool_calls: toolCalls }) },
					logprobs: null,
					finish_reason: finishReason,
				},
			],
			usage,
			system_fingerprint: null,
		});
	};

	const server = http.createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			let body: ChatCompletionRequest | undefined;
			try {
				body = raw === '' ? undefined : (JSON.parse(raw) as ChatCompletionRequest);
			} catch {
				body = undefined;
			}
			const path = (request.url ?? '/').split('?')[0];
			requests.push({ method: request.method ?? '', path, headers: request.headers, raw, body });
			try {
				if (request.method === 'GET' && (path === '/v1/models' || path === '/models')) {
					send(response, 200, { object: 'list', data: (options.models ?? []).map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'emulator' })) });
				} else if (request.method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions')) {
					if (body === undefined || !Array.isArray(body.messages)) {
						send(response, 400, { error: { message: 'The body must be a JSON object with messages', type: 'invalid_request_error', param: 'messages', code: null } });
					} else {
						answerChat(body, response);
					}
				} else {
					notFound(response, path);
				}
			} catch (error) {
				send(response, 500, { error: { message: `Emulator script failed: ${(error as Error).message}`, type: 'server_error', param: null, code: null } });
			}
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}/v1`,
		requests,
		chatRequests: () => requests.filter((request) => request.method === 'POST' && request.path.endsWith('/chat/completions')),
		stop: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}
