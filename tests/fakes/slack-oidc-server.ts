import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpenIDConnectTokenResponse, OpenIDConnectUserInfoResponse } from '@slack/web-api';

export interface FakeSlackOidcUser {
  id: string;
  name: string;
  teamId?: string;
}

export interface FakeSlackOidc {
  /** For `dashboard.slackAuthorizeUrl`. */
  authorizeUrl: string;
  /** For `dashboard.slackApiUrl` (WebClient's `slackApiUrl`). */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  teamId: string;
  /** Who the next visitor of the authorize page signs in as (Slack's consent screen, approved). */
  signInAs(user: FakeSlackOidcUser): void;
  /** Method calls received, in order (`openid.connect.token`, `openid.connect.userInfo`). */
  calls: { method: string; args: Record<string, string> }[];
  close(): Promise<void>;
}

interface PendingCode {
  user: FakeSlackOidcUser;
  nonce: string;
  redirectUri: string;
}

/**
 * Sign in with Slack on 127.0.0.1: the browser-facing authorize endpoint, and the Web API methods
 * `openid.connect.token` and `openid.connect.userInfo`, as Slack answers them.
 */
export async function startFakeSlackOidc(options: { teamId?: string } = {}): Promise<FakeSlackOidc> {
  const clientId = '1111.2222';
  const clientSecret = 'fake-oidc-client-secret-0123456789';
  const teamId = options.teamId ?? 'T0FAKE';
  let current: FakeSlackOidcUser | undefined;
  const codes = new Map<string, PendingCode>();
  const accessTokens = new Map<string, FakeSlackOidcUser>();
  const calls: FakeSlackOidc['calls'] = [];

  const json = (response: ServerResponse, body: unknown) => {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(body));
  };
  const idToken = (claims: Record<string, unknown>) => {
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = createHmac('sha256', clientSecret).update(`${header}.${body}`).digest('base64url');
    return `${header}.${body}.${signature}`;
  };

  const authorize = (url: URL, response: ServerResponse): void => {
    const redirectUri = url.searchParams.get('redirect_uri');
    const problem =
      url.searchParams.get('client_id') !== clientId
        ? 'invalid_client_id'
        : url.searchParams.get('response_type') !== 'code'
          ? 'unsupported_response_type'
          : !url.searchParams.get('scope')?.split(' ').includes('openid')
            ? 'invalid_scope'
            : !redirectUri
              ? 'bad_redirect_uri'
              : undefined;
    if (problem || !redirectUri) {
      response.writeHead(400, { 'content-type': 'text/plain' }).end(problem);
      return;
    }
    const target = new URL(redirectUri);
    const state = url.searchParams.get('state');
    if (state) target.searchParams.set('state', state);
    if (!current) target.searchParams.set('error', 'access_denied');
    else {
      const code = randomBytes(12).toString('hex');
      codes.set(code, { user: current, nonce: url.searchParams.get('nonce') ?? '', redirectUri });
      target.searchParams.set('code', code);
    }
    response.writeHead(302, { location: target.toString() }).end();
  };

  const method = async (name: string, request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const args = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    calls.push({ method: name, args: { ...args, ...(args.client_secret ? { client_secret: '***' } : {}) } });
    if (name === 'openid.connect.token') {
      if (args.client_id !== clientId || args.client_secret !== clientSecret)
        return json(response, { ok: false, error: 'invalid_client' } satisfies OpenIDConnectTokenResponse);
      const pending = args.code ? codes.get(args.code) : undefined;
      if (!pending)
        return json(response, { ok: false, error: 'invalid_code' } satisfies OpenIDConnectTokenResponse);
      codes.delete(args.code ?? '');
      if (pending.redirectUri !== args.redirect_uri)
        return json(response, { ok: false, error: 'bad_redirect_uri' } satisfies OpenIDConnectTokenResponse);
      const accessToken = `xoxp-oidc-${randomBytes(8).toString('hex')}`;
      accessTokens.set(accessToken, pending.user);
      const now = Math.floor(Date.now() / 1000);
      return json(response, {
        ok: true,
        access_token: accessToken,
        token_type: 'Bearer',
        id_token: idToken({
          iss: 'https://slack.com',
          sub: pending.user.id,
          aud: clientId,
          exp: now + 3600,
          iat: now,
          nonce: pending.nonce,
          'https://slack.com/user_id': pending.user.id,
          'https://slack.com/team_id': pending.user.teamId ?? teamId,
          name: pending.user.name,
        }),
      } satisfies OpenIDConnectTokenResponse);
    }
    if (name === 'openid.connect.userInfo') {
      const header = request.headers.authorization ?? '';
      const token = header.startsWith('Bearer ') ? header.slice(7) : args.token;
      const user = token ? accessTokens.get(token) : undefined;
      if (!user)
        return json(response, { ok: false, error: 'invalid_auth' } satisfies OpenIDConnectUserInfoResponse);
      return json(response, {
        ok: true,
        sub: user.id,
        'https://slack.com/user_id': user.id,
        'https://slack.com/team_id': user.teamId ?? teamId,
        name: user.name,
        given_name: user.name,
      } satisfies OpenIDConnectUserInfoResponse);
    }
    json(response, { ok: false, error: 'unknown_method' });
  };

  const server = createServer((request, response): void => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const api = /^\/api\/([A-Za-z.]+)$/.exec(url.pathname);
    if (request.method === 'GET' && url.pathname === '/openid/connect/authorize') {
      authorize(url, response);
      return;
    }
    if (request.method === 'POST' && api?.[1]) {
      method(api[1], request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500).end(String(error));
      });
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    authorizeUrl: `${base}/openid/connect/authorize`,
    apiUrl: `${base}/api/`,
    clientId,
    clientSecret,
    teamId,
    signInAs: (user) => {
      current = user;
    },
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
