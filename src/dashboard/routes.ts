import { sendError, sendJson, sendText } from '../gateway/respond.ts';
import type { RouteHandler } from '../gateway/route-table.ts';
import type { Logger } from '../observability/logger.ts';
import type { Item } from '../runs/items.ts';
import type { SqlClient } from '../store/sql-client.ts';
import type { Store } from '../store/types.ts';
import { getRun, listRecentRuns } from './queries.ts';
import { renderRunPage, renderRunsPage } from './render.ts';

export interface DashboardOptions {
  store: Store;
  sql: SqlClient;
  /** Masks secrets in what the pages show (items hold model and tool text). */
  redact: (text: string) => string;
  log: Logger;
}

/** `/runs` (HTML) and `/api/runs` (JSON): the list of runs and each run's items. */
export function createDashboardRoutes(options: DashboardOptions): { pages: RouteHandler; api: RouteHandler } {
  const redactItems = (items: readonly Item[]): Item[] =>
    items.map((item) => ({
      ...item,
      payload: JSON.parse(options.redact(JSON.stringify(item.payload))) as Item['payload'],
    }));

  async function load(turnId: string) {
    const run = await getRun(options.sql, turnId);
    if (!run) return null;
    return { run, items: redactItems(await options.store.listItems(turnId)) };
  }

  const pages: RouteHandler = async (request, response) => {
    const turnId = runIdOf(request.url ?? '', '/runs');
    if (request.method !== 'GET')
      return sendError(response, 405, 'method_not_allowed', 'The dashboard only answers GET.');
    if (!turnId)
      return sendText(
        response,
        200,
        'text/html; charset=utf-8',
        renderRunsPage(await listRecentRuns(options.sql)),
      );
    const loaded = await load(turnId);
    if (!loaded) return sendError(response, 404, 'run_not_found', `No run ${turnId}.`);
    sendText(
      response,
      200,
      'text/html; charset=utf-8',
      options.redact(renderRunPage(loaded.run, loaded.items)),
    );
  };

  const api: RouteHandler = async (request, response) => {
    const turnId = runIdOf(request.url ?? '', '/api/runs');
    if (!turnId) return sendJson(response, 200, { runs: await listRecentRuns(options.sql) });
    const loaded = await load(turnId);
    if (!loaded) return sendError(response, 404, 'run_not_found', `No run ${turnId}.`);
    sendJson(response, 200, { ...loaded.run, items: loaded.items });
  };
  return { pages, api };
}

/** `/runs/abc` → `abc`; `/runs` → null. */
function runIdOf(url: string, prefix: string): string | null {
  const path = url.split('?')[0] ?? '';
  const rest = path.slice(prefix.length).replace(/^\/+/, '').replace(/\/+$/, '');
  return rest ? decodeURIComponent(rest) : null;
}
