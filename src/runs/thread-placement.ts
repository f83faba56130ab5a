import { BatonError, describeError } from '../observability/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Store, TurnRecord } from '../store/types.ts';
import type { TurnQueue } from './queue.ts';
import type { QueuedRequest } from './queued-request.ts';

export type Placement =
  /** A new turn, queued and sent to the workers. */
  | { type: 'queued'; turn: TurnRecord }
  /** The thread had an active turn; the text went to its inbox. */
  | { type: 'injected'; turn: TurnRecord };

/** Rounds of "the active turn ended just now, try again"; each needs a turn to end in between. */
const PLACEMENT_ATTEMPTS = 5;

/**
 * Puts a request on its thread: into the active turn's inbox, or as a new queued turn. The unique
 * index on active turns settles races; a turn that ends between the two steps is retried.
 */
export async function placeOnThread(options: {
  store: Pick<Store, 'createQueuedTurn' | 'appendInbox'>;
  queue: Pick<TurnQueue, 'send'>;
  threadId: string;
  request: QueuedRequest;
  log: Logger;
}): Promise<Placement> {
  const { store, request } = options;
  for (let attempt = 0; attempt < PLACEMENT_ATTEMPTS; attempt += 1) {
    const created = await store.createQueuedTurn({
      threadId: options.threadId,
      request: { ...request },
      requesterId: request.requester.id,
    });
    if (created.type === 'created') {
      await sendOrLeaveToSweep(options.queue, created.turn.id, options.log);
      return { type: 'queued', turn: created.turn };
    }
    if (await store.appendInbox(created.turn.id, { text: request.text, author: request.requester.id })) {
      return { type: 'injected', turn: created.turn };
    }
  }
  throw new BatonError({
    code: 'thread_placement_contended',
    message: `thread ${options.threadId}: its active turn kept ending while a message was placed`,
    retryable: true,
  });
}

/**
 * The turn row is already durable; the job is only a wake-up. If the send fails the worker's sweep
 * finds the queued turn without a job and sends it, so the request is not lost.
 */
async function sendOrLeaveToSweep(
  queue: Pick<TurnQueue, 'send'>,
  turnId: string,
  log: Logger,
): Promise<void> {
  try {
    await queue.send(turnId);
  } catch (error) {
    log.warn({ turnId, error: describeError(error) }, 'turn-send-deferred');
  }
}
