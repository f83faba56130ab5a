import { randomUUID } from 'node:crypto';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions/completions';
import { callContext, type ModelAdapterOptions } from './adapter-options.ts';
import { toChatCompletionMessages, toChatCompletionTools } from './chat-completions-messages.ts';
import { consumeStream } from './consume-stream.ts';
import { computeCostUsd } from './pricing.ts';
import { assertValidToolNames } from './tool-names.ts';
import type { ModelClient, ModelRequest, ModelResponse, ToolCall, Usage } from './types.ts';

/** A Chat Completions client: OpenAI, Azure, vLLM, Ollama, OpenRouter and other compatible servers. */
export function createChatCompletionsClient(options: ModelAdapterOptions): ModelClient {
  return {
    provider: 'chat-completions',
    model: options.model,
    async complete(request, signal) {
      assertValidToolNames(request.tools);
      const body = buildBody(options, request);
      const reply = createReplyAssembler(request.onTextDelta);
      await consumeStream<ChatCompletionChunk>({
        context: callContext(options, signal),
        open: (streamSignal) =>
          options.client.chat.completions.create(body, { signal: streamSignal, headers: request.headers }),
        onEvent: reply.add,
      });
      const { message, usage, finishReason } = reply.finish();
      return {
        message,
        usage,
        finishReason,
        costUsd: computeCostUsd({ usage, model: options.model, prices: options.prices }),
      };
    },
  };
}

function buildBody(options: ModelAdapterOptions, request: ModelRequest) {
  const maxTokens = request.maxOutputTokens ?? options.maxOutputTokens;
  return {
    model: options.model,
    messages: toChatCompletionMessages(request.system, request.messages),
    ...(request.tools.length > 0 ? { tools: toChatCompletionTools(request.tools) } : {}),
    ...(maxTokens !== undefined ? { max_completion_tokens: maxTokens } : {}),
    ...(request.cacheKey ? { prompt_cache_key: request.cacheKey } : {}),
    stream: true as const,
    stream_options: { include_usage: true },
  };
}

/** Folds streamed chunks into one message: text in order, tool calls by their `index`. */
function createReplyAssembler(onTextDelta: ((text: string) => void) | undefined) {
  let text = '';
  let rawFinish: string | null = null;
  let usage: Usage = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 };
  const calls = new Map<number, ToolCall>();

  const add = (chunk: ChatCompletionChunk) => {
    if (chunk.usage) {
      usage = {
        inputTokens: chunk.usage.prompt_tokens,
        cachedInputTokens: chunk.usage.prompt_tokens_details?.cached_tokens ?? 0,
        outputTokens: chunk.usage.completion_tokens,
      };
    }
    // Only the first choice is requested; some servers send `choices: null` on the usage chunk.
    const choice = chunk.choices?.find((candidate) => candidate.index === 0);
    if (!choice) return;
    if (choice.finish_reason) rawFinish = choice.finish_reason;
    const piece = choice.delta.content ?? choice.delta.refusal ?? '';
    if (piece) {
      text += piece;
      onTextDelta?.(piece);
    }
    for (const delta of choice.delta.tool_calls ?? []) {
      const call = calls.get(delta.index) ?? { id: '', name: '', arguments: '' };
      if (delta.id && !call.id) call.id = delta.id;
      if (delta.function?.name && !call.name) call.name = delta.function.name;
      if (delta.function?.arguments) call.arguments += delta.function.arguments;
      calls.set(delta.index, call);
    }
  };

  const finish = (): Pick<ModelResponse, 'message' | 'usage' | 'finishReason'> => {
    const toolCalls = [...calls.entries()]
      .sort(([left], [right]) => left - right)
      // A server that omits ids still needs unique ones: each tool result is matched by it.
      .map(([, call]) => ({
        ...call,
        id: call.id || `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
      }));
    return {
      message: { content: text === '' ? null : text, toolCalls },
      usage,
      finishReason: mapFinishReason(rawFinish, toolCalls.length > 0),
    };
  };

  return { add, finish };
}

function mapFinishReason(raw: string | null, hasToolCalls: boolean): ModelResponse['finishReason'] {
  if (raw === 'length' || raw === 'content_filter') return raw;
  // Some compatible servers end a tool-calling turn with `stop`; the calls are what matter.
  if (hasToolCalls || raw === 'tool_calls' || raw === 'function_call') return 'tool_calls';
  if (raw === 'stop') return 'stop';
  return 'other';
}
