/** The fake Slack's world: messages, reactions, users, uploaded files and every recorded call. */

export type SlackArgs = Record<string, unknown>;

export interface RecordedSlackCall {
  method: string;
  args: SlackArgs;
  /** The token the call carried (Authorization header or `token` field); undefined when none. */
  token: string | undefined;
  /** The fake's clock, in milliseconds. */
  at: number;
  /** HTTP status the fake answered (429 when rate limited). */
  status: number;
  /** `error` of an `ok: false` answer. */
  error?: string;
}

export interface FakeMessageEdit {
  text: string | undefined;
  blocks: unknown[] | undefined;
  at: number;
}

export interface FakeSlackMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  /** Author: a user id; the bot's user id for messages the bot posted. */
  user: string;
  bot_id?: string;
  text: string | undefined;
  blocks: unknown[] | undefined;
  files?: { id: string; title: string; name: string }[];
  /** Earlier versions, oldest first; the current version is `text`/`blocks`. */
  edits: FakeMessageEdit[];
  /** Message metadata (`event_type`, `event_payload`), as chat.postMessage took it. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  text: string | undefined;
  blocks: unknown[] | undefined;
  thread_ts?: string;
  message_ts: string;
}

export interface FakeUploadedFile {
  id: string;
  filename: string;
  length: number;
  title?: string;
  /** The bytes posted to the upload URL, as UTF-8. Undefined until uploaded. */
  content?: string;
  /** Set by files.completeUploadExternal. */
  channel?: string;
  thread_ts?: string;
  initialComment?: string;
}

export interface FakeSlackUser {
  id: string;
  name: string;
  realName?: string;
  isBot?: boolean;
}

/** The next `remaining` matching calls answer HTTP `status` (a 5xx outage), then the method recovers. */
export interface FaultRule {
  remaining: number;
  status: number;
  /** Only calls whose arguments match count (e.g. only posts that carry metadata). */
  matches?: (args: SlackArgs) => boolean;
}

export interface RateLimitRule {
  remaining: number;
  retryAfterSeconds: number;
}

export interface FakeSlackWorld {
  teamId: string;
  botUserId: string;
  botId: string;
  botToken: string;
  appToken: string;
  now: () => number;
  calls: RecordedSlackCall[];
  messages: FakeSlackMessage[];
  ephemerals: FakeEphemeral[];
  /** Key `channel:ts` → reaction name → user ids. */
  reactions: Map<string, Map<string, string[]>>;
  users: Map<string, FakeSlackUser>;
  userGroups: Map<string, string[]>;
  files: Map<string, FakeUploadedFile>;
  statuses: { channel_id: string; thread_ts: string; status: string }[];
  rateLimits: Map<string, RateLimitRule>;
  faults: Map<string, FaultRule>;
  /** Base URL of the server, `http://127.0.0.1:PORT`. */
  baseUrl: string;
  /** Socket Mode tickets handed out by apps.connections.open. */
  tickets: Set<string>;
  nextTs(): string;
  nextId(prefix: string): string;
}

export function createWorld(options: {
  teamId: string;
  botUserId: string;
  botId: string;
  botToken: string;
  appToken: string;
  now: () => number;
}): FakeSlackWorld {
  let tsCounter = 0;
  let idCounter = 0;
  return {
    ...options,
    calls: [],
    messages: [],
    ephemerals: [],
    reactions: new Map(),
    users: new Map(),
    userGroups: new Map(),
    files: new Map(),
    statuses: [],
    rateLimits: new Map(),
    faults: new Map(),
    baseUrl: '',
    tickets: new Set(),
    // Strictly increasing, so ordering by ts is ordering by arrival, like Slack's.
    nextTs() {
      tsCounter += 1;
      const seconds = Math.max(Math.floor(options.now() / 1000), 1_700_000_000);
      return `${seconds}.${String(tsCounter).padStart(6, '0')}`;
    },
    nextId(prefix) {
      idCounter += 1;
      return `${prefix}${String(idCounter).padStart(8, '0')}`;
    },
  };
}

export function findMessage(
  world: FakeSlackWorld,
  channel: string,
  ts: string,
): FakeSlackMessage | undefined {
  return world.messages.find((message) => message.channel === channel && message.ts === ts);
}

/**
 * The wire shape of a stored message, as conversations.replies and chat.postMessage answer it.
 * Like Slack, metadata is included only when asked for (`include_all_metadata`).
 */
export function wireMessage(
  message: FakeSlackMessage,
  options: { metadata?: boolean } = {},
): Record<string, unknown> {
  return {
    type: 'message',
    ts: message.ts,
    user: message.user,
    ...(message.bot_id ? { bot_id: message.bot_id } : {}),
    text: message.text ?? '',
    ...(message.blocks ? { blocks: message.blocks } : {}),
    ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    ...(message.files ? { files: message.files } : {}),
    ...(message.edits.length > 0 ? { edited: { user: message.user, ts: message.ts } } : {}),
    ...(options.metadata && message.metadata ? { metadata: message.metadata } : {}),
  };
}
