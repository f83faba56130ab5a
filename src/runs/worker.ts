import type { InboxText } from '../agent/loop.ts';
import type { RunsConfig } from '../config/schema.ts';
import { BatonError, describeError } from '../observability/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { ClaimResult, Store, ThreadRecord, TurnRecord } from '../store/types.ts';
import { runAbortCodeOf } from './cancellation.ts';
import { carryOverInbox, inboxDrainer } from './inbox.ts';
import { limitsOf } from './limits.ts';
import type { TurnQueue } from './queue.ts';
import { type QueuedRequest, queuedRequestOf } from './queued-request.ts';
import { holdTurn } from './turn-lease.ts';

/**
 * Runs one claimed turn and records its outcome (executeTurn does). It should stop promptly when
 * `signal` aborts: `runAbortCodeOf(signal)` says whether the requester cancelled or the worker lost
 * the turn to another (then it must not report or write a final status: the other worker owns it).
 */
export type TurnExecutor = (input: {
  turn: TurnRecord;
  thread: ThreadRecord;
  request: QueuedRequest;
  signal: AbortSignal;
  drainInbox: () => Promise<InboxText[]>;
  /** A worker ran this turn before and stopped; continue from its items. */
  resumed: boolean;
}) => Promise<void>;

export interface WorkerOptions {
  store: Store;
  queue: Pick<TurnQueue, 'send' | 'work' | 'stopWork' | 'pending'>;
  execute: TurnExecutor;
  config: Pick<RunsConfig, 'workerConcurrency' | 'maxGlobal' | 'maxPerRequester' | 'heartbeatSeconds'>;
  /** Unique per process (host + pid + start time); a restarted process may reuse it. */
  workerId: string;
  log: Logger;
  clock?: () => number;
  /** How often a running turn's cancel request is checked. */
  pollMs?: number;
  /** How often turns without a job (a lost send, a dead worker whose retries ran out) are re-sent. */
  sweepMs?: number;
  /** A turn over its limits is looked at again after this long. */
  overLimitDelaySeconds?: number;
  /** A turn that stopped its worker this many times is failed instead of resumed again. */
  maxAttempts?: number;
  /** Told when a turn is given up that way, so the requester hears of it (no silent failure). */
  onAbandoned?: (turn: TurnRecord) => Promise<void>;
  /** Sends the final replies that are due again (failed posts, dead processes); run every `finalsSweepMs`. */
  redeliverFinals?: () => Promise<void>;
  finalsSweepMs?: number;
}

export interface Worker {
  start(): Promise<void>;
  /** Takes no more turns and waits for the running ones. A crash instead leaves them to resume elsewhere. */
  stop(): Promise<void>;
}

const DELIVERY_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** Claims turns from the queue, keeps them alive while they run, and settles them when they end. */
export function createWorker(options: WorkerOptions): Worker {
  const { store, queue, config, workerId } = options;
  const log = options.log.child({ component: 'worker', workerId });
  const clock = options.clock ?? Date.now;
  const running = new Set<string>();
  const claimOptions = {
    staleAfterSeconds: config.heartbeatSeconds,
    limits: limitsOf(config),
    maxAttempts: options.maxAttempts ?? 3,
  };
  let sweepTimer: NodeJS.Timeout | undefined;
  let finalsTimer: NodeJS.Timeout | undefined;
  let finalsSweep: Promise<void> | undefined;

  async function handle(turnId: string): Promise<void> {
    if (running.has(turnId)) return;
    const claim = await store.claimTurn(turnId, workerId, claimOptions);
    await followClaim(turnId, claim);
  }

  async function followClaim(turnId: string, claim: ClaimResult): Promise<void> {
    switch (claim.type) {
      case 'claimed':
        return run(claim.turn, claim.resumed);
      case 'over_limit':
        log.debug({ turnId }, 'turn-over-limit');
        return queue.send(turnId, { delaySeconds: options.overLimitDelaySeconds ?? 2 });
      case 'busy':
        // Look again when its holder would be presumed dead; if it still beats, this repeats.
        return queue.send(turnId, { delaySeconds: Math.max(1, claim.staleInSeconds) });
      case 'exhausted':
        log.error({ turnId, attempt: claim.turn.attempt }, 'turn-abandoned');
        await options.onAbandoned?.(claim.turn).catch((error: unknown) => {
          log.error({ turnId, error: describeError(error) }, 'turn-abandoned-report-failed');
        });
        return;
      case 'finished':
      case 'cancelled':
      case 'missing':
        log.debug({ turnId, claim: claim.type }, 'turn-skipped');
        return;
    }
  }

  async function run(turn: TurnRecord, resumed: boolean): Promise<void> {
    running.add(turn.id);
    const turnLog = log.child({ turnId: turn.id });
    const lease = holdTurn({
      store,
      turnId: turn.id,
      workerId,
      heartbeatMs: (config.heartbeatSeconds * 1000) / 3,
      cancelPollMs: options.pollMs ?? 1000,
      log: turnLog,
    });
    let request: QueuedRequest | undefined;
    try {
      const thread = await store.getThread(turn.threadId);
      request = queuedRequestOf(turn.id, turn.request);
      if (!thread) {
        throw new BatonError({
          code: 'thread_not_found',
          message: `thread ${turn.threadId} of turn ${turn.id} is gone`,
        });
      }
      turnLog.info({ resumed, attempt: turn.attempt }, 'turn-started');
      await options.execute({
        turn,
        thread,
        request,
        signal: lease.signal,
        drainInbox: inboxDrainer(store, turn.id, request.requester.id),
        resumed,
      });
    } catch (error) {
      turnLog.error({ error: describeError(error) }, 'turn-executor-failed');
      const status = runAbortCodeOf(lease.signal) === 'run_cancelled' ? 'cancelled' : 'failed';
      await store.finishTurn(turn.id, workerId, { status, error: describeError(error) });
    } finally {
      lease.release();
      running.delete(turn.id);
    }
    await settle(turn.id, lease.signal, request, turnLog);
  }

  /** A turn the executor left running is closed; messages that raced its end start the next turn. */
  async function settle(
    turnId: string,
    signal: AbortSignal,
    request: QueuedRequest | undefined,
    turnLog: Logger,
  ): Promise<void> {
    const cancelled = runAbortCodeOf(signal) === 'run_cancelled';
    const closed = await store.finishTurn(turnId, workerId, {
      status: cancelled ? 'cancelled' : 'failed',
      error: cancelled ? null : 'the run ended without recording an outcome',
    });
    if (closed) turnLog.warn('turn-closed-without-outcome');
    const final = await store.getTurn(turnId);
    if (!final || !request || final.claimedBy !== workerId || final.status === 'running') return;
    turnLog.info({ status: final.status }, 'turn-ended');
    await carryOverInbox({ store, queue, turn: final, request, log: turnLog });
  }

  async function sweep(): Promise<void> {
    const turns = await store.listDispatchable({ staleAfterSeconds: config.heartbeatSeconds });
    for (const turn of turns) {
      if (running.has(turn.id) || (await queue.pending(turn.id))) continue;
      log.warn({ turnId: turn.id, status: turn.status }, 'turn-redispatched');
      await queue.send(turn.id);
    }
    await store.pruneDeliveries(new Date(clock() - DELIVERY_RETENTION_MS).toISOString());
  }

  function sweepSoon(): void {
    sweep().catch((error: unknown) => log.warn({ error: describeError(error) }, 'sweep-failed'));
  }

  /** One finals sweep at a time: a slow one (Slack retrying) is not overlapped by the next. */
  function sweepFinalsSoon(): void {
    const redeliver = options.redeliverFinals;
    if (!redeliver || finalsSweep) return;
    finalsSweep = redeliver()
      .catch((error: unknown) => log.warn({ error: describeError(error) }, 'finals-sweep-failed'))
      .finally(() => {
        finalsSweep = undefined;
      });
  }

  return {
    async start() {
      await queue.work((turnId) => handle(turnId), { concurrency: config.workerConcurrency });
      sweepSoon();
      sweepTimer = setInterval(sweepSoon, options.sweepMs ?? 60_000);
      sweepTimer.unref();
      if (options.redeliverFinals) {
        finalsTimer = setInterval(sweepFinalsSoon, options.finalsSweepMs ?? 5_000);
        finalsTimer.unref();
      }
      log.info({ concurrency: config.workerConcurrency }, 'worker-started');
    },

    async stop() {
      clearInterval(sweepTimer);
      clearInterval(finalsTimer);
      await finalsSweep;
      await queue.stopWork();
      log.info('worker-stopped');
    },
  };
}
