import { inSpan, SpanKind, type Tracer } from './tracing.ts';

/*
 * Outbound calls to Slack, GitHub and Linear as client spans. Octokit and Slack's WebClient take a
 * fetch; Baton's Linear client is a plain object of methods.
 */

/**
 * A fetch whose every request is a client span, named `GET github` by default (paths hold ids, and
 * span names should not), or by `nameOf`; the URL's query is never recorded.
 */
export function tracedFetch(
  base: typeof fetch,
  tracer: Tracer,
  service: string,
  nameOf: (url: URL, method: string) => string = (_url, method) => `${method} ${service}`,
): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    return inSpan(
      tracer,
      nameOf(url, method),
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

/** Slack Web API calls are named by method: `slack chat.postMessage`. */
export const slackSpanName = (url: URL): string => `slack ${url.pathname.split('/').pop() ?? 'api'}`;
