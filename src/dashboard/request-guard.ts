import type { ServerResponse } from 'node:http';
import type { DashboardConfig } from '../config/schema.ts';
import { sendError } from '../gateway/respond.ts';
import type { GatewayRequest } from '../gateway/route-table.ts';
import type { RunFilters } from '../store/run-queries.ts';
import { type Viewer, viewerFor } from './access.ts';
import type { DashboardAuth } from './auth/dashboard-auth.ts';
import { escapeHtml, page } from './html.ts';
import { ORIGINS, STATUSES } from './render-list.ts';

export type Guarded = { type: 'ok'; viewer: Viewer } | { type: 'answered' };

/** Scripts only from this site (the page script), no framing, no sniffing: a second line behind escaping. */
const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

export type Answers = ReturnType<typeof createAnswers>;

/** HTML and error answers, every one masked. */
export function createAnswers(redact: (text: string) => string) {
  const html = (response: ServerResponse, status: number, text: string) => {
    const body = redact(text);
    response.writeHead(status, { ...HTML_HEADERS, 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };
  return {
    html,
    notFound(response: ServerResponse, api: boolean, message: string) {
      if (api) return sendError(response, 404, 'run_not_found', message);
      html(
        response,
        404,
        page({
          title: 'Not found',
          body: `<h1>Not found</h1><p>${escapeHtml(message)}</p><p><a href="/runs">All runs</a></p>`,
        }),
      );
    },
    forbidden(response: ServerResponse, api: boolean, code: string, message: string) {
      if (api) return sendError(response, 403, code, message);
      html(
        response,
        403,
        page({
          title: 'Not allowed',
          body: `<h1>Not allowed</h1><p class="notice error">${escapeHtml(message)}</p>`,
        }),
      );
    },
  };
}

/** Sign-in first (HTML redirects to it, the API answers 401), then CSRF on every POST. */
export function createGuard(options: { auth: DashboardAuth; config: DashboardConfig; answers: Answers }) {
  const { auth, answers } = options;
  return (request: GatewayRequest, response: ServerResponse, api: boolean): Guarded => {
    const found = auth.identify(request);
    if (found.type === 'refused') {
      answers.forbidden(response, api, 'dashboard_forbidden', found.message);
      return { type: 'answered' };
    }
    if (found.type === 'anonymous') {
      if (api) sendError(response, 401, 'unauthenticated', 'Sign in to the dashboard first (/auth/signin).');
      else {
        response.writeHead(302, {
          location: `/auth/signin?next=${encodeURIComponent(request.url ?? '/runs')}`,
        });
        response.end();
      }
      return { type: 'answered' };
    }
    if (request.method === 'POST') {
      const form = new URLSearchParams(request.rawBody.toString('utf8'));
      const header = request.headers['x-csrf-token'];
      const submitted = form.get('csrf') ?? (typeof header === 'string' ? header : undefined);
      if (!auth.checkCsrf(found.identity, submitted)) {
        answers.forbidden(
          response,
          api,
          'csrf_failed',
          'This form is missing its CSRF token or it is out of date. Reload the page and try again.',
        );
        return { type: 'answered' };
      }
    } else if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendError(response, 405, 'method_not_allowed', 'The dashboard answers GET, and POST for its controls.');
      return { type: 'answered' };
    }
    return { type: 'ok', viewer: viewerFor(found.identity, options.config, auth.method) };
  };
}

/** The list's filters from the query string; unknown statuses and origins are ignored, not searched. */
export function filtersOf(url: URL): RunFilters {
  const pick = (name: string, allowed?: readonly string[]) => {
    const value = url.searchParams.get(name)?.trim().slice(0, 200);
    return value && (!allowed || allowed.includes(value)) ? value : undefined;
  };
  return {
    status: pick('status', STATUSES),
    repo: pick('repo'),
    requester: pick('requester'),
    origin: pick('origin', ORIGINS),
    search: pick('search'),
  };
}
