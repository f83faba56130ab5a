import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createGateway,
  createRouteTable,
  type Gateway,
  type RouteTable,
} from '../../../src/gateway/index.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { type BatonMetrics, createBatonMetrics } from '../../../src/observability/metrics.ts';

describe('the gateway', () => {
  let gateway: Gateway;
  let routes: RouteTable;
  let metrics: BatonMetrics;
  let base: string;
  let queueUp: boolean;

  beforeEach(async () => {
    routes = createRouteTable();
    metrics = createBatonMetrics();
    queueUp = true;
    gateway = createGateway({
      port: 0,
      host: '127.0.0.1',
      log: createSilentLogger(),
      routes,
      metrics,
      maxBodyBytes: 1024,
      readiness: {
        store: async () => undefined,
        queue: async () => {
          if (!queueUp) throw new Error('connect ECONNREFUSED postgres://baton:hunter2secret@db:5432/baton');
        },
      },
    });
    base = `http://127.0.0.1:${await gateway.start()}`;
  });
  afterEach(async () => {
    await gateway.stop({ graceMs: 100 });
  });

  it('answers /healthz while the process is up', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz 200 when store and queue answer, 503 naming the failed one (credentials masked) when not', async () => {
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { store: 'ok', queue: 'ok' } });

    queueUp = false;
    const unready = await fetch(`${base}/readyz`);
    expect(unready.status).toBe(503);
    const body = (await unready.json()) as { checks: Record<string, string> };
    expect(body).toMatchObject({ status: 'unavailable', failed: ['queue'], checks: { store: 'ok' } });
    expect(body.checks.queue).toContain('ECONNREFUSED');
    expect(JSON.stringify(body)).not.toContain('hunter2secret');
  });

  it('passes the raw body to a registered route and explains empty webhook slots with a JSON 404', async () => {
    const seen: string[] = [];
    routes.register('/webhooks/github', (request, response) => {
      seen.push(request.rawBody.toString('utf8'));
      response.writeHead(202).end();
    });
    const posted = await fetch(`${base}/webhooks/github`, {
      method: 'POST',
      body: '{"zen":"Keep it logically awesome."}',
    });
    expect(posted.status).toBe(202);
    expect(seen).toEqual(['{"zen":"Keep it logically awesome."}']);

    const linear = await fetch(`${base}/webhooks/linear`, { method: 'POST', body: '{}' });
    expect(linear.status).toBe(404);
    expect(await linear.json()).toEqual({
      error: 'not_configured',
      message: 'Linear webhooks are not configured on this server: set LINEAR_WEBHOOK_SECRET.',
    });
  });

  it('answers an unknown path with 404 and a body over the limit with 413, without calling the route', async () => {
    let called = 0;
    routes.register('/webhooks/linear', (_request, response) => {
      called += 1;
      response.writeHead(200).end();
    });
    const unknown = await fetch(`${base}/wp-admin`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'not_found' });

    const tooLarge = await fetch(`${base}/webhooks/linear`, { method: 'POST', body: 'x'.repeat(4096) });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ error: 'body_too_large' });
    expect(called).toBe(0);
  });

  it('serves Prometheus text with the front-door counters and the ack-latency histogram by route', async () => {
    metrics.eventsReceived.inc({ source: 'slack', type: 'app_mention' });
    metrics.eventsReceived.inc({ source: 'slack', type: 'app_mention' });
    metrics.duplicates.inc({ source: 'slack' });
    metrics.refusals.inc({ source: 'slack', reason: 'unauthorised' });
    metrics.runsQueued.inc({ source: 'slack', type: 'queued' });
    await fetch(`${base}/healthz`);

    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    expect(text).toContain('# TYPE baton_events_received_total counter');
    expect(text).toContain('baton_events_received_total{source="slack",type="app_mention"} 2');
    expect(text).toContain('baton_events_duplicate_total{source="slack"} 1');
    expect(text).toContain('baton_requests_refused_total{reason="unauthorised",source="slack"} 1');
    expect(text).toContain('baton_runs_queued_total{source="slack",type="queued"} 1');
    expect(text).toContain('# TYPE baton_http_ack_seconds histogram');
    expect(text).toContain('baton_http_ack_seconds_count{route="/healthz"} 1');
    expect(text).toMatch(/baton_http_ack_seconds_bucket\{le="\+Inf",route="\/healthz"\} 1/);
    // prom-client adds the process defaults.
    expect(text).toContain('# TYPE baton_process_resident_memory_bytes gauge');
  });

  it('refuses to let a module register over the paths it serves itself', () => {
    expect(() => routes.register('/metrics', () => undefined)).toThrow('served by the gateway itself');
  });
});
