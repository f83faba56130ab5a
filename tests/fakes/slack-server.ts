import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EnvelopedEvent, SlashCommand } from '@slack/bolt';
import type { SlackEvent } from '@slack/types';
import { parseArgs, readRaw, uploadedText } from './slack-body.ts';
import { chatMethods, type MethodHandler, type SlackAnswer } from './slack-methods-chat.ts';
import { miscMethods } from './slack-methods-misc.ts';
import {
  type DeliveryResult,
  deliverAction,
  deliverEvent,
  deliverSlashCommand,
  type EventDeliveryOptions,
  envelopeEvent,
  type SignedHeaders,
  type SigningOptions,
  signRequest,
} from './slack-signing.ts';
import { attachSocketMode, type SocketAck, type SocketDelivery } from './slack-socket.ts';
import {
  createWorld,
  type FakeEphemeral,
  type FakeSlackMessage,
  type FakeSlackUser,
  type FakeUploadedFile,
  type RecordedSlackCall,
  type SlackArgs,
} from './slack-state.ts';

export * from './slack-events.ts';
export { SLACK_LIMITS } from './slack-limits.ts';
export * from './slack-signing.ts';
export type * from './slack-socket.ts';
export type * from './slack-state.ts';

export interface FakeSlackOptions {
  teamId?: string;
  botUserId?: string;
  botId?: string;
  apiAppId?: string;
  botToken?: string;
  appToken?: string;
  signingSecret?: string;
  /** The fake's clock for recorded calls and message ts; defaults to Date.now. */
  now?: () => number;
}

export interface FakeSlack {
  /** The value for WebClient's `slackApiUrl`: `http://127.0.0.1:PORT/api/`. */
  apiUrl: string;
  baseUrl: string;
  teamId: string;
  botUserId: string;
  botId: string;
  apiAppId: string;
  botToken: string;
  appToken: string;
  signingSecret: string;
  calls: RecordedSlackCall[];
  /** Calls to one method, in order. */
  callsTo(method: string): RecordedSlackCall[];
  /** Every message in a channel (top level and replies), oldest first. */
  messages(channel: string): FakeSlackMessage[];
  /** A thread: its parent and replies, oldest first. */
  thread(channel: string, threadTs: string): FakeSlackMessage[];
  /** Reaction names currently on a message. */
  reactions(channel: string, ts: string): string[];
  ephemerals: FakeEphemeral[];
  files(): FakeUploadedFile[];
  statuses: { channel_id: string; thread_ts: string; status: string }[];
  addUser(user: FakeSlackUser): void;
  addUserGroup(id: string, userIds: string[]): void;
  /** A person posts a message (what a trigger event refers to); returns it with its ts. */
  userSays(input: { channel: string; user: string; text: string; threadTs?: string }): FakeSlackMessage;
  /**
   * The next `times` calls to `method` (those `matches` accepts) answer HTTP `status`, like a Slack
   * outage; later calls succeed. The failed calls are recorded with that status.
   */
  failNext(
    method: string,
    rule: { times: number; status?: number; matches?: (args: SlackArgs) => boolean },
  ): void;
  /** The next `times` calls to `method` answer HTTP 429 with `Retry-After`. */
  rateLimit(method: string, rule: { times: number; retryAfterSeconds: number }): void;
  signRequest(body: string, secret?: string, timestampSeconds?: number | string): SignedHeaders;
  envelope<Event extends SlackEvent>(
    event: Event,
    options?: Partial<EventDeliveryOptions>,
  ): EnvelopedEvent<Event>;
  deliverEvent<Event extends SlackEvent>(
    url: string,
    event: Event | EnvelopedEvent<Event>,
    options?: Partial<EventDeliveryOptions>,
  ): Promise<DeliveryResult & { envelope: EnvelopedEvent<Event> }>;
  deliverSlashCommand(
    url: string,
    fields: Partial<SlashCommand> & Pick<SlashCommand, 'command' | 'text' | 'user_id' | 'channel_id'>,
    options?: Partial<SigningOptions>,
  ): Promise<DeliveryResult>;
  deliverAction(url: string, payload: object, options?: Partial<SigningOptions>): Promise<DeliveryResult>;
  /** Sends an Events API envelope over Socket Mode; resolves with the app's ack. */
  socketDeliver(
    envelope: EnvelopedEvent,
    options?: { retryAttempt?: number; retryReason?: string; timeoutMs?: number },
  ): Promise<SocketAck>;
  /** Socket Mode as Slack retries it: the envelope again until the app acks it (see FakeSocketMode). */
  socketDeliverUntilAcked(
    envelope: EnvelopedEvent,
    options: { ackWithinMs: number; redeliveries: number },
  ): Promise<{ attempts: number; ack?: SocketAck }>;
  /** Any Socket Mode message (slash_commands, interactive, events_api). */
  socketSend(delivery: SocketDelivery, options?: { timeoutMs?: number }): Promise<SocketAck>;
  socketConnectionCount(): number;
  socketAcks: SocketAck[];
  /**
   * Called after a Web API method has done its work and before its answer is sent (a test kills
   * the caller there: the message exists, the caller never learns it). Undefined clears it.
   */
  afterCall(hook: ((call: RecordedSlackCall) => Promise<void>) | undefined): void;
  close(): Promise<void>;
}

const APP_TOKEN_METHODS = new Set(['apps.connections.open']);

function bearer(request: IncomingMessage, args: SlackArgs): string | undefined {
  const header = request.headers.authorization;
  if (header?.toLowerCase().startsWith('bearer ')) return header.slice(7).trim();
  return typeof args.token === 'string' ? args.token : undefined;
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

/** A Slack (Web API, file uploads, Socket Mode) on 127.0.0.1, for the real SDKs to talk to. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const world = createWorld({
    teamId: options.teamId ?? 'T0FAKE',
    botUserId: options.botUserId ?? 'UBATON',
    botId: options.botId ?? 'BBATON',
    botToken: options.botToken ?? 'xoxb-fake-bot-token-0000',
    appToken: options.appToken ?? 'xapp-1-fake-app-token-0000',
    now: options.now ?? Date.now,
  });
  const apiAppId = options.apiAppId ?? 'A0FAKE';
  const signingSecret = options.signingSecret ?? 'fake-signing-secret-0000';
  const methods: Record<string, MethodHandler> = { ...chatMethods(world), ...miscMethods(world) };
  let afterCall: ((call: RecordedSlackCall) => Promise<void>) | undefined;

  const authorise = (method: string, token: string | undefined): SlackAnswer | undefined => {
    if (!token) return { ok: false, error: 'not_authed' };
    const wantsApp = APP_TOKEN_METHODS.has(method);
    if (token === (wantsApp ? world.appToken : world.botToken)) return undefined;
    if (token === world.appToken || token === world.botToken)
      return { ok: false, error: 'not_allowed_token_type' };
    return { ok: false, error: 'invalid_auth' };
  };

  const handleApi = async (request: IncomingMessage, response: ServerResponse, method: string) => {
    const args = await parseArgs(request.headers['content-type'], await readRaw(request));
    const token = bearer(request, args);
    const { token: _bodyToken, ...visibleArgs } = args;
    const call: RecordedSlackCall = { method, args: visibleArgs, token, at: world.now(), status: 200 };
    world.calls.push(call);
    const rule = world.rateLimits.get(method);
    if (rule && rule.remaining > 0) {
      rule.remaining -= 1;
      call.status = 429;
      call.error = 'ratelimited';
      json(
        response,
        429,
        { ok: false, error: 'ratelimited' },
        { 'retry-after': String(rule.retryAfterSeconds) },
      );
      return;
    }
    const fault = world.faults.get(method);
    if (fault && fault.remaining > 0 && (fault.matches?.(visibleArgs) ?? true)) {
      fault.remaining -= 1;
      call.status = fault.status;
      call.error = 'fake_outage';
      json(response, fault.status, { ok: false, error: 'fatal_error' });
      return;
    }
    const handler = methods[method];
    const answer: SlackAnswer = handler
      ? (authorise(method, token) ?? handler(visibleArgs))
      : { ok: false, error: 'unknown_method' };
    if (!answer.ok) call.error = answer.error;
    await afterCall?.(call);
    json(response, 200, answer);
  };

  const handleUpload = async (request: IncomingMessage, response: ServerResponse, fileId: string) => {
    const file = world.files.get(fileId);
    const raw = await readRaw(request);
    if (!file) {
      response.writeHead(404).end('file not found');
      return;
    }
    file.content = await uploadedText(request.headers['content-type'], raw);
    response.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${raw.length}`);
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const api = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
    const upload = /^\/upload\/v1\/([A-Za-z0-9]+)$/.exec(url.pathname);
    const work =
      request.method === 'POST' && api?.[1]
        ? handleApi(request, response, api[1])
        : request.method === 'POST' && upload?.[1]
          ? handleUpload(request, response, upload[1])
          : Promise.resolve(void response.writeHead(404).end());
    work.catch((error: unknown) => {
      if (!response.headersSent)
        json(response, 500, { ok: false, error: 'fatal_error', detail: String(error) });
    });
  });
  const socketMode = attachSocketMode(server, world, apiAppId);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  world.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const envelopeDefaults = { teamId: world.teamId, apiAppId, botUserId: world.botUserId };
  return {
    apiUrl: `${world.baseUrl}/api/`,
    baseUrl: world.baseUrl,
    teamId: world.teamId,
    botUserId: world.botUserId,
    botId: world.botId,
    apiAppId,
    botToken: world.botToken,
    appToken: world.appToken,
    signingSecret,
    calls: world.calls,
    callsTo: (method) => world.calls.filter((call) => call.method === method),
    messages: (channel) => world.messages.filter((message) => message.channel === channel),
    thread: (channel, threadTs) =>
      world.messages.filter(
        (message) =>
          message.channel === channel && (message.ts === threadTs || message.thread_ts === threadTs),
      ),
    reactions: (channel, ts) => [...(world.reactions.get(`${channel}:${ts}`)?.keys() ?? [])],
    ephemerals: world.ephemerals,
    files: () => [...world.files.values()],
    statuses: world.statuses,
    addUser: (user) => void world.users.set(user.id, user),
    addUserGroup: (id, userIds) => void world.userGroups.set(id, userIds),
    userSays: (input) => {
      const message: FakeSlackMessage = {
        channel: input.channel,
        ts: world.nextTs(),
        ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
        user: input.user,
        text: input.text,
        blocks: undefined,
        edits: [],
      };
      world.messages.push(message);
      return message;
    },
    failNext: (method, rule) =>
      void world.faults.set(method, {
        remaining: rule.times,
        status: rule.status ?? 500,
        ...(rule.matches ? { matches: rule.matches } : {}),
      }),
    rateLimit: (method, rule) =>
      void world.rateLimits.set(method, { remaining: rule.times, retryAfterSeconds: rule.retryAfterSeconds }),
    signRequest: (body, secret = signingSecret, timestampSeconds) =>
      signRequest(body, secret, timestampSeconds),
    envelope: (event, overrides = {}) => envelopeEvent(event, { ...envelopeDefaults, ...overrides }),
    deliverEvent: (url, event, overrides = {}) =>
      deliverEvent(url, event, { secret: signingSecret, ...envelopeDefaults, ...overrides }),
    deliverSlashCommand: (url, fields, overrides = {}) =>
      deliverSlashCommand(
        url,
        { team_id: world.teamId, api_app_id: apiAppId, ...fields },
        { secret: signingSecret, ...overrides },
      ),
    deliverAction: (url, payload, overrides = {}) =>
      deliverAction(url, payload, { secret: signingSecret, ...overrides }),
    socketDeliver: (envelope, deliveryOptions = {}) =>
      socketMode.send(
        {
          type: 'events_api',
          payload: envelope,
          ...(deliveryOptions.retryAttempt !== undefined
            ? { retryAttempt: deliveryOptions.retryAttempt }
            : {}),
          ...(deliveryOptions.retryReason !== undefined ? { retryReason: deliveryOptions.retryReason } : {}),
        },
        { timeoutMs: deliveryOptions.timeoutMs },
      ),
    socketDeliverUntilAcked: (envelope, deliveryOptions) =>
      socketMode.deliverUntilAcked({ type: 'events_api', payload: envelope }, deliveryOptions),
    socketSend: (delivery, sendOptions) => socketMode.send(delivery, sendOptions),
    socketConnectionCount: () => socketMode.connectionCount(),
    socketAcks: socketMode.acks,
    afterCall: (hook) => {
      afterCall = hook;
    },
    close: async () => {
      await socketMode.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
