import type { RunsConfig } from '../config/schema.ts';
import type { Logger } from '../observability/logger.ts';
import type { Store } from '../store/types.ts';
import { limitsOf, queuePosition } from './limits.ts';
import type { TurnQueue } from './queue.ts';
import type { QueuedRequest } from './queued-request.ts';
import { threadBranch } from './run-turn.ts';
import { threadKeyOf } from './task-request.ts';
import { placeOnThread } from './thread-placement.ts';

export type SubmitResult =
  /** Every dedupe key or some of them were seen before: a redelivery; nothing happened. */
  | { type: 'duplicate' }
  /** A new turn. `position` 0: it starts as soon as a worker picks it up; N: N turns go first. */
  | { type: 'queued'; turnId: string; threadId: string; position: number }
  /** The thread's active turn gets the text before its next model call. */
  | { type: 'injected'; turnId: string; threadId: string };

export type CancelTarget = { turnId: string } | { threadKey: string };

export interface Intake {
  submit(request: QueuedRequest): Promise<SubmitResult>;
  /** A queued turn is cancelled at once; a running one is aborted by its worker within about a second. */
  cancel(target: CancelTarget, by: string): Promise<{ cancelled: boolean; turnId?: string }>;
}

export interface IntakeOptions {
  store: Store;
  /** Given the transaction's connection, the queue writes the turn's job in the same transaction. */
  queue: Pick<TurnQueue, 'send'>;
  config: Pick<RunsConfig, 'maxGlobal' | 'maxPerRequester'>;
  /** `config.git.branchPrefix`: every turn of a thread works on `threadBranch(prefix, key)`. */
  branchPrefix: string;
  log: Logger;
}

/**
 * The gateway's way in: one transaction of a few statements, no network, so the trigger can ack in
 * time. Dedupe first, then the thread, then the turn and its job, or the inbox.
 */
export function createIntake(options: IntakeOptions): Intake {
  const { store } = options;
  const log = options.log.child({ component: 'intake' });
  const limits = limitsOf(options.config);

  return {
    async submit(request) {
      const key = request.threadKey ?? threadKeyOf(request.origin);
      // One transaction: the keys, the thread, the turn (or inbox message) and the turn's job commit
      // together. A failure or a death anywhere in it leaves nothing claimed, so the retry is taken.
      const outcome = await store.inTransaction(async (tx) => {
        if (!(await tx.claimDeliveries(request.dedupeKeys))) return { type: 'duplicate' } as const;
        const thread = await tx.upsertThread({
          key,
          origin: { ...request.origin },
          repo: request.repo,
          branch: threadBranch(options.branchPrefix, key),
        });
        const placement = await placeOnThread({
          store: tx,
          queue: { send: (turnId) => options.queue.send(turnId, { within: tx.sql }) },
          threadId: thread.id,
          request,
          log,
        });
        const counts = placement.type === 'queued' ? await tx.countsFor(placement.turn.id) : null;
        return { type: 'placed', thread, placement, counts } as const;
      });
      if (outcome.type === 'duplicate') {
        log.info({ keys: request.dedupeKeys }, 'request-duplicate');
        return { type: 'duplicate' };
      }
      const { thread, placement, counts } = outcome;
      switch (placement.type) {
        case 'injected':
          log.info({ turnId: placement.turn.id, thread: key }, 'request-injected');
          return { type: 'injected', turnId: placement.turn.id, threadId: thread.id };
        case 'queued': {
          const position = counts ? queuePosition(counts, limits) : 0;
          log.info({ turnId: placement.turn.id, thread: key, position }, 'request-queued');
          return { type: 'queued', turnId: placement.turn.id, threadId: thread.id, position };
        }
      }
    },

    async cancel(target, by) {
      const turnId = await activeTurnOf(store, target);
      if (!turnId) return { cancelled: false };
      const result = await store.requestCancel(turnId, by);
      log.info({ turnId, by, result: result.type }, 'cancel-requested');
      return { cancelled: result.type !== 'inactive', turnId };
    },
  };
}

async function activeTurnOf(store: Store, target: CancelTarget): Promise<string | undefined> {
  if ('turnId' in target) return target.turnId;
  const thread = await store.getThreadByKey(target.threadKey);
  if (!thread) return undefined;
  return (await store.findActiveTurn(thread.id))?.id;
}
