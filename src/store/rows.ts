import type { Item, ItemPayload } from '../runs/items.ts';
import type { InboxMessage, ThreadRecord, TurnRecord, TurnStatus } from './types.ts';

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
  requester_id: string | null;
  queued_at: Timestamp | null;
  claimed_by: string | null;
  attempt: number;
  heartbeat_at: Timestamp | null;
  cancel_requested_at: Timestamp | null;
  cancel_requested_by: string | null;
}

export interface InboxRow {
  id: number | string;
  turn_id: string;
  text: string;
  author: string | null;
  created_at: Timestamp;
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
  'id, thread_id, status, request, tokens, cost_usd, error, started_at, completed_at, requester_id, queued_at, ' +
  'claimed_by, attempt, heartbeat_at, cancel_requested_at, cancel_requested_by';
export const INBOX_COLUMNS = 'id, turn_id, text, author, created_at';
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
    requesterId: row.requester_id,
    queuedAt: optionalIsoOf(row.queued_at),
    claimedBy: row.claimed_by,
    attempt: Number(row.attempt),
    heartbeatAt: optionalIsoOf(row.heartbeat_at),
    cancelRequestedAt: optionalIsoOf(row.cancel_requested_at),
    cancelRequestedBy: row.cancel_requested_by,
  };
}

export function inboxMessageFromRow(row: InboxRow): InboxMessage {
  return {
    id: Number(row.id),
    turnId: row.turn_id,
    text: row.text,
    author: row.author,
    createdAt: isoOf(row.created_at),
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

function optionalIsoOf(value: Timestamp | null): string | null {
  return value === null ? null : isoOf(value);
}

function isoOf(value: Timestamp): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
