import type { WebClient } from '@slack/web-api';
import { inSpan, SpanKind, type Tracer } from './tracing.ts';

/*
 * Outbound calls to Slack, GitHub and Linear as client spans. Each SDK offers a different seam:
 * Octokit takes a fetch, Slack's WebClient funnels every method through `apiCall`, and Baton's
 * Linear client is a plain object of methods.
 */

/** A fetch whose every request is a client span (`GET api.github.com`); the URL's query is left out. */
export function tracedFetch(base: typeof fetch, tracer: Tracer, service: string): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    return inSpan(
      tracer,
      `${method} ${service}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': method,
          'server.address': url.hostname,
          'url.path': url.pathname,
          'peer.service': service,
        },
      },
      async (span) => {
        const response = await base(input, init);
        span.setAttribute('http.response.status_code', response.status);
        return response;
      },
    );
  };
}

/** Every Web API method (`chat.postMessage`, `reactions.add`…) as a client span. */
export function traceSlackClient(client: WebClient, tracer: Tracer): WebClient {
  const apiCall = client.apiCall.bind(client);
  client.apiCall = (method, options) =>
    inSpan(
      tracer,
      `slack ${method}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'rpc.system': 'slack', 'rpc.method': method, 'peer.service': 'slack' },
      },
      () => apiCall(method, options),
    );
  return client;
}

/** Each async method of a plain client object as a client span named `<service> <method>`. */
export function traceMethods<T extends object>(client: T, tracer: Tracer, service: string): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(client)) {
    wrapped[name] =
      typeof value === 'function'
        ? (...args: unknown[]) =>
            inSpan(
              tracer,
              `${service} ${name}`,
              {
                kind: SpanKind.CLIENT,
                attributes: { 'rpc.system': service, 'rpc.method': name, 'peer.service': service },
              },
              async () => (value as (...callArgs: unknown[]) => unknown).apply(client, args),
            )
        : value;
  }
  return wrapped as T;
}
