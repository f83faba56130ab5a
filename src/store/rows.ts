import type { Item, ItemPayload } from '../runs/items.ts';
import type { ThreadRecord, TurnRecord, TurnStatus } from './types.ts';

/** Column values as either driver returns them: pg gives bigint as string, PGlite as number. */
type Timestamp = Date | string;

export interface ThreadRow {
  id: string;
  key: string;
  origin: Record<string, unknown>;
  repo: string;
  branch: string;
  pull_request_url: string | null;
  created_at: Timestamp;
}

export interface TurnRow {
  id: string;
  thread_id: string;
  status: string;
  request: Record<string, unknown>;
  tokens: number | string | bigint;
  cost_usd: number | string;
  error: string | null;
  started_at: Timestamp;
  completed_at: Timestamp | null;
}

export interface ItemRow {
  id: string;
  turn_id: string;
  sequence: number;
  payload: ItemPayload;
  started_at: Timestamp;
  completed_at: Timestamp | null;
}

export const THREAD_COLUMNS = 'id, key, origin, repo, branch, pull_request_url, created_at';
export const TURN_COLUMNS =
  'id, thread_id, status, request, tokens, cost_usd, error, started_at, completed_at';
export const ITEM_COLUMNS = 'id, turn_id, sequence, payload, started_at, completed_at';

export function threadFromRow(row: ThreadRow): ThreadRecord {
  return {
    id: row.id,
    key: row.key,
    origin: row.origin,
    repo: row.repo,
    branch: row.branch,
    pullRequestUrl: row.pull_request_url,
    createdAt: isoOf(row.created_at),
  };
}

export function turnFromRow(row: TurnRow): TurnRecord {
  return {
    id: row.id,
    threadId: row.thread_id,
    status: row.status as TurnStatus,
    request: row.request,
    tokens: Number(row.tokens),
    costUsd: Number(row.cost_usd),
    error: row.error,
    startedAt: isoOf(row.started_at),
    completedAt: row.completed_at === null ? null : isoOf(row.completed_at),
  };
}

export function itemFromRow(row: ItemRow): Item {
  return {
    id: row.id,
    turnId: row.turn_id,
    sequence: row.sequence,
    payload: row.payload,
    startedAt: isoOf(row.started_at),
    completedAt: row.completed_at === null ? null : isoOf(row.completed_at),
  };
}

function isoOf(value: Timestamp): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
