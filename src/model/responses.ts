import type { Response, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { BatonError } from '../observability/errors.ts';
import { callContext, endpointOf, type ModelAdapterOptions } from './adapter-options.ts';
import { callWithRecovery } from './call-with-recovery.ts';
import { consumeStream, streamEndedEarly } from './consume-stream.ts';
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
      const context = callContext(options, signal);
      const { message, usage, finishReason } = await callWithRecovery({
        body: buildBody(options, request),
        optionalKeys: OPTIONAL_KEYS,
        endpoint: endpointOf(options, '/responses'),
        memory: options.parameterMemory,
        streamRetry: options.streamRetry,
        log: options.log,
        signal,
        call: async (body) => {
          // Each attempt starts from nothing: a cut stream's pieces are not kept.
          const reply = createReplyAssembler(request.onTextDelta);
          await consumeStream<ResponseStreamEvent>({
            context,
            open: (streamSignal) =>
              options.client.responses.create(body, { signal: streamSignal, headers: request.headers }),
            onEvent: reply.add,
          });
          if (!reply.complete()) throw streamEndedEarly(context);
          return reply.finish();
        },
      });
      return {
        message,
        usage,
        finishReason,
        costUsd: computeCostUsd({ usage, model: options.model, prices: options.prices }),
      };
    },
  };
}

/** What the call works without when a compatible server refuses it. */
const OPTIONAL_KEYS = ['prompt_cache_key', 'parallel_tool_calls', 'reasoning'];

function buildBody(options: ModelAdapterOptions, request: ModelRequest) {
  const maxTokens = request.maxOutputTokens ?? options.maxOutputTokens;
  const hasTools = request.tools.length > 0;
  return {
    model: options.model,
    instructions: request.system,
    input: toResponsesInput(request.messages),
    ...(hasTools ? { tools: toResponsesTools(request.tools) } : {}),
    ...(hasTools && options.parallelToolCalls !== undefined
      ? { parallel_tool_calls: options.parallelToolCalls }
      : {}),
    ...(options.reasoningEffort ? { reasoning: { effort: options.reasoningEffort } } : {}),
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
    if (!final) throw new Error('finish() before the response completed');
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

  /** `response.completed` (or `incomplete`) is the last event of a whole answer. */
  const complete = () => final !== undefined;

  return { add, finish, complete };
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
