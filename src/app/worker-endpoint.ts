import { createRouteTable } from '../gateway/route-table.ts';
import { createGateway } from '../gateway/server.ts';
import type { Logger } from '../observability/logger.ts';
import type { BatonMetrics } from '../observability/metrics.ts';
import type { TurnQueue } from '../runs/queue.ts';
import type { SqlClient } from '../store/index.ts';

/**
 * A worker-only process has no gateway, yet must be scraped and health-checked: the same server
 * with no routes of its own, answering /metrics, /healthz and /readyz.
 */
export async function startWorkerEndpoint(options: {
  port: number;
  host: string;
  sql: SqlClient;
  queue: Pick<TurnQueue, 'ready'>;
  metrics: BatonMetrics;
  log: Logger;
}): Promise<{ port: number; stop(): Promise<void> }> {
  const endpoint = createGateway({
    port: options.port,
    host: options.host,
    log: options.log,
    routes: createRouteTable(),
    metrics: options.metrics,
    readiness: {
      store: () => options.sql.query('SELECT 1'),
      queue: async () => {
        if (!(await options.queue.ready())) throw new Error('the queue is not ready');
      },
    },
  });
  const port = await endpoint.start();
  return { port, stop: () => endpoint.stop() };
}
