import {
  THREAD_COLUMNS,
  type ThreadRow,
  TURN_COLUMNS,
  type TurnRow,
  threadFromRow,
  turnFromRow,
} from './rows.ts';
import type { SqlExecutor } from './sql-client.ts';
import type { ThreadRecord, TurnRecord } from './types.ts';

/** A turn with its thread: one row of the dashboard's list, the head of a run page. */
export interface RunSummary {
  turn: TurnRecord;
  thread: ThreadRecord;
}

/** Whose runs a reader may see: everything, or their own plus the channels and repositories given to them. */
export type RunVisibility =
  | { type: 'all' }
  | { type: 'scoped'; requesterId: string; channels: readonly string[]; repos: readonly string[] };

export interface RunFilters {
  status?: string;
  repo?: string;
  requester?: string;
  /** The origin's kind: slack, linear, github, cli. */
  origin?: string;
  /** Words of the request text (case-insensitive substring). */
  search?: string;
}

export interface RunPage {
  runs: RunSummary[];
  /** Another page follows this one. */
  hasMore: boolean;
  /** Pass as `before` for the next (older) page; set when `hasMore`. */
  nextCursor?: string;
}

/** Keyset paging: the page after a run is the runs started before it (ties broken by id). */
export interface RunCursor {
  startedAt: string;
  id: string;
}

export function encodeCursor(cursor: RunCursor): string {
  return `${cursor.startedAt}_${cursor.id}`;
}

/** Null for anything that is not a cursor this module wrote. */
export function decodeCursor(text: string | null | undefined): RunCursor | null {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)_([A-Za-z0-9_-]{1,100})$/.exec(text ?? '');
  if (!match?.[1] || !match[2] || Number.isNaN(Date.parse(match[1]))) return null;
  return { startedAt: match[1], id: match[2] };
}

export interface UsageRow {
  key: string;
  runs: number;
  succeeded: number;
  tokens: number;
  costUsd: number;
}

export interface RunUsage {
  byRepo: UsageRow[];
  byRequester: UsageRow[];
  byDay: UsageRow[];
}

export interface RunQueries {
  listRuns(options: {
    visibility: RunVisibility;
    filters?: RunFilters;
    limit: number;
    /** The runs started before this one; the newest when unset. */
    before?: RunCursor;
  }): Promise<RunPage>;
  getRun(turnId: string): Promise<RunSummary | null>;
  /** The values the list's filters offer, among the visible runs. */
  filterValues(visibility: RunVisibility): Promise<{ repos: string[]; requesters: string[] }>;
  /** Runs, successes, tokens and cost since `since` (ISO), by repository, requester and UTC day. */
  usage(options: { visibility: RunVisibility; since: string }): Promise<RunUsage>;
  /** Changes whenever a run starts, ends, changes status or spends tokens: the list's live signal. */
  changeMarker(): Promise<string>;
}

function prefixed(columns: string, alias: string, prefix: string): string {
  return columns
    .split(',')
    .map((column) => `${alias}.${column.trim()} AS ${prefix}${column.trim()}`)
    .join(', ');
}

function unprefix<T>(row: Record<string, unknown>, prefix: string): T {
  return Object.fromEntries(
    Object.entries(row)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value]),
  ) as T;
}

const SELECT_RUNS = `SELECT ${prefixed(TURN_COLUMNS, 'turns', 'turn_')}, ${prefixed(THREAD_COLUMNS, 'threads', 'thread_')}
  FROM turns JOIN threads ON threads.id = turns.thread_id`;

function toSummary(row: Record<string, unknown>): RunSummary {
  return {
    turn: turnFromRow(unprefix<TurnRow>(row, 'turn_')),
    thread: threadFromRow(unprefix<ThreadRow>(row, 'thread_')),
  };
}

/** `%` and `_` in a search are the person's characters, not wildcards. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** WHERE conditions and their parameters, numbered after `params` already holds. */
function conditionsFor(visibility: RunVisibility, filters: RunFilters, params: unknown[]): string[] {
  const add = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions: string[] = [];
  if (visibility.type === 'scoped') {
    // Arms with nothing granted are left out, so a person's own runs come straight from their index.
    const arms = [`turns.requester_id = ${add(visibility.requesterId)}`];
    if (visibility.channels.length)
      arms.push(`threads.origin->>'channelId' = ANY(${add([...visibility.channels])}::text[])`);
    if (visibility.repos.length) arms.push(`threads.repo = ANY(${add([...visibility.repos])}::text[])`);
    conditions.push(`(${arms.join(' OR ')})`);
  }
  if (filters.status) conditions.push(`turns.status = ${add(filters.status)}`);
  if (filters.repo) conditions.push(`threads.repo = ${add(filters.repo)}`);
  if (filters.requester) conditions.push(`turns.requester_id = ${add(filters.requester)}`);
  if (filters.origin) conditions.push(`threads.origin->>'kind' = ${add(filters.origin)}`);
  if (filters.search) conditions.push(`turns.request->>'text' ILIKE ${add(likePattern(filters.search))}`);
  return conditions;
}

const where = (conditions: string[]) => (conditions.length ? `WHERE ${conditions.join(' AND ')}` : '');

async function usageBy(
  sql: SqlExecutor,
  keyExpression: string,
  visibility: RunVisibility,
  since: string,
): Promise<UsageRow[]> {
  const params: unknown[] = [since];
  const conditions = ['turns.started_at >= $1', ...conditionsFor(visibility, {}, params)];
  const { rows } = await sql.query<{
    key: string | null;
    runs: number | string;
    succeeded: number | string;
    tokens: number | string | null;
    cost: number | string | null;
  }>(
    `SELECT ${keyExpression} AS key, count(*) AS runs,
            count(*) FILTER (WHERE turns.status = 'succeeded') AS succeeded,
            sum(turns.tokens) AS tokens, sum(turns.cost_usd) AS cost
       FROM turns JOIN threads ON threads.id = turns.thread_id
       ${where(conditions)}
      GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 200`,
    params,
  );
  return rows.map((row) => ({
    key: row.key ?? '(none)',
    runs: Number(row.runs),
    succeeded: Number(row.succeeded),
    tokens: Number(row.tokens ?? 0),
    costUsd: Number(row.cost ?? 0),
  }));
}

/** The dashboard's read side: lists, one run, usage figures. Reads only. */
export function createRunQueries(sql: SqlExecutor): RunQueries {
  return {
    async listRuns({ visibility, filters = {}, limit, before }) {
      const params: unknown[] = [];
      const conditions = conditionsFor(visibility, filters, params);
      if (before) {
        params.push(before.startedAt, before.id);
        conditions.push(
          `(turns.started_at, turns.id) < ($${params.length - 1}::timestamptz, $${params.length})`,
        );
      }
      params.push(limit + 1);
      const { rows } = await sql.query<Record<string, unknown>>(
        `${SELECT_RUNS} ${where(conditions)}
         ORDER BY turns.started_at DESC, turns.id DESC LIMIT $${params.length}`,
        params,
      );
      const runs = rows.slice(0, limit).map(toSummary);
      const last = runs.at(-1);
      const hasMore = rows.length > limit;
      return {
        runs,
        hasMore,
        ...(hasMore && last
          ? { nextCursor: encodeCursor({ startedAt: last.turn.startedAt, id: last.turn.id }) }
          : {}),
      };
    },

    async getRun(turnId) {
      const { rows } = await sql.query<Record<string, unknown>>(`${SELECT_RUNS} WHERE turns.id = $1`, [
        turnId,
      ]);
      const row = rows[0];
      return row ? toSummary(row) : null;
    },

    async filterValues(visibility) {
      const params: unknown[] = [];
      const conditions = where(conditionsFor(visibility, {}, params));
      const from = 'FROM turns JOIN threads ON threads.id = turns.thread_id';
      const [repos, requesters] = await Promise.all([
        sql.query<{ value: string }>(
          `SELECT DISTINCT threads.repo AS value ${from} ${conditions} ORDER BY 1 LIMIT 500`,
          params,
        ),
        sql.query<{ value: string }>(
          `SELECT DISTINCT turns.requester_id AS value ${from} ${conditions ? `${conditions} AND` : 'WHERE'} turns.requester_id IS NOT NULL ORDER BY 1 LIMIT 500`,
          params,
        ),
      ]);
      return {
        repos: repos.rows.map((row) => row.value),
        requesters: requesters.rows.map((row) => row.value),
      };
    },

    async usage({ visibility, since }) {
      const [byRepo, byRequester, byDay] = await Promise.all([
        usageBy(sql, 'threads.repo', visibility, since),
        usageBy(sql, 'turns.requester_id', visibility, since),
        usageBy(sql, `to_char(turns.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`, visibility, since),
      ]);
      byDay.sort((left, right) => right.key.localeCompare(left.key));
      return { byRepo, byRequester, byDay };
    },

    async changeMarker() {
      // Two index reads, not a scan: the newest start, and the unfinished turns (a partial index).
      // A run that ends leaves the unfinished set, so its end changes the marker too.
      const { rows } = await sql.query<{ newest: Date | string | null; active: string | null }>(
        `SELECT (SELECT started_at FROM turns ORDER BY started_at DESC, id DESC LIMIT 1) AS newest,
                (SELECT string_agg(id || ':' || status || ':' || tokens, ',' ORDER BY id)
                   FROM turns WHERE completed_at IS NULL AND status IN ('queued', 'running', 'waiting')) AS active`,
      );
      const row = rows[0];
      const newest = row?.newest instanceof Date ? row.newest.toISOString() : String(row?.newest ?? '');
      return `${newest}|${row?.active ?? ''}`;
    },
  };
}
