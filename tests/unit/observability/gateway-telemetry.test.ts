import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, createRouteTable } from '../../../src/gateway/index.ts';
import { sendError } from '../../../src/gateway/respond.ts';
import { observeItems } from '../../../src/observability/instrument-dispatch.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { createBatonMetrics, createMetricsRegistry } from '../../../src/observability/metrics.ts';
import { traceparentOf } from '../../../src/observability/tracing.ts';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

describe('the gateway under telemetry', () => {
  beforeAll(() => provider.register());
  afterAll(() => provider.shutdown());

  it('continues an incoming traceparent, and counts refused webhook deliveries by reason', async () => {
    const metrics = createBatonMetrics(createMetricsRegistry({ defaults: false }));
    const routes = createRouteTable();
    let seenInHandler: string | undefined;
    routes.register('/webhooks/github', (_request, response) => {
      seenInHandler = traceparentOf();
      sendError(response, 401, 'bad_signature', 'Missing or invalid X-Hub-Signature-256.');
    });
    const gateway = createGateway({
      port: 0,
      host: '127.0.0.1',
      log: createSilentLogger(),
      routes,
      metrics,
      readiness: {},
      tracer: provider.getTracer('baton'),
    });
    const base = `http://127.0.0.1:${await gateway.start()}`;
    try {
      const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const answer = await fetch(`${base}/webhooks/github`, {
        method: 'POST',
        headers: { traceparent: incoming },
        body: '{}',
      });
      expect(answer.status).toBe(401);
      await fetch(`${base}/webhooks/github`, { method: 'POST', body: '{}' });
      const span = exporter
        .getFinishedSpans()
        .find((candidate) => candidate.name === 'POST /webhooks/github');
      expect(span?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(span?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
      expect(seenInHandler).toMatch(/^00-[\da-f]{32}-[\da-f]{16}-01$/);
      expect(metrics.webhookRejected.value({ source: '/webhooks/github', reason: 'bad_signature' })).toBe(2);
      // Health checks are neither spans nor rejections.
      await fetch(`${base}/healthz`);
      expect(exporter.getFinishedSpans().some((candidate) => candidate.name.includes('healthz'))).toBe(false);
    } finally {
      await gateway.stop({ graceMs: 100 });
    }
  });

  it('counts environments by cache hit from the turn items, and ignores repositories with nothing to set up', () => {
    const metrics = createBatonMetrics(createMetricsRegistry({ defaults: false }));
    const observe = observeItems({ metrics });
    const base = { id: 'i', turnId: 't', sequence: 1, startedAt: '', completedAt: null };
    const environment = (cached: boolean, status: 'ready' | 'failed' | 'none') => ({
      ...base,
      payload: {
        type: 'environment' as const,
        status,
        cached,
        key: null,
        commands: [],
        durationMs: 1,
        deniedHosts: [],
        reason: '',
      },
    });
    observe(environment(true, 'ready'));
    observe(environment(false, 'ready'));
    observe(environment(false, 'failed'));
    observe(environment(false, 'none'));
    observe({ ...base, payload: { type: 'status', text: 'hello' } });
    expect(metrics.environments.value({ cached: 'true', status: 'ready' })).toBe(1);
    expect(metrics.environments.value({ cached: 'false', status: 'ready' })).toBe(1);
    expect(metrics.environments.value({ cached: 'false', status: 'failed' })).toBe(1);
    expect(metrics.environments.value({ cached: 'false', status: 'none' })).toBe(0);
  });
});
