import type { Item, ItemPayload } from '../runs/items.ts';
import type { SqlExecutor } from './sql-client.ts';

export type TurnStatus =
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'waiting'
  | 'cancelled'
  | 'budget_exhausted';

export interface ThreadRecord {
  id: string;
  /** Deterministic per origin: `slack:C1:1700000000.000100`, `linear:<issue id>`, `github:o/r#12`, `cli:<uuid>`. */
  key: string;
  origin: Record<string, unknown>;
  repo: string;
  branch: string;
  pullRequestUrl: string | null;
  createdAt: string;
}

export interface TurnRecord {
  id: string;
  threadId: string;
  status: TurnStatus;
  request: Record<string, unknown>;
  tokens: number;
  costUsd: number;
  error: string | null;
  startedAt: string;
  completedAt: string | null;
  /** Who asked; the key of per-requester limits. Null for turns the CLI ran in-process. */
  requesterId: string | null;
  /** When the turn entered the queue; null for turns the CLI ran in-process. */
  queuedAt: string | null;
  /** The worker running the turn, or the last one that did. */
  claimedBy: string | null;
  /** Times a worker claimed the turn; above 1 it was resumed after a worker stopped. */
  attempt: number;
  heartbeatAt: string | null;
  cancelRequestedAt: string | null;
  cancelRequestedBy: string | null;
}

/** A turn still to finish: waiting in the queue, or claimed by a worker. */
export const ACTIVE_TURN_STATUSES = ['queued', 'running'] as const satisfies readonly TurnStatus[];

export interface InboxMessage {
  id: number;
  turnId: string;
  text: string;
  author: string | null;
  createdAt: string;
}

export type CreateQueuedTurnResult =
  /** A new queued turn; the caller sends it to the queue. */
  | { type: 'created'; turn: TurnRecord }
  /** The thread already has an active turn (queued or running): the message belongs in its inbox. */
  | { type: 'active'; turn: TurnRecord };

export type CancelResult =
  /** It was queued: now cancelled, it never runs. */
  | { type: 'cancelled'; turn: TurnRecord }
  /** It is running: the worker sees the request within about a second and aborts. */
  | { type: 'requested'; turn: TurnRecord }
  /** Finished already, or unknown. */
  | { type: 'inactive' };

export interface TurnLimits {
  /** Running turns in all. */
  maxGlobal: number;
  /** Running turns of one requester. */
  maxPerRequester: number;
}

export interface ClaimOptions {
  /** A running turn whose heartbeat is older than this belongs to a dead worker and may be taken over. */
  staleAfterSeconds: number;
  limits?: TurnLimits;
  /** Claims beyond this (a turn that keeps killing its worker) fail the turn instead. */
  maxAttempts?: number;
}

export type ClaimResult =
  | { type: 'claimed'; turn: TurnRecord; resumed: boolean }
  /** Succeeded, failed, cancelled, waiting …: nothing to do. */
  | { type: 'finished'; turn: TurnRecord }
  /** It was queued with a cancel request; it is now cancelled without running. */
  | { type: 'cancelled'; turn: TurnRecord }
  /** Another worker holds it and heartbeats; unless it beats again, it goes stale in `staleInSeconds`. */
  | { type: 'busy'; turn: TurnRecord; staleInSeconds: number }
  /** Over maxGlobal or maxPerRequester: it stays queued. */
  | { type: 'over_limit'; turn: TurnRecord }
  /** Claimed more than maxAttempts times: marked failed. */
  | { type: 'exhausted'; turn: TurnRecord }
  | { type: 'missing' };

export interface QueueCounts {
  running: number;
  runningForRequester: number;
  /** Queued turns that entered the queue before this one. */
  queuedAhead: number;
  /** Queued turns of the same requester that entered before this one. */
  queuedAheadForRequester: number;
}

/**
 * The final reply of one turn, effectively once: claim, post, confirm. A claim is exclusive until it
 * is confirmed, released (the post failed: retried later with backoff) or its lease lapses (the
 * process died mid-post: whoever claims next first looks for the reply already posted).
 */
export interface FinalLedger {
  /**
   * The claim when this caller may post the final now (the outcome is kept for a later retry), or
   * null. `attempt` above 1: an earlier attempt may have posted it; look before posting again.
   */
  claimFinal(outcome: unknown): Promise<FinalClaim | null>;
  /** The final is posted (or was found posted). */
  confirmFinal(): Promise<void>;
  /** The post failed: `retrying` (due again later) or `undelivered` (given up, recorded). */
  releaseFinal(error: string): Promise<'retrying' | 'undelivered'>;
}

export interface FinalClaim {
  attempt: number;
}

/** Per-turn reporter state (the Slack status message ts and friends), durable across a resume. */
export interface TurnReporterStateStore<State> extends FinalLedger {
  load(): Promise<State | null>;
  save(state: State): Promise<void>;
  /** True exactly once per turn: the caller may post the status message. */
  claimStatusMessage(): Promise<boolean>;
}

/** A final reply that is due: never posted, released after a failure, or claimed by a process that died. */
export interface DueFinal {
  turnId: string;
  origin: string;
  outcome: unknown;
  attempts: number;
}

/** A final reply Baton gave up on after its retries: shown to operators, never dropped silently. */
export interface UndeliveredFinal {
  turnId: string;
  threadId: string;
  origin: string;
  attempts: number;
  lastError: string | null;
  /** The reply's text, as it would have been posted. */
  summary: string;
  createdAt: string;
}

/**
 * What intake does inside one transaction: claim the keys, find or create the thread, queue a turn
 * or append to the active one's inbox. `sql` is the transaction's connection, for a queue that can
 * write its job in the same transaction.
 */
export interface IntakeTransaction
  extends Pick<Store, 'claimDeliveries' | 'upsertThread' | 'createQueuedTurn' | 'appendInbox' | 'countsFor'> {
  readonly sql: SqlExecutor;
}

export interface Store {
  /** Finds the thread by key or creates it. */
  upsertThread(input: {
    key: string;
    origin: Record<string, unknown>;
    repo: string;
    branch: string;
  }): Promise<ThreadRecord>;
  updateThread(id: string, patch: { pullRequestUrl?: string }): Promise<void>;
  getThread(id: string): Promise<ThreadRecord | null>;
  getThreadByKey(key: string): Promise<ThreadRecord | null>;
  createTurn(input: { threadId: string; request: Record<string, unknown> }): Promise<TurnRecord>;
  updateTurn(
    id: string,
    patch: Partial<Pick<TurnRecord, 'status' | 'tokens' | 'costUsd' | 'error' | 'completedAt'>>,
  ): Promise<void>;
  getTurn(id: string): Promise<TurnRecord | null>;
  listTurns(threadId: string): Promise<TurnRecord[]>;
  /** Appends the next item of a turn (sequence assigned atomically). */
  appendItem(turnId: string, payload: ItemPayload, options?: { completed?: boolean }): Promise<Item>;
  completeItem(itemId: string): Promise<void>;
  listItems(turnId: string, options?: { afterSequence?: number }): Promise<Item[]>;

  /** Records every key, atomically: true when all are new; false (and nothing recorded) when any was seen. */
  claimDeliveries(keys: readonly string[]): Promise<boolean>;
  /** Gives claimed keys back when the request could not be placed, so its redelivery is taken. */
  releaseDeliveries(keys: readonly string[]): Promise<void>;
  /** Forgets delivery keys received before `before` (redeliveries come within minutes). */
  pruneDeliveries(before: string): Promise<number>;
  /** A queued turn, unless the thread already has an active one (settled by a unique index, race-free). */
  createQueuedTurn(input: {
    threadId: string;
    request: Record<string, unknown>;
    requesterId: string;
  }): Promise<CreateQueuedTurnResult>;
  findActiveTurn(threadId: string): Promise<TurnRecord | null>;
  /** Queued turns, and running turns whose heartbeat is older than `staleAfterSeconds`, oldest first. */
  listDispatchable(options: { staleAfterSeconds: number; limit?: number }): Promise<TurnRecord[]>;
  /** Adds a message to an active turn's inbox; false when the turn is no longer active. */
  appendInbox(turnId: string, message: { text: string; author?: string }): Promise<boolean>;
  /** The unconsumed messages in arrival order, marked consumed: each is returned once. */
  drainInbox(turnId: string): Promise<InboxMessage[]>;
  requestCancel(turnId: string, by: string): Promise<CancelResult>;
  isCancelRequested(turnId: string): Promise<boolean>;
  /** Takes a queued turn, or a running one whose worker stopped heartbeating, for `workerId`. */
  claimTurn(turnId: string, workerId: string, options: ClaimOptions): Promise<ClaimResult>;
  /** Refreshes the claim; false when the turn is no longer this worker's (finished, or taken over). */
  heartbeat(turnId: string, workerId: string): Promise<boolean>;
  /** Ends a turn still running under `workerId` (the executor did not set a final status). */
  finishTurn(
    turnId: string,
    workerId: string,
    outcome: { status: TurnStatus; error?: string | null },
  ): Promise<boolean>;
  countsFor(turnId: string): Promise<QueueCounts | null>;
  /** Turns waiting in the queue (the queue-depth gauge). */
  countQueued(): Promise<number>;
  loadReporterState(turnId: string): Promise<unknown>;
  saveReporterState(turnId: string, state: unknown): Promise<void>;
  claimStatusMessage(turnId: string): Promise<boolean>;
  /** Records the final as owed (due at `dueAt` unless claimed before); a second record keeps the first. */
  recordFinal(turnId: string, input: { origin: string; outcome: unknown; dueAt: string }): Promise<void>;
  /**
   * Claims the turn's final for `leaseSeconds`: its attempt number, or null when it is delivered,
   * given up, or claimed by another caller whose lease still runs.
   */
  claimFinal(
    turnId: string,
    input: { origin: string; outcome: unknown; leaseSeconds: number },
  ): Promise<number | null>;
  confirmFinal(turnId: string): Promise<void>;
  /** A failed post: due again at `retryAt`, or given up (`undelivered`) when it is null. */
  releaseFinal(turnId: string, input: { error: string; retryAt: string | null }): Promise<void>;
  /** Finals due now (pending, or claimed with a lapsed lease), oldest first. */
  listDueFinals(options?: { limit?: number }): Promise<DueFinal[]>;
  /** Finals given up on, newest first: the dashboard shows them. */
  listUndeliveredFinals(options?: { limit?: number }): Promise<UndeliveredFinal[]>;
  /** Runs `fn` in one transaction; a throw rolls back everything it wrote. */
  inTransaction<T>(fn: (tx: IntakeTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
