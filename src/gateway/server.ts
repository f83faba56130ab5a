import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { BatonError } from '../observability/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { BatonMetrics } from '../observability/metrics.ts';
import {
  contextOfTraceparent,
  defaultTracer,
  inSpan,
  SpanKind,
  type Tracer,
} from '../observability/tracing.ts';
import { type ReadinessChecks, serveHealth, serveMetrics, serveReadiness } from './health-routes.ts';
import { readBody } from './read-body.ts';
import { errorCodeOf, sendError } from './respond.ts';
import {
  type GatewayRequest,
  RESERVED_PATHS,
  type RouteHandler,
  type RouteMatch,
  type RouteTable,
} from './route-table.ts';

export interface GatewayOptions {
  port: number;
  host: string;
  log: Logger;
  /** Slack events, webhooks and the dashboard register here; the gateway serves health and metrics itself. */
  routes: RouteTable;
  readiness: ReadinessChecks;
  metrics: BatonMetrics;
  /** Larger bodies answer 413. Slack's payloads are a few KB; GitHub's can reach 25 MB, so its route may want more. */
  maxBodyBytes?: number;
  readinessTimeoutMs?: number;
  /** Milliseconds, monotonic; for the ack-latency histogram. */
  now?: () => number;
  /** Spans for served routes (not health or metrics); an incoming `traceparent` is their parent. */
  tracer?: Tracer;
}

export interface Gateway {
  /** Listens and resolves with the bound port (useful with port 0). */
  start(): Promise<number>;
  /** Stops accepting, lets in-flight requests finish for `graceMs`, then drops what is left. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

/** Front doors whose refused deliveries (bad signature, stale timestamp) are counted. */
const WEBHOOK_ROUTES = new Set(['/slack/events', '/webhooks/github', '/webhooks/linear']);
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function createGateway(options: GatewayOptions): Gateway {
  const { log, routes, metrics } = options;
  const now = options.now ?? (() => performance.now());
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const readinessTimeoutMs = options.readinessTimeoutMs ?? 2000;
  const tracer = options.tracer ?? defaultTracer();

  async function dispatch(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    match: RouteMatch,
  ): Promise<void> {
    switch (path) {
      case '/healthz':
        return serveHealth(response);
      case '/readyz':
        return serveReadiness(response, options.readiness, readinessTimeoutMs);
      case '/metrics':
        return serveMetrics(response, metrics);
    }
    switch (match.type) {
      case 'none':
        return sendError(response, 404, 'not_found', `Nothing is served at ${path}.`);
      case 'slot':
        return sendError(response, 404, 'not_configured', match.explanation);
      case 'handler':
        return serveRoute(request, response, match.handler);
    }
  }

  async function serveRoute(request: IncomingMessage, response: ServerResponse, handler: RouteHandler) {
    const body = BODY_METHODS.has(request.method ?? '')
      ? await readBody(request, maxBodyBytes)
      : { type: 'ok' as const, body: Buffer.alloc(0) };
    switch (body.type) {
      case 'too_large':
        if (response.destroyed) return;
        response.setHeader('connection', 'close');
        return sendError(
          response,
          413,
          'body_too_large',
          `Request bodies are limited to ${maxBodyBytes} bytes.`,
        );
      case 'aborted':
        return;
      case 'ok': {
        const buffered: GatewayRequest = Object.assign(request, { rawBody: body.body });
        return handler(buffered, response);
      }
    }
  }

  /** The label for metrics: a served path, never the raw URL (unbounded cardinality). */
  function routeLabel(path: string, match: RouteMatch): string {
    if (RESERVED_PATHS.includes(path)) return path;
    return match.type === 'none' ? 'unmatched' : match.path;
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const started = now();
    const path = new URL(request.url ?? '/', 'http://gateway.invalid').pathname;
    const match = routes.match(path);
    const route = routeLabel(path, match);
    response.on('finish', () => {
      metrics.ackLatency.observe((now() - started) / 1000, { route });
      if (WEBHOOK_ROUTES.has(route) && (response.statusCode === 401 || response.statusCode === 403)) {
        const reason = errorCodeOf(response) ?? `http_${response.statusCode}`;
        metrics.webhookRejected.inc({ source: route, reason });
      }
      log.debug({ method: request.method, path, status: response.statusCode }, 'request-served');
    });
    const served =
      match.type === 'handler'
        ? inSpan(
            tracer,
            `${request.method ?? 'GET'} ${match.path}`,
            {
              kind: SpanKind.SERVER,
              parent: contextOfTraceparent(headerValue(request.headers.traceparent)),
              attributes: { 'http.request.method': request.method ?? 'GET', 'http.route': match.path },
            },
            async (span) => {
              await dispatch(request, response, path, match);
              span.setAttribute('http.response.status_code', response.statusCode);
            },
          )
        : dispatch(request, response, path, match);
    served.catch((error: unknown) => {
      log.error({ err: error, path }, 'request-failed');
      if (!response.headersSent)
        sendError(response, 500, 'internal_error', 'The request could not be handled.');
      else response.end();
    });
  }

  let server: Server | undefined;

  return {
    start() {
      const listening = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, handle);
      server = listening;
      return new Promise((resolve, reject) => {
        listening.once('error', (error: NodeJS.ErrnoException) =>
          reject(
            new BatonError({
              code: 'gateway.listen_failed',
              message: `The gateway could not listen on ${options.host}:${options.port}: ${error.message}`,
              hint: error.code === 'EADDRINUSE' ? 'set PORT to a free port or stop what uses it' : undefined,
              cause: error,
            }),
          ),
        );
        listening.listen(options.port, options.host, () => {
          const port = (listening.address() as AddressInfo).port;
          log.info({ host: options.host, port, routes: routes.paths() }, 'gateway-listening');
          resolve(port);
        });
      });
    },
    async stop({ graceMs = 5000 } = {}) {
      const closing = server;
      server = undefined;
      if (!closing?.listening) return;
      const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
      closing.closeIdleConnections();
      const timer = setTimeout(() => closing.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

const headerValue = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;
