import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessageFunctionToolCall,
} from 'openai/resources/chat/completions/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import { type Completion, type FakeUsage, splitIntoPieces } from './openai-script.ts';

interface ChatWireOptions {
  id: string;
  model: string;
  created: number;
  pieceSize: number;
  includeUsage: boolean;
}

function chatUsage(usage: FakeUsage): CompletionUsage {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function finishReason(completion: Completion): 'tool_calls' | 'stop' {
  return completion.calls.length > 0 ? 'tool_calls' : 'stop';
}

/** A non-streamed `chat.completion` object. */
export function chatCompletionBody(completion: Completion, options: ChatWireOptions): ChatCompletion {
  const toolCalls: ChatCompletionMessageFunctionToolCall[] = completion.calls.map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }));
  return {
    id: options.id,
    object: 'chat.completion',
    created: options.created,
    model: options.model,
    system_fingerprint: 'fp_fake',
    service_tier: 'default',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: completion.content,
          refusal: null,
          annotations: [],
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: finishReason(completion),
      },
    ],
    usage: chatUsage(completion.usage),
  };
}

/**
 * The `chat.completion.chunk` sequence OpenAI streams: a role chunk, content pieces, each tool call
 * opened with its id and name then its arguments in pieces, the finish chunk, and (when
 * `stream_options.include_usage` is set) a last chunk with empty `choices` carrying the usage.
 */
export function chatCompletionChunks(
  completion: Completion,
  options: ChatWireOptions,
): ChatCompletionChunk[] {
  const chunk = (
    delta: ChatCompletionChunk.Choice.Delta,
    finish: ChatCompletionChunk.Choice['finish_reason'] = null,
  ) =>
    withUsageField(
      {
        id: options.id,
        object: 'chat.completion.chunk',
        created: options.created,
        model: options.model,
        system_fingerprint: 'fp_fake',
        service_tier: 'default',
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      },
      options,
    );
  const chunks: ChatCompletionChunk[] = [
    chunk({ role: 'assistant', content: completion.content === null ? null : '', refusal: null }),
  ];
  for (const piece of splitIntoPieces(completion.content ?? '', options.pieceSize))
    chunks.push(chunk({ content: piece }));
  completion.calls.forEach((call, index) => {
    chunks.push(
      chunk({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
      }),
    );
    for (const piece of splitIntoPieces(call.arguments, options.pieceSize)) {
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  chunks.push(chunk({}, finishReason(completion)));
  if (options.includeUsage) {
    chunks.push({
      id: options.id,
      object: 'chat.completion.chunk',
      created: options.created,
      model: options.model,
      system_fingerprint: 'fp_fake',
      service_tier: 'default',
      choices: [],
      usage: chatUsage(completion.usage),
    });
  }
  return chunks;
}

/** With include_usage, every chunk carries `usage: null` until the last one. */
function withUsageField(chunk: ChatCompletionChunk, options: ChatWireOptions): ChatCompletionChunk {
  return options.includeUsage ? { ...chunk, usage: null } : chunk;
}
