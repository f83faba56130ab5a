import { parseConfig } from '../../src/config/index.ts';
import { createDashboardAuth } from '../../src/dashboard/auth/dashboard-auth.ts';
import { createBranchDiff } from '../../src/dashboard/branch-diff.ts';
import { createDashboardRoutes } from '../../src/dashboard/routes.ts';
import { createGateway, createRouteTable } from '../../src/gateway/index.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createBatonMetrics } from '../../src/observability/metrics.ts';
import { createRunQueries, openStore, type SqlClient, type Store } from '../../src/store/index.ts';

export interface DashboardBenchServer {
  store: Store;
  sql: SqlClient;
  url(path: string): string;
  close(): Promise<void>;
}

/**
 * The dashboard alone on the gateway, over embedded PGlite in memory, signed in by a trusted proxy
 * header (`x-forwarded-email`), so a benchmark can ask as an admin or as an ordinary person.
 */
export async function startDashboardBenchServer(
  options: { admins?: string[]; pollMs?: number } = {},
): Promise<DashboardBenchServer> {
  const { store, sql } = await openStore();
  const log = createLogger({ level: 'silent' });
  const config = parseConfig({ dashboard: { admins: options.admins ?? ['admin@example.com'] } });
  const routes = createRouteTable();
  const auth = createDashboardAuth({
    method: { type: 'proxy', header: 'x-forwarded-email', trustedProxies: ['127.0.0.1', '::1'] },
    sessionSecret: 'bench',
    sessionHours: 1,
    log,
  });
  const dashboard = createDashboardRoutes({
    store,
    queries: createRunQueries(sql),
    auth,
    config: config.dashboard,
    intake: {
      submit: async () => ({ type: 'duplicate' }),
      cancel: async () => ({ cancelled: false }),
    },
    originLink: async () => ({ label: 'Slack thread' }),
    branchDiff: createBranchDiff({
      mirrorPath: () => undefined,
      defaultBranch: () => undefined,
      hostEnv: {},
    }),
    redact: (text) => text,
    log,
    pollMs: options.pollMs,
  });
  routes.register('/runs', dashboard.pages, { prefix: true });
  routes.register('/api/runs', dashboard.api, { prefix: true });
  routes.register('/assets/dashboard.js', dashboard.script);
  const gateway = createGateway({
    port: 0,
    host: '127.0.0.1',
    log,
    routes,
    readiness: { store: () => sql.query('SELECT 1'), queue: async () => {} },
    metrics: createBatonMetrics(),
  });
  const port = await gateway.start();
  return {
    store,
    sql,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    async close() {
      await gateway.stop({ graceMs: 100 });
      await store.close();
    },
  };
}

/**
 * `count` runs over 200 threads, 5 repositories and 50 requesters, spread over 30 days, in one
 * statement (the store's own inserts would take minutes and measure nothing of the dashboard).
 */
export async function seedRuns(sql: SqlClient, count: number): Promise<void> {
  await sql.query(
    `INSERT INTO threads (id, key, origin, repo, branch, created_at)
     SELECT 'thread-' || n, 'slack:T1:C' || (n % 20) || ':' || n,
            jsonb_build_object('kind', 'slack', 'teamId', 'T1', 'channelId', 'C' || (n % 20), 'threadTs', n || '.000100'),
            'acme/repo-' || (n % 5), 'baton/' || n, now() - (n || ' minutes')::interval
       FROM generate_series(1, 200) AS n`,
  );
  await sql.query(
    `INSERT INTO turns (id, thread_id, status, request, tokens, cost_usd, started_at, completed_at, requester_id, queued_at)
     SELECT 'turn-' || n, 'thread-' || (n % 200 + 1),
            (ARRAY['succeeded','failed','succeeded','cancelled','succeeded'])[n % 5 + 1],
            jsonb_build_object('text', 'fix the flaky test number ' || n || ' in the billing module',
                               'requester', jsonb_build_object('id', 'U' || (n % 50)), 'origin', jsonb_build_object('kind', 'slack')),
            1000 + n, (1000 + n) / 1e6, now() - (n * 4 || ' minutes')::interval, now() - (n * 4 - 2 || ' minutes')::interval,
            'U' || (n % 50), now() - (n * 4 || ' minutes')::interval
       FROM generate_series(1, $1::int) AS n`,
    [count],
  );
}
