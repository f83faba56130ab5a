import type { IncomingHttpHeaders } from 'node:http';

/** One request as it reached the fake, body parsed. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (`{}` for a request without one). */
  body: Record<string, unknown>;
  /** `Date.now()` when the request arrived. */
  receivedAt: number;
}

export interface FakeUsage {
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
}

export interface FakeToolCall {
  name: string;
  /** An object is JSON-encoded; a string is sent as-is (so a test can send invalid JSON). */
  arguments: unknown;
}

interface ReplyOptions {
  /** Overrides the usage the fake reports for this reply. */
  usage?: Partial<FakeUsage>;
  /** In a streamed reply: wait this long after the first event (a server that stalls mid-stream). */
  pauseMs?: number;
  /** Which event the pause follows (1-based; default 1). */
  pauseAfterEvents?: number;
  /**
   * In a streamed reply: stop after this many events, once the headers are out. `reset` destroys
   * the connection (a proxy or load balancer dropping it); `end` closes the body cleanly without
   * the rest of the events (a server that gives up without saying so).
   */
  cut?: { afterEvents: number; how: 'reset' | 'end' };
  /** In a streamed reply: after this many events, an error event in the API's own form, then the end. */
  failAfterEvents?: number;
}

/** What the fake answers to one model request. */
export type FakeReply =
  | ({ type: 'tool_calls'; calls: FakeToolCall[]; content?: string } & ReplyOptions)
  | ({ type: 'text'; content: string } & ReplyOptions)
  | { type: 'error'; status: number; headers?: Record<string, string>; body?: unknown }
  /** Waits before answering at all (no headers): for timeouts and cancellation. */
  // `reply`, not `then`: biome refuses objects that look thenable.
  | { type: 'delay'; ms: number; reply: FakeReply };

/** A scripted reply, or a function of the request for replies that depend on what was sent. */
export type ScriptEntry = FakeReply | ((request: RecordedRequest) => FakeReply);

/** A successful reply, resolved and ready to be written in either API's wire format. */
export interface Completion {
  content: string | null;
  calls: { id: string; name: string; arguments: string }[];
  usage: FakeUsage;
}

export function encodeArguments(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A rough token count (4 characters a token), so budgets can be tested without a tokenizer. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Splits text into pieces so that clients must assemble the stream. */
export function splitIntoPieces(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

/** The OpenAI error body for a status, as the real API shapes it. */
export function errorBody(status: number, message?: string): unknown {
  const kinds: Record<number, { type: string; code: string | null; message: string }> = {
    400: { type: 'invalid_request_error', code: null, message: 'fake OpenAI: bad request' },
    401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
    403: {
      type: 'invalid_request_error',
      code: 'unsupported_country_region_territory',
      message: 'Forbidden.',
    },
    404: { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist.' },
    429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests.' },
  };
  const kind = kinds[status] ?? {
    type: 'server_error',
    code: null,
    message: 'The server had an error while processing your request.',
  };
  return { error: { message: message ?? kind.message, type: kind.type, param: null, code: kind.code } };
}
