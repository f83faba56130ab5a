import type {
  ChatGetPermalinkResponse,
  ChatPostEphemeralResponse,
  ReactionsAddResponse,
  ReactionsRemoveResponse,
} from '@slack/web-api';
import { checkMessageLimits } from './slack-limits.ts';
import {
  type FakeSlackMessage,
  type FakeSlackWorld,
  findMessage,
  type SlackArgs,
  wireMessage,
} from './slack-state.ts';

export type SlackAnswer = { ok: boolean; error?: string } & Record<string, unknown>;
export type MethodHandler = (args: SlackArgs) => SlackAnswer;

const fail = (error: string, extra: Record<string, unknown> = {}): SlackAnswer => ({
  ok: false,
  error,
  ...extra,
});
const string = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const blocksOf = (value: unknown): unknown[] | undefined => (Array.isArray(value) ? value : undefined);

/** `metadata` as Slack takes it: an object (or its JSON) with `event_type` and `event_payload`. */
function metadataOf(value: unknown): FakeSlackMessage['metadata'] {
  let parsed: unknown = value;
  try {
    if (typeof value === 'string') parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { event_type: type, event_payload: payload } = parsed as Record<string, unknown>;
  if (typeof type !== 'string' || typeof payload !== 'object' || payload === null) return undefined;
  return { event_type: type, event_payload: payload as Record<string, unknown> };
}

const wantsMetadata = (args: SlackArgs) =>
  args.include_all_metadata === true || args.include_all_metadata === 'true';

/** Slack answers `no_text` when a message has neither text nor blocks. */
function hasContent(args: SlackArgs): boolean {
  return (
    (typeof args.text === 'string' && args.text.length > 0) ||
    (Array.isArray(args.blocks) && args.blocks.length > 0)
  );
}

function postMessage(world: FakeSlackWorld, args: SlackArgs): SlackAnswer {
  const channel = string(args.channel);
  if (!channel) return fail('channel_not_found');
  if (!hasContent(args)) return fail('no_text');
  const limits = checkMessageLimits(args.text, args.blocks);
  if (limits) return fail(limits.error, limits.errors ? { errors: limits.errors } : {});
  const threadTs = string(args.thread_ts);
  if (threadTs) {
    const parent = findMessage(world, channel, threadTs);
    // Slack wants the parent's ts; a reply's ts is the classic bug. The fake refuses it loudly.
    if (parent?.thread_ts && parent.thread_ts !== parent.ts) return fail('fake_thread_ts_is_a_reply');
  }
  const message: FakeSlackMessage = {
    channel,
    ts: world.nextTs(),
    ...(threadTs ? { thread_ts: threadTs } : {}),
    user: world.botUserId,
    bot_id: world.botId,
    text: string(args.text),
    blocks: blocksOf(args.blocks),
    edits: [],
    ...(metadataOf(args.metadata) ? { metadata: metadataOf(args.metadata) } : {}),
  };
  world.messages.push(message);
  return { ok: true, channel, ts: message.ts, message: wireMessage(message, { metadata: true }) };
}

function update(world: FakeSlackWorld, args: SlackArgs): SlackAnswer {
  const channel = string(args.channel);
  const ts = string(args.ts);
  const message = channel && ts ? findMessage(world, channel, ts) : undefined;
  if (!message) return fail('message_not_found');
  if (message.user !== world.botUserId) return fail('cant_update_message');
  if (!hasContent(args)) return fail('no_text');
  const limits = checkMessageLimits(args.text, args.blocks);
  if (limits) return fail(limits.error, limits.errors ? { errors: limits.errors } : {});
  message.edits.push({ text: message.text, blocks: message.blocks, at: world.now() });
  message.text = string(args.text) ?? message.text;
  message.blocks = blocksOf(args.blocks) ?? message.blocks;
  return {
    ok: true,
    channel: message.channel,
    ts: message.ts,
    text: message.text,
    message: wireMessage(message),
  };
}

function postEphemeral(world: FakeSlackWorld, args: SlackArgs): SlackAnswer {
  const channel = string(args.channel);
  const user = string(args.user);
  if (!channel) return fail('channel_not_found');
  if (!user) return fail('user_not_found');
  if (!hasContent(args)) return fail('no_text');
  const messageTs = world.nextTs();
  world.ephemerals.push({
    channel,
    user,
    text: string(args.text),
    blocks: blocksOf(args.blocks),
    ...(string(args.thread_ts) ? { thread_ts: string(args.thread_ts) } : {}),
    message_ts: messageTs,
  });
  return { ok: true, message_ts: messageTs } satisfies ChatPostEphemeralResponse;
}

function getPermalink(world: FakeSlackWorld, args: SlackArgs): SlackAnswer {
  const channel = string(args.channel);
  const ts = string(args.message_ts);
  const message = channel && ts ? findMessage(world, channel, ts) : undefined;
  if (!message) return fail('message_not_found');
  const thread = message.thread_ts ? `?thread_ts=${message.thread_ts}&cid=${message.channel}` : '';
  return {
    ok: true,
    channel: message.channel,
    permalink: `https://fake.slack.com/archives/${message.channel}/p${message.ts.replace('.', '')}${thread}`,
  } satisfies ChatGetPermalinkResponse;
}

type ReactionTarget = { error: string } | { byName: Map<string, string[]>; name: string };

function reactionTarget(world: FakeSlackWorld, args: SlackArgs): ReactionTarget {
  const channel = string(args.channel);
  const ts = string(args.timestamp);
  const name = string(args.name);
  if (!channel || !ts || !findMessage(world, channel, ts)) return { error: 'message_not_found' };
  if (!name || name.includes(':')) return { error: 'invalid_name' };
  const key = `${channel}:${ts}`;
  const byName = world.reactions.get(key) ?? new Map<string, string[]>();
  world.reactions.set(key, byName);
  return { byName, name };
}

function addReaction(world: FakeSlackWorld, args: SlackArgs): SlackAnswer {
  const target = reactionTarget(world, args);
  if ('error' in target) return fail(target.error);
  const users = target.byName.get(target.name) ?? [];
  if (users.includes(world.botUserId)) return fail('already_reacted');
  target.byName.set(target.name, [...users, world.botUserId]);
  return { ok: true } satisfies ReactionsAddResponse;
}

function removeReaction(world: FakeSlackWorld, args: SlackArgs): SlackAnswer {
  const target = reactionTarget(world, args);
  if ('error' in target) return fail(target.error);
  const users = target.byName.get(target.name) ?? [];
  if (!users.includes(world.botUserId)) return fail('no_reaction');
  const rest = users.filter((user) => user !== world.botUserId);
  if (rest.length > 0) target.byName.set(target.name, rest);
  else target.byName.delete(target.name);
  return { ok: true } satisfies ReactionsRemoveResponse;
}

/** Offset cursors, base64 like Slack's opaque ones. */
function page<T>(items: T[], args: SlackArgs, defaultLimit: number) {
  const limit = Math.max(1, Math.min(Number(args.limit ?? defaultLimit) || defaultLimit, 1000));
  const cursor = string(args.cursor);
  const offset = cursor ? Number(Buffer.from(cursor, 'base64').toString('utf8').replace('offset:', '')) : 0;
  const slice = items.slice(offset, offset + limit);
  const more = offset + limit < items.length;
  return {
    slice,
    has_more: more,
    response_metadata: {
      next_cursor: more ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '',
    },
  };
}

function replies(world: FakeSlackWorld, args: SlackArgs): SlackAnswer {
  const channel = string(args.channel);
  const ts = string(args.ts);
  const parent = channel && ts ? findMessage(world, channel, ts) : undefined;
  if (!parent) return fail('thread_not_found');
  const root = parent.thread_ts ?? parent.ts;
  const thread = world.messages
    .filter((message) => message.channel === channel && (message.ts === root || message.thread_ts === root))
    .sort((left, right) => left.ts.localeCompare(right.ts));
  const { slice, ...paging } = page(thread, args, 1000);
  const metadata = wantsMetadata(args);
  return { ok: true, messages: slice.map((message) => wireMessage(message, { metadata })), ...paging };
}

function history(world: FakeSlackWorld, args: SlackArgs): SlackAnswer {
  const channel = string(args.channel);
  if (!channel) return fail('channel_not_found');
  const topLevel = world.messages
    .filter(
      (message) => message.channel === channel && (!message.thread_ts || message.thread_ts === message.ts),
    )
    .sort((left, right) => right.ts.localeCompare(left.ts));
  const { slice, ...paging } = page(topLevel, args, 100);
  const metadata = wantsMetadata(args);
  return { ok: true, messages: slice.map((message) => wireMessage(message, { metadata })), ...paging };
}

export function chatMethods(world: FakeSlackWorld): Record<string, MethodHandler> {
  return {
    'chat.postMessage': (args) => postMessage(world, args),
    'chat.update': (args) => update(world, args),
    'chat.postEphemeral': (args) => postEphemeral(world, args),
    'chat.getPermalink': (args) => getPermalink(world, args),
    'reactions.add': (args) => addReaction(world, args),
    'reactions.remove': (args) => removeReaction(world, args),
    'conversations.replies': (args) => replies(world, args),
    'conversations.history': (args) => history(world, args),
  };
}
