import type { Item, ItemPayload } from '../runs/items.ts';

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
  close(): Promise<void>;
}
