/**
 * The server side of the tracing-overhead ack benchmark, in a process of its own: the gateway with
 * one route that goes through the instrumented intake (over an intake that does nothing), traced
 * or not as argv[2] says. Sends its port to the parent over IPC.
 */
import type { ExportResult } from '@opentelemetry/core';
import { BatchSpanProcessor, NodeTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { createRouteTable } from '../src/gateway/route-table.ts';
import { createGateway } from '../src/gateway/server.ts';
import { instrumentIntake } from '../src/observability/instrument-dispatch.ts';
import { createSilentLogger } from '../src/observability/logger.ts';
import { createBatonMetrics, createMetricsRegistry } from '../src/observability/metrics.ts';
import { defaultTracer } from '../src/observability/tracing.ts';

if (process.argv[2] === 'on') {
  const discard = {
    export: (_spans: ReadableSpan[], done: (result: ExportResult) => void) => done({ code: 0 }),
    shutdown: async () => {},
  };
  new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(discard)] }).register();
}
const metrics = createBatonMetrics(createMetricsRegistry({ defaults: false }));
const intake = instrumentIntake(
  {
    submit: async () => ({ type: 'duplicate' }),
    cancel: async () => ({ cancelled: false }),
  },
  { tracer: defaultTracer(), metrics },
);
const routes = createRouteTable();
routes.register('/bench', async (request, response) => {
  await intake.submit({
    origin: { kind: 'cli', path: '/bench' },
    requester: { id: 'bench' },
    text: request.rawBody.toString(),
    repo: 'bench',
    receivedAt: new Date().toISOString(),
    dedupeKeys: ['bench'],
  });
  response.writeHead(200).end('ok');
});
const gateway = createGateway({
  port: 0,
  host: '127.0.0.1',
  log: createSilentLogger(),
  routes,
  readiness: {},
  metrics,
});
process.send?.(await gateway.start());
process.once('SIGTERM', () => void gateway.stop().then(() => process.exit(0)));
