import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { chatCompletionBody, chatCompletionChunks } from './openai-chat-wire.ts';
import { isPrefixExtension } from './openai-prefix.ts';
import { responseBody, responseEvents } from './openai-responses-wire.ts';
import {
  type Completion,
  encodeArguments,
  errorBody,
  estimateTokens,
  type FakeReply,
  type FakeUsage,
  type RecordedRequest,
} from './openai-script.ts';

/** Server-wide state a reply needs: id counters, defaults, and the way to stop waiting on close. */
export interface ReplyContext {
  nextId(prefix: string): string;
  /** Tool call ids are `call_1`, `call_2`, ... across the server's life. */
  nextCallId(): string;
  usage: Partial<FakeUsage>;
  pieceSize: number;
  /** The previous model request on the same path, for the default cached-token count. */
  previous: RecordedRequest | undefined;
  closing: AbortSignal;
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  if (response.destroyed) return;
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** Writes one scripted reply to a model request, streamed or not as the request asked. */
export async function writeReply(
  reply: FakeReply,
  request: RecordedRequest,
  response: ServerResponse,
  context: ReplyContext,
): Promise<void> {
  switch (reply.type) {
    case 'delay':
      await sleep(reply.ms, undefined, { signal: context.closing });
      return writeReply(reply.reply, request, response, context);
    case 'error':
      return sendJson(response, reply.status, reply.body ?? errorBody(reply.status), reply.headers);
    case 'text':
    case 'tool_calls':
      return writeCompletion(reply, request, response, context);
    default:
      throw new Error(`fake OpenAI: unknown reply ${JSON.stringify(reply)}`);
  }
}

type CompletionReply = Extract<FakeReply, { type: 'text' | 'tool_calls' }>;

function toCompletion(reply: CompletionReply, request: RecordedRequest, context: ReplyContext): Completion {
  const calls =
    reply.type === 'tool_calls'
      ? reply.calls.map((call) => ({
          id: context.nextCallId(),
          name: call.name,
          arguments: encodeArguments(call.arguments),
        }))
      : [];
  const content = reply.content ?? null;
  const generated = (content ?? '') + calls.map((call) => call.name + call.arguments).join('');
  const promptTokens =
    reply.usage?.promptTokens ?? context.usage.promptTokens ?? estimateTokens(JSON.stringify(request.body));
  return {
    content,
    calls,
    usage: {
      promptTokens,
      cachedTokens:
        reply.usage?.cachedTokens ??
        context.usage.cachedTokens ??
        defaultCachedTokens(request, context, promptTokens),
      completionTokens:
        reply.usage?.completionTokens ??
        context.usage.completionTokens ??
        Math.max(1, estimateTokens(generated)),
    },
  };
}

/** Like a real provider: what the previous request already sent is cached when only appended to. */
function defaultCachedTokens(request: RecordedRequest, context: ReplyContext, promptTokens: number): number {
  const previous = context.previous;
  if (!previous || !isPrefixExtension(previous.body, request.body)) return 0;
  return Math.min(promptTokens, estimateTokens(JSON.stringify(previous.body)));
}

async function writeCompletion(
  reply: CompletionReply,
  request: RecordedRequest,
  response: ServerResponse,
  context: ReplyContext,
): Promise<void> {
  const completion = toCompletion(reply, request, context);
  const body = request.body;
  const model = String(body.model);
  const created = Math.floor(Date.now() / 1000);
  const stream = body.stream === true;
  if (request.path.endsWith('/chat/completions')) {
    const includeUsage =
      (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    const options = {
      id: context.nextId('chatcmpl-fake'),
      model,
      created,
      pieceSize: context.pieceSize,
      includeUsage,
    };
    if (!stream) return sendJson(response, 200, chatCompletionBody(completion, options));
    const chunks = chatCompletionChunks(completion, options).map(
      (chunk) => `data: ${JSON.stringify(chunk)}\n\n`,
    );
    return writeEvents(response, [...chunks, 'data: [DONE]\n\n'], reply, context, request.path);
  }
  const options = {
    id: context.nextId('resp_fake'),
    messageId: context.nextId('msg_fake'),
    functionItemIds: completion.calls.map(() => context.nextId('fc_fake')),
    createdAt: created,
    pieceSize: context.pieceSize,
    request: body,
  };
  if (!stream) return sendJson(response, 200, responseBody(completion, options));
  const events = responseEvents(completion, options).map(
    (event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`,
  );
  return writeEvents(response, events, reply, context, request.path);
}

async function writeEvents(
  response: ServerResponse,
  events: string[],
  reply: CompletionReply,
  context: ReplyContext,
  path: string,
): Promise<void> {
  if (response.destroyed) return;
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
  });
  const pauseAfter = reply.pauseAfterEvents ?? 1;
  for (const [index, event] of events.entries()) {
    if (response.destroyed) return;
    if (reply.cut && index >= reply.cut.afterEvents) return cutStream(response, reply.cut.how);
    if (reply.failAfterEvents !== undefined && index >= reply.failAfterEvents) {
      response.end(streamErrorEvent(path, index));
      return;
    }
    response.write(event);
    if (index + 1 === pauseAfter && reply.pauseMs) {
      await sleep(reply.pauseMs, undefined, { signal: context.closing });
    }
  }
  response.end();
}

/** A failure the server reports inside the stream: a chunk with `error`, or a Responses `error` event. */
function streamErrorEvent(path: string, sequence: number): string {
  const message = 'fake OpenAI: the server failed while streaming';
  if (path.endsWith('/chat/completions')) {
    return `data: ${JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } })}\n\n`;
  }
  const event = { type: 'error', code: 'server_error', message, param: null, sequence_number: sequence };
  return `event: error\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Waits until what was written has left, so the client has the events before the cut. */
async function cutStream(response: ServerResponse, how: 'reset' | 'end'): Promise<void> {
  if (how === 'end') {
    response.end();
    return;
  }
  await new Promise<void>((resolve) => response.write('', () => resolve()));
  response.socket?.resetAndDestroy();
}
