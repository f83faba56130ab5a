import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ReplyContext, sendJson, writeReply } from './openai-reply.ts';
import {
  errorBody,
  type FakeReply,
  type FakeUsage,
  type RecordedRequest,
  type ScriptEntry,
} from './openai-script.ts';

export { type CanonicalPrefix, isPrefixExtension, toCanonicalPrefix } from './openai-prefix.ts';
export type { FakeReply, FakeToolCall, FakeUsage, RecordedRequest, ScriptEntry } from './openai-script.ts';

export interface FakeOpenAIOptions {
  /** Usage reported for every reply (a reply's own `usage` wins); unset parts are derived from the request. */
  usage?: Partial<FakeUsage>;
  /** When set, a request without `Authorization: Bearer <apiKey>` gets 401 (and consumes no entry). */
  apiKey?: string;
  /** Listed by GET /v1/models. */
  models?: string[];
  /** Characters per streamed text or argument piece. */
  pieceSize?: number;
  /**
   * Top-level body keys this server does not know: a request carrying one gets a 400 (and consumes
   * no entry), worded as OpenAI words it, or as a pydantic-validating server such as vLLM does.
   */
  refuseParameters?: string[];
  refusalStyle?: 'openai' | 'pydantic';
}

export interface FakeOpenAI {
  /** Ends with `/v1`, as the SDK's `baseURL` expects. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Errors thrown by script functions (an `expect` inside one fails here and in the reply). */
  scriptErrors: Error[];
  enqueue(...entries: ScriptEntry[]): void;
  /** Entries not yet consumed. */
  remaining(): number;
  /** The model requests (chat completions and responses) in order, without GET /v1/models. */
  modelRequests(): RecordedRequest[];
  /** Resolves once this many requests have arrived. */
  waitForRequests(count: number): Promise<void>;
  close(): Promise<void>;
}

const MODEL_PATHS = new Set(['/v1/chat/completions', '/v1/responses']);

/** Our own failures are not retried by the SDK, so a wrong script fails at once and in order. */
const NO_RETRY = { 'x-should-retry': 'false' };

/** A scripted OpenAI API on 127.0.0.1: each model request consumes one script entry. */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const queue: ScriptEntry[] = [];
  const requests: RecordedRequest[] = [];
  const scriptErrors: Error[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const closing = new AbortController();
  const counters = new Map<string, number>();
  const nextId = (prefix: string) => {
    const value = (counters.get(prefix) ?? 0) + 1;
    counters.set(prefix, value);
    return `${prefix}_${value}`;
  };
  const modelRequests = () => requests.filter((request) => MODEL_PATHS.has(request.path));

  const record = (request: RecordedRequest) => {
    requests.push(request);
    for (const waiter of waiters.filter((candidate) => requests.length >= candidate.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };

  const nextReply = (request: RecordedRequest): FakeReply | { failure: string } => {
    const entry = queue.shift();
    if (entry === undefined) {
      return {
        failure: `fake OpenAI: script exhausted (request ${modelRequests().length} to ${request.path} has no entry)`,
      };
    }
    if (typeof entry !== 'function') return entry;
    try {
      return entry(request);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      scriptErrors.push(failure);
      return { failure: `fake OpenAI: script function threw: ${failure.message}` };
    }
  };

  const handle = async (incoming: IncomingMessage, response: ServerResponse) => {
    const raw = await readBody(incoming);
    const path = new URL(incoming.url ?? '/', 'http://127.0.0.1').pathname;
    const parsed = parseJson(raw);
    const request: RecordedRequest = {
      method: incoming.method ?? 'GET',
      path,
      headers: incoming.headers,
      body: parsed ?? {},
      receivedAt: Date.now(),
    };
    const previous = modelRequests()
      .filter((candidate) => candidate.path === path)
      .at(-1);
    record(request);
    if (options.apiKey && incoming.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendJson(response, 401, errorBody(401));
    }
    if (request.method === 'GET' && path === '/v1/models')
      return sendJson(response, 200, modelList(options.models));
    if (request.method !== 'POST' || !MODEL_PATHS.has(path)) {
      return sendJson(
        response,
        404,
        errorBody(404, `fake OpenAI: no route for ${request.method} ${path}`),
        NO_RETRY,
      );
    }
    if (parsed === undefined)
      return sendJson(response, 400, errorBody(400, 'fake OpenAI: the body is not JSON'));
    const refused = options.refuseParameters?.find((key) => key in parsed);
    if (refused !== undefined) {
      return sendJson(response, 400, parameterRefusal(refused, options.refusalStyle ?? 'openai'), NO_RETRY);
    }
    const reply = nextReply(request);
    if ('failure' in reply) return sendJson(response, 500, errorBody(500, reply.failure), NO_RETRY);
    const context: ReplyContext = {
      nextId,
      nextCallId: () => nextId('call'),
      usage: options.usage ?? {},
      pieceSize: options.pieceSize ?? 7,
      previous,
      closing: closing.signal,
    };
    await writeReply(reply, request, response, context);
  };

  const server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      if (closing.signal.aborted) {
        response.destroy();
        return;
      }
      sendJson(response, 500, errorBody(500, `fake OpenAI: ${String(error)}`), NO_RETRY);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    scriptErrors,
    enqueue: (...entries) => queue.push(...entries),
    remaining: () => queue.length,
    modelRequests,
    waitForRequests: (count) =>
      requests.length >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: async () => {
      closing.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parameterRefusal(parameter: string, style: 'openai' | 'pydantic') {
  if (style === 'pydantic') {
    // As vLLM answers since it nests its errors the way OpenAI does.
    return {
      error: {
        message: `[{'type': 'extra_forbidden', 'loc': ('body', '${parameter}'), 'msg': 'Extra inputs are not permitted'}]`,
        type: 'BadRequestError',
        param: null,
        code: 400,
      },
    };
  }
  return errorBody(400, `Unrecognized request argument supplied: ${parameter}`);
}

function modelList(models: readonly string[] = ['gpt-test']) {
  return {
    object: 'list',
    data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake-openai' })),
  };
}

async function readBody(incoming: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `{}` for an empty body, `undefined` for one that is not a JSON object. */
function parseJson(raw: string): Record<string, unknown> | undefined {
  if (raw.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
