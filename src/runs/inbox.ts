import type { InboxText } from '../agent/loop.ts';
import type { Logger } from '../observability/logger.ts';
import type { Store, TurnRecord } from '../store/types.ts';
import type { TurnQueue } from './queue.ts';
import type { QueuedRequest } from './queued-request.ts';
import { type Placement, placeOnThread } from './thread-placement.ts';

/**
 * The executor's `drainInbox`: the messages that arrived since the last call, each once, in order.
 * Only the requester's own are trusted; anyone else's words in the thread are fenced for the model.
 */
export function inboxDrainer(
  store: Pick<Store, 'drainInbox'>,
  turnId: string,
  requesterId?: string,
): () => Promise<InboxText[]> {
  return async () =>
    (await store.drainInbox(turnId)).map((message) => ({
      text: message.text,
      author: message.author ?? undefined,
      fromRequester: requesterId === undefined || message.author === null || message.author === requesterId,
    }));
}

/**
 * Messages that reached a turn's inbox after its last drain (they raced its end) start the next
 * turn on the same thread, so none is silently dropped. A cancelled turn's leftovers are dropped:
 * the requester asked it to stop.
 */
export async function carryOverInbox(options: {
  store: Pick<Store, 'drainInbox' | 'createQueuedTurn' | 'appendInbox'>;
  queue: Pick<TurnQueue, 'send'>;
  turn: TurnRecord;
  request: QueuedRequest;
  log: Logger;
}): Promise<Placement | undefined> {
  const { turn, log } = options;
  const leftovers = await options.store.drainInbox(turn.id);
  const first = leftovers[0];
  const last = leftovers.at(-1);
  if (!first || !last) return undefined;
  if (turn.status === 'cancelled') {
    log.info({ turnId: turn.id, dropped: leftovers.length }, 'inbox-dropped-after-cancel');
    return undefined;
  }
  const followUp: QueuedRequest = {
    ...options.request,
    requester: { id: first.author ?? options.request.requester.id },
    text: leftovers.map((message) => message.text).join('\n\n'),
    receivedAt: last.createdAt,
    dedupeKeys: [],
  };
  const placement = await placeOnThread({ ...options, threadId: turn.threadId, request: followUp });
  log.info({ turnId: turn.id, next: placement.turn.id, messages: leftovers.length }, 'inbox-carried-over');
  return placement;
}
