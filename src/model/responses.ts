import type { Response, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { BatonError } from '../observability/errors.ts';
import { callContext, type ModelAdapterOptions } from './adapter-options.ts';
import { consumeStream } from './consume-stream.ts';
import { computeCostUsd } from './pricing.ts';
import { toResponsesInput, toResponsesTools } from './responses-input.ts';
import { assertValidToolNames } from './tool-names.ts';
import type { ModelClient, ModelRequest, ModelResponse, ToolCall, Usage } from './types.ts';

/** OpenAI's Responses API, used statelessly: the full history is sent every time. */
export function createResponsesClient(options: ModelAdapterOptions): ModelClient {
  return {
    provider: 'responses',
    model: options.model,
    async complete(request, signal) {
      assertValidToolNames(request.tools);
      const body = buildBody(options, request);
      const reply = createReplyAssembler(request.onTextDelta);
      await consumeStream<ResponseStreamEvent>({
        context: callContext(options, signal),
        open: (streamSignal) =>
          options.client.responses.create(body, { signal: streamSignal, headers: request.headers }),
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
    instructions: request.system,
    input: toResponsesInput(request.messages),
    ...(request.tools.length > 0 ? { tools: toResponsesTools(request.tools) } : {}),
    ...(maxTokens !== undefined ? { max_output_tokens: maxTokens } : {}),
    ...(request.cacheKey ? { prompt_cache_key: request.cacheKey } : {}),
    store: false,
    stream: true as const,
  };
}

/** Folds stream events into one message: output text in order, function calls by output index. */
function createReplyAssembler(onTextDelta: ((text: string) => void) | undefined) {
  let text = '';
  let final: Response | undefined;
  const calls = new Map<number, ToolCall>();

  const add = (event: ResponseStreamEvent) => {
    switch (event.type) {
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        text += event.delta;
        onTextDelta?.(event.delta);
        return;
      case 'response.output_item.added':
        if (event.item.type === 'function_call') {
          const { call_id, name, arguments: initial } = event.item;
          calls.set(event.output_index, { id: call_id, name, arguments: initial ?? '' });
        }
        return;
      case 'response.function_call_arguments.delta': {
        const call = calls.get(event.output_index);
        if (call) call.arguments += event.delta;
        return;
      }
      case 'response.function_call_arguments.done': {
        // The complete text is authoritative should a delta have been lost or reordered.
        const call = calls.get(event.output_index);
        if (call) call.arguments = event.arguments;
        return;
      }
      case 'response.completed':
      case 'response.incomplete':
        final = event.response;
        return;
      case 'response.failed':
        throw streamFailure(event.response.error?.code, event.response.error?.message);
      case 'error':
        throw streamFailure(event.code ?? undefined, event.message);
      default:
        return;
    }
  };

  const finish = (): Pick<ModelResponse, 'message' | 'usage' | 'finishReason'> => {
    if (!final) {
      throw new BatonError({
        code: 'model_protocol',
        message: 'The model server ended the stream before the response was complete.',
        retryable: true,
        hint: 'Try again; if it keeps happening, check the server or proxy in front of it.',
      });
    }
    const toolCalls = [...calls.entries()].sort(([left], [right]) => left - right).map(([, call]) => call);
    const usage: Usage = {
      inputTokens: final.usage?.input_tokens ?? 0,
      cachedInputTokens: final.usage?.input_tokens_details?.cached_tokens ?? 0,
      outputTokens: final.usage?.output_tokens ?? 0,
    };
    return {
      message: { content: text === '' ? null : text, toolCalls },
      usage,
      finishReason: mapFinishReason(final, toolCalls.length > 0),
    };
  };

  return { add, finish };
}

function mapFinishReason(response: Response, hasToolCalls: boolean): ModelResponse['finishReason'] {
  if (response.status === 'incomplete') {
    const reason = response.incomplete_details?.reason;
    if (reason === 'max_output_tokens') return 'length';
    if (reason === 'content_filter') return 'content_filter';
    return 'other';
  }
  return hasToolCalls ? 'tool_calls' : 'stop';
}

function streamFailure(code: string | undefined, message: string | undefined): BatonError {
  return new BatonError({
    code: 'model_server_error',
    message: `The model server failed while answering${code ? ` (${code})` : ''}: ${message ?? 'no message'}`,
    retryable: true,
    hint: 'The provider may be having trouble; try again later or check its status page.',
  });
}
