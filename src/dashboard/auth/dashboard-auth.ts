import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendText } from '../../gateway/respond.ts';
import type { GatewayRequest, RouteHandler } from '../../gateway/route-table.ts';
import { describeError } from '../../observability/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { cookie, readCookies } from './cookies.ts';
import { isHttps, isLoopback, isLoopbackHost, peerAddress, safeReturnPath } from './peer.ts';
import { renderSignInPage, type SignInPageOptions } from './sign-in-page.ts';
import { createSigner, safeEqual } from './signed-token.ts';
import type { SlackOidc } from './slack-oidc.ts';

export type SignInMethod =
  | { type: 'slack'; oidc: SlackOidc; allowedTeams: readonly string[] }
  | { type: 'proxy'; header: string; trustedProxies: readonly string[] }
  | { type: 'token'; token: string }
  /** No sign-in configured: only this machine may look. */
  | { type: 'loopback' };

export interface Identity {
  id: string;
  name: string;
  /** Keys the CSRF token: a session's random id, or the person's id for header-based sign-in. */
  sessionId: string;
}

export type Identification =
  | { type: 'signed_in'; identity: Identity }
  /** HTML routes send the browser to sign in; API routes answer 401. */
  | { type: 'anonymous' }
  /** 403 with this message: the request can never be allowed as it comes. */
  | { type: 'refused'; message: string };

export interface DashboardAuthOptions {
  method: SignInMethod;
  sessionSecret: string;
  sessionHours: number;
  publicBaseUrl?: string;
  log: Logger;
  now?: () => number;
}

export interface DashboardAuth {
  method: SignInMethod['type'];
  identify(request: IncomingMessage): Identification;
  csrfToken(identity: Identity): string;
  checkCsrf(identity: Identity, submitted: string | undefined | null): boolean;
  /** `/auth/signin`, `/auth/slack`, `/auth/slack/callback`, `/auth/token`, `/auth/signout`. */
  routes: RouteHandler;
}

const SESSION_COOKIE = 'baton_session';
const SIGNIN_COOKIE = 'baton_signin';
const LOGIN_FORM_COOKIE = 'baton_login';
const SIGNIN_WINDOW_MS = 10 * 60_000;

export const LOOPBACK_ONLY_MESSAGE =
  'This dashboard has no sign-in configured, so it answers only on the machine it runs on. To open it from elsewhere, ' +
  'turn sign-in on: set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (Sign in with Slack), or put it behind a reverse ' +
  'proxy with server.dashboardAuth: proxy, or set DASHBOARD_TOKEN.';

interface SessionPayload {
  sid: string;
  sub: string;
  name: string;
  exp: number;
}

const FORWARDING_HEADERS = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
];

const randomId = () => randomBytes(18).toString('base64url');

export function createDashboardAuth(options: DashboardAuthOptions): DashboardAuth {
  const { method, log } = options;
  const now = options.now ?? Date.now;
  const signer = createSigner(options.sessionSecret);
  const secure = (request: IncomingMessage) => isHttps(request, options.publicBaseUrl);

  function sessionOf(request: IncomingMessage): Identity | null {
    const token = readCookies(request).get(SESSION_COOKIE);
    const payload = token ? signer.verify<SessionPayload>('session', token, now()) : null;
    if (!payload || typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return null;
    return {
      id: payload.sub,
      name: typeof payload.name === 'string' ? payload.name : payload.sub,
      sessionId: payload.sid,
    };
  }

  function identify(request: IncomingMessage): Identification {
    switch (method.type) {
      case 'loopback':
        if (!isLoopback(peerAddress(request))) return { type: 'refused', message: LOOPBACK_ONLY_MESSAGE };
        // A reverse proxy on the same host connects from loopback too: what it forwards is not local.
        if (FORWARDING_HEADERS.some((name) => request.headers[name] !== undefined))
          return {
            type: 'refused',
            message: `This request came through a proxy; without sign-in the dashboard answers only to this machine. ${LOOPBACK_ONLY_MESSAGE}`,
          };
        if (!isLoopbackHost(request.headers.host))
          return {
            type: 'refused',
            message: `Without sign-in the dashboard answers only to http://localhost or http://127.0.0.1 (this request named ${request.headers.host ?? 'no host'}). ${LOOPBACK_ONLY_MESSAGE}`,
          };
        return { type: 'signed_in', identity: { id: 'local', name: 'local', sessionId: 'local' } };
      case 'proxy': {
        if (!method.trustedProxies.includes(peerAddress(request)))
          return {
            type: 'refused',
            message: `The dashboard trusts sign-in only from its reverse proxy (dashboard.trustedProxies); this request came from ${peerAddress(request)}.`,
          };
        const header = request.headers[method.header.toLowerCase()];
        const id = (Array.isArray(header) ? header[0] : header)?.trim();
        if (!id)
          return {
            type: 'refused',
            message: `The reverse proxy did not say who is signed in (no ${method.header} header).`,
          };
        return { type: 'signed_in', identity: { id, name: id, sessionId: `proxy:${id}` } };
      }
      case 'slack':
      case 'token': {
        const identity = sessionOf(request);
        return identity ? { type: 'signed_in', identity } : { type: 'anonymous' };
      }
    }
  }

  function startSession(
    request: IncomingMessage,
    response: ServerResponse,
    who: { id: string; name: string },
    next: string,
  ) {
    const token = signer.sign('session', {
      sid: randomId(),
      sub: who.id,
      name: who.name,
      exp: now() + options.sessionHours * 3_600_000,
    } satisfies SessionPayload);
    response.writeHead(303, {
      location: next,
      'set-cookie': [
        cookie(SESSION_COOKIE, token, { maxAge: options.sessionHours * 3600, secure: secure(request) }),
        cookie(SIGNIN_COOKIE, '', { maxAge: 0, secure: secure(request) }),
        cookie(LOGIN_FORM_COOKIE, '', { maxAge: 0, secure: secure(request) }),
      ],
    });
    response.end();
  }

  function showSignIn(
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    page: Omit<SignInPageOptions, 'method' | 'loginToken'>,
  ) {
    const loginToken = randomId();
    const headers: Record<string, string | string[]> = {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
    };
    if (method.type === 'token')
      headers['set-cookie'] = cookie(LOGIN_FORM_COOKIE, loginToken, {
        maxAge: 3600,
        secure: secure(request),
      });
    const html = renderSignInPage({ ...page, method: method.type, loginToken });
    response.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(html) });
    response.end(html);
  }

  function redirectUri(request: IncomingMessage): string {
    const base =
      options.publicBaseUrl ??
      `${secure(request) ? 'https' : 'http'}://${request.headers.host ?? 'localhost'}`;
    return `${base.replace(/\/+$/, '')}/auth/slack/callback`;
  }

  async function slackCallback(request: GatewayRequest, response: ServerResponse, url: URL) {
    if (method.type !== 'slack')
      return showSignIn(request, response, 404, { error: 'Sign in with Slack is not configured.' });
    const pending = readCookies(request).get(SIGNIN_COOKIE);
    const started = pending
      ? signer.verify<{ state: string; nonce: string; next: string; exp: number }>('signin', pending, now())
      : null;
    const state = url.searchParams.get('state');
    const code = url.searchParams.get('code');
    if (url.searchParams.get('error'))
      return showSignIn(request, response, 403, {
        error: `Slack did not sign you in (${url.searchParams.get('error')}).`,
      });
    if (!started || !state || !safeEqual(started.state, state) || !code)
      return showSignIn(request, response, 400, {
        error: 'This sign-in link expired or was not started here. Sign in again.',
      });
    try {
      const who = await method.oidc.identify({
        code,
        redirectUri: redirectUri(request),
        nonce: started.nonce,
      });
      if (method.allowedTeams.length > 0 && !(who.teamId && method.allowedTeams.includes(who.teamId)))
        return showSignIn(request, response, 403, {
          error: 'Your Slack workspace is not one Baton serves (slack.allowedTeams).',
        });
      log.info({ user: who.id }, 'dashboard-signed-in');
      startSession(request, response, who, safeReturnPath(started.next));
    } catch (error) {
      log.warn({ error: describeError(error) }, 'dashboard-signin-failed');
      showSignIn(request, response, 403, { error: describeError(error) });
    }
  }

  function tokenSignIn(request: GatewayRequest, response: ServerResponse) {
    const form = new URLSearchParams(request.rawBody.toString('utf8'));
    const next = safeReturnPath(form.get('next'));
    const expectedLogin = readCookies(request).get(LOGIN_FORM_COOKIE);
    if (!expectedLogin || !safeEqual(expectedLogin, form.get('login') ?? ''))
      return showSignIn(request, response, 403, {
        error: 'The sign-in form expired (CSRF check). Try again.',
        next,
      });
    if (method.type !== 'token' || !safeEqual(method.token, form.get('token') ?? ''))
      return showSignIn(request, response, 403, { error: 'That token is not right.', next });
    startSession(request, response, { id: 'token', name: 'token holder' }, next);
  }

  const routes: RouteHandler = async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://dashboard.invalid');
    const route = `${request.method} ${url.pathname.replace(/\/+$/, '')}`;
    switch (route) {
      case 'GET /auth/signin': {
        const next = safeReturnPath(url.searchParams.get('next'));
        const found = identify(request);
        if (found.type === 'signed_in') {
          response.writeHead(303, { location: next });
          return void response.end();
        }
        return showSignIn(request, response, found.type === 'refused' ? 403 : 200, {
          next,
          error: found.type === 'refused' ? found.message : undefined,
        });
      }
      case 'GET /auth/slack': {
        if (method.type !== 'slack')
          return showSignIn(request, response, 404, { error: 'Sign in with Slack is not configured.' });
        const state = randomId();
        const nonce = randomId();
        const next = safeReturnPath(url.searchParams.get('next'));
        const pending = signer.sign('signin', { state, nonce, next, exp: now() + SIGNIN_WINDOW_MS });
        response.writeHead(302, {
          location: method.oidc.authorizationUrl({ state, nonce, redirectUri: redirectUri(request) }),
          'set-cookie': cookie(SIGNIN_COOKIE, pending, {
            maxAge: SIGNIN_WINDOW_MS / 1000,
            secure: secure(request),
          }),
        });
        return void response.end();
      }
      case 'GET /auth/slack/callback':
        return slackCallback(request, response, url);
      case 'POST /auth/token':
        return tokenSignIn(request, response);
      case 'POST /auth/signout': {
        const found = identify(request);
        const form = new URLSearchParams(request.rawBody.toString('utf8'));
        if (found.type !== 'signed_in' || !checkCsrf(found.identity, form.get('csrf')))
          return sendText(
            response,
            403,
            'text/plain; charset=utf-8',
            'Sign-out needs the form’s CSRF token.',
          );
        response.writeHead(303, {
          location: '/auth/signin',
          'set-cookie': cookie(SESSION_COOKIE, '', { maxAge: 0, secure: secure(request) }),
        });
        return void response.end();
      }
      default:
        return sendText(response, 404, 'text/plain; charset=utf-8', `Nothing is served at ${url.pathname}.`);
    }
  };

  const csrfToken = (identity: Identity) => signer.digest('csrf', identity.sessionId);
  function checkCsrf(identity: Identity, submitted: string | undefined | null): boolean {
    return typeof submitted === 'string' && submitted.length > 0 && safeEqual(csrfToken(identity), submitted);
  }

  return { method: method.type, identify, csrfToken, checkCsrf, routes };
}
