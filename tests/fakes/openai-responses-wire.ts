import type {
  Response,
  ResponseFunctionToolCall,
  ResponseOutputMessage,
  ResponseStreamEvent,
  ResponseUsage,
} from 'openai/resources/responses/responses';
import { type Completion, type FakeUsage, splitIntoPieces } from './openai-script.ts';

interface ResponsesWireOptions {
  id: string;
  messageId: string;
  functionItemIds: string[];
  createdAt: number;
  pieceSize: number;
  request: Record<string, unknown>;
}

/** The response object without `output_text`, which the SDK adds on the client side. */
type WireResponse = Omit<Response, 'output_text'>;

/** An event before its sequence number is assigned (distributed over the union). */
type Unsequenced<Event> = Event extends unknown ? Omit<Event, 'sequence_number'> : never;

function responsesUsage(usage: FakeUsage): ResponseUsage {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: usage.cachedTokens },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
}

function messageItem(options: ResponsesWireOptions, text: string, done: boolean): ResponseOutputMessage {
  return {
    id: options.messageId,
    type: 'message',
    status: done ? 'completed' : 'in_progress',
    role: 'assistant',
    content: done ? [{ type: 'output_text', text, annotations: [], logprobs: [] }] : [],
  };
}

function functionItems(
  completion: Completion,
  options: ResponsesWireOptions,
  done: boolean,
): ResponseFunctionToolCall[] {
  return completion.calls.map((call, index) => ({
    id: options.functionItemIds[index] ?? `fc_${index}`,
    type: 'function_call',
    status: done ? 'completed' : 'in_progress',
    call_id: call.id,
    name: call.name,
    arguments: done ? call.arguments : '',
  }));
}

/** The response object, in progress (no output yet) or completed with output and usage. */
export function responseBody(
  completion: Completion,
  options: ResponsesWireOptions,
  done = true,
): WireResponse {
  const request = options.request;
  const output = done
    ? [
        ...(completion.content !== null ? [messageItem(options, completion.content, true)] : []),
        ...functionItems(completion, options, true),
      ]
    : [];
  return {
    id: options.id,
    object: 'response',
    created_at: options.createdAt,
    status: done ? 'completed' : 'in_progress',
    error: null,
    incomplete_details: null,
    instructions: typeof request.instructions === 'string' ? request.instructions : null,
    max_output_tokens: typeof request.max_output_tokens === 'number' ? request.max_output_tokens : null,
    model: String(request.model),
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    metadata: {},
    ...(typeof request.prompt_cache_key === 'string' ? { prompt_cache_key: request.prompt_cache_key } : {}),
    ...(done ? { usage: responsesUsage(completion.usage) } : {}),
  };
}

/**
 * The semantic events the Responses API streams, in its order: created, in_progress, then per
 * output item added → (content part / text deltas | argument deltas) → done, and completed.
 */
export function responseEvents(completion: Completion, options: ResponsesWireOptions): ResponseStreamEvent[] {
  const events: Unsequenced<ResponseStreamEvent>[] = [
    { type: 'response.created', response: responseBody(completion, options, false) as Response },
    { type: 'response.in_progress', response: responseBody(completion, options, false) as Response },
  ];
  let outputIndex = 0;
  if (completion.content !== null) {
    const text = completion.content;
    const itemId = options.messageId;
    const part = { type: 'output_text' as const, text, annotations: [], logprobs: [] };
    const at = { item_id: itemId, output_index: outputIndex, content_index: 0 };
    events.push(
      {
        type: 'response.output_item.added',
        output_index: outputIndex,
        item: messageItem(options, text, false),
      },
      { type: 'response.content_part.added', ...at, part: { ...part, text: '' } },
      ...splitIntoPieces(text, options.pieceSize).map((delta) => ({
        type: 'response.output_text.delta' as const,
        ...at,
        delta,
        logprobs: [],
      })),
      { type: 'response.output_text.done', ...at, text, logprobs: [] },
      { type: 'response.content_part.done', ...at, part },
      {
        type: 'response.output_item.done',
        output_index: outputIndex,
        item: messageItem(options, text, true),
      },
    );
    outputIndex += 1;
  }
  const opened = functionItems(completion, options, false);
  const finished = functionItems(completion, options, true);
  finished.forEach((item, index) => {
    const at = { item_id: item.id ?? '', output_index: outputIndex };
    events.push(
      { type: 'response.output_item.added', output_index: outputIndex, item: opened[index] ?? item },
      ...splitIntoPieces(item.arguments, options.pieceSize).map((delta) => ({
        type: 'response.function_call_arguments.delta' as const,
        ...at,
        delta,
      })),
      { type: 'response.function_call_arguments.done', ...at, name: item.name, arguments: item.arguments },
      { type: 'response.output_item.done', output_index: outputIndex, item },
    );
    outputIndex += 1;
  });
  events.push({ type: 'response.completed', response: responseBody(completion, options, true) as Response });
  return events.map((event, sequence) => ({ ...event, sequence_number: sequence }) as ResponseStreamEvent);
}
