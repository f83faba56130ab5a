import type { WebClient } from '@slack/web-api';
import type { ContextDocument } from '../../context/types.ts';
import { toSlackBatonError } from './slack-errors.ts';
import type { SlackOrigin } from './slack-origin.ts';
import { truncate } from './slack-text.ts';

export interface FetchSlackThreadOptions {
  client: WebClient;
  origin: SlackOrigin;
  /** Baton's own user id: its status messages and replies are left out. */
  botUserId?: string;
  /** Messages kept at most: the thread's parent and the newest replies. */
  limit: number;
  /** Characters of one message kept (default 4,000). */
  maxMessageChars?: number;
  /** Characters of all messages together (default 20,000); the oldest replies go first. */
  maxTotalChars?: number;
  /** Replies read at most, however long the thread (default 1,000). */
  maxScanned?: number;
}

interface ThreadMessage {
  ts: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  text?: string;
}

/** Subtypes that carry something a person (or another bot) said; joins, topic changes and the like do not. */
const SPOKEN_SUBTYPES = new Set([undefined, 'bot_message', 'thread_broadcast', 'file_share', 'me_message']);

async function readThread(options: FetchSlackThreadOptions): Promise<ThreadMessage[]> {
  const messages: ThreadMessage[] = [];
  const maxScanned = options.maxScanned ?? 1_000;
  let cursor: string | undefined;
  do {
    const page = await options.client.conversations.replies({
      channel: options.origin.channelId,
      ts: options.origin.threadTs,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    for (const message of page.messages ?? []) if (message.ts) messages.push({ ...message, ts: message.ts });
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor && messages.length < maxScanned);
  return messages;
}

function toDocument(message: ThreadMessage, origin: SlackOrigin, maxChars: number): ContextDocument {
  const trusted = message.user === origin.userId && !message.bot_id;
  const author = message.user ? `<@${message.user}>` : `bot ${message.bot_id ?? 'unknown'}`;
  return {
    kind: 'slack-message',
    title: `${trusted ? 'the requester' : author} in the Slack thread (ts ${message.ts})`,
    text: truncate(message.text ?? '', maxChars),
    trusted,
  };
}

/**
 * The Slack thread a request came from, as context: the requester's own messages are trusted,
 * everyone else's are not (they are fenced in the prompt). Baton's messages and the request itself
 * (already the task) are left out. Throws a BatonError when Slack cannot be read.
 */
export async function fetchSlackThread(options: FetchSlackThreadOptions): Promise<ContextDocument[]> {
  const { origin } = options;
  let messages: ThreadMessage[];
  try {
    messages = await readThread(options);
  } catch (error) {
    throw toSlackBatonError(error, 'read the Slack thread');
  }
  const relevant = messages.filter(
    (message) =>
      message.ts !== origin.messageTs &&
      SPOKEN_SUBTYPES.has(message.subtype) &&
      (options.botUserId === undefined || message.user !== options.botUserId) &&
      (message.text ?? '').trim().length > 0,
  );
  const parent = relevant[0]?.ts === origin.threadTs ? relevant[0] : undefined;
  const replies = parent ? relevant.slice(1) : relevant;
  const maxMessageChars = options.maxMessageChars ?? 4_000;
  let budget = options.maxTotalChars ?? 20_000;
  const keep = (message: ThreadMessage) => {
    const document = toDocument(message, origin, maxMessageChars);
    if (document.text.length > budget) return undefined;
    budget -= document.text.length;
    return document;
  };
  const parentDocument = parent ? keep(parent) : undefined;
  const kept: ContextDocument[] = [];
  const room = Math.max(0, options.limit - (parentDocument ? 1 : 0));
  for (const message of (room > 0 ? replies.slice(-room) : []).reverse()) {
    const document = keep(message);
    if (!document) break;
    kept.unshift(document);
  }
  return parentDocument ? [parentDocument, ...kept] : kept;
}
