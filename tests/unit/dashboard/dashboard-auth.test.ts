import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboardAuth, type SignInMethod } from '../../../src/dashboard/auth/dashboard-auth.ts';
import { safeReturnPath } from '../../../src/dashboard/auth/peer.ts';
import type { GatewayRequest } from '../../../src/gateway/route-table.ts';
import { createLogger } from '../../../src/observability/logger.ts';

const log = createLogger({ level: 'silent' });

/** This machine's first non-loopback IPv4 address: a request to it arrives from a non-loopback peer. */
const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;

/** A real server on all interfaces: `/auth/*` goes to the auth routes, anything else answers who is signed in. */
async function serve(
  method: SignInMethod,
): Promise<{ url(host: string, path: string): string; close(): Promise<void> }> {
  const auth = createDashboardAuth({ method, sessionSecret: 'unit-secret', sessionHours: 1, log });
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const gatewayRequest = Object.assign(request, { rawBody: Buffer.concat(chunks) }) as GatewayRequest;
    if (request.url?.startsWith('/auth')) return auth.routes(gatewayRequest, response);
    const found = auth.identify(request);
    response.writeHead(found.type === 'signed_in' ? 200 : found.type === 'refused' ? 403 : 401, {
      'content-type': 'application/json',
    });
    response.end(JSON.stringify(found));
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (host, path) => `http://${host}:${port}${path}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A GET with exactly these headers (fetch will not send a Host header of our choosing). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('dashboard sign-in', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  it('without sign-in answers only on loopback, judged by the peer address and not the Host header', async () => {
    const server = await serve({ type: 'loopback' });
    close = server.close;
    const local = await fetch(server.url('127.0.0.1', '/runs'));
    expect(local.status).toBe(200);
    expect(await local.json()).toMatchObject({ identity: { id: 'local' } });
    expect(externalAddress, 'the machine needs a non-loopback address for this test').toBeDefined();
    // A page elsewhere whose name was re-pointed at 127.0.0.1 (DNS rebinding) names its own host.
    const rebound = await rawGet(server.url('127.0.0.1', '/runs'), { host: 'evil.example:3000' });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('evil.example');
    expect((await rawGet(server.url('127.0.0.1', '/runs'), { host: 'localhost:3000' })).status).toBe(200);
    // From another machine's address, even naming localhost, it is refused: the peer decides.
    const remote = await rawGet(server.url(externalAddress ?? '', '/runs'), { host: 'localhost' });
    expect(remote.status).toBe(403);
    const body = JSON.parse(remote.body) as { message: string };
    expect(body.message).toContain('SLACK_CLIENT_ID');
    expect(body.message).toContain('DASHBOARD_TOKEN');
  });

  it('believes the proxy’s identity header only from a trusted proxy address', async () => {
    const server = await serve({ type: 'proxy', header: 'X-Forwarded-Email', trustedProxies: ['127.0.0.1'] });
    close = server.close;
    const trusted = await fetch(server.url('127.0.0.1', '/runs'), {
      headers: { 'x-forwarded-email': 'ana@example.com' },
    });
    expect(await trusted.json()).toMatchObject({ type: 'signed_in', identity: { id: 'ana@example.com' } });
    const missing = await fetch(server.url('127.0.0.1', '/runs'));
    expect(missing.status).toBe(403);
    const spoofed = await fetch(server.url(externalAddress ?? '', '/runs'), {
      headers: { 'x-forwarded-email': 'admin@example.com' },
    });
    expect(spoofed.status).toBe(403);
    expect(((await spoofed.json()) as { message: string }).message).toContain('trustedProxies');
  });

  it('signs in with the static token through a CSRF-protected form, and refuses a wrong token', async () => {
    const server = await serve({ type: 'token', token: 'the-dashboard-token-0123' });
    close = server.close;
    expect((await fetch(server.url('127.0.0.1', '/runs'))).status).toBe(401);
    const form = await fetch(server.url('127.0.0.1', '/auth/signin?next=/runs/abc'));
    const html = await form.text();
    const login = /name="login" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const loginCookie = (form.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const submit = (fields: Record<string, string>, cookie = loginCookie) =>
      fetch(server.url('127.0.0.1', '/auth/token'), {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
    expect((await submit({ login, token: 'wrong', next: '/runs/abc' })).status).toBe(403);
    expect((await submit({ login: 'forged', token: 'the-dashboard-token-0123' })).status).toBe(403);
    expect((await submit({ login, token: 'the-dashboard-token-0123' }, '')).status).toBe(403);
    const signedIn = await submit({ login, token: 'the-dashboard-token-0123', next: '/runs/abc' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/runs/abc');
    const session = signedIn.headers.getSetCookie().find((line) => line.startsWith('baton_session=')) ?? '';
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(session).not.toMatch(/Secure/);
    const after = await fetch(server.url('127.0.0.1', '/runs'), {
      headers: { cookie: session.split(';')[0] ?? '' },
    });
    expect(await after.json()).toMatchObject({ type: 'signed_in', identity: { id: 'token' } });
    // Behind https (as the proxy says), the cookie is Secure.
    const secure = await fetch(server.url('127.0.0.1', '/auth/token'), {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: loginCookie,
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-proto': 'https',
      },
      body: new URLSearchParams({ login, token: 'the-dashboard-token-0123' }).toString(),
    });
    expect(secure.headers.getSetCookie().find((line) => line.startsWith('baton_session='))).toMatch(/Secure/);
  });

  it('without sign-in refuses what a same-host reverse proxy forwards', async () => {
    const server = await serve({ type: 'loopback' });
    close = server.close;
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip', 'x-forwarded-host']) {
      const forwarded = await rawGet(server.url('127.0.0.1', '/runs'), {
        host: '127.0.0.1',
        [header]: '203.0.113.9',
      });
      expect(forwarded.status, header).toBe(403);
      expect(forwarded.body).toContain('came through a proxy');
    }
  });

  it('refuses a signed cookie made for another purpose: the sign-in cookie is not a session', async () => {
    const slack: SignInMethod = {
      type: 'slack',
      oidc: {
        authorizationUrl: ({ state }: { state: string }) => `https://slack.example/authorize?state=${state}`,
        identify: async () => {
          throw new Error('only the redirect is exercised here');
        },
      },
      allowedTeams: [],
    };
    const server = await serve(slack);
    close = server.close;
    const started = await fetch(server.url('127.0.0.1', '/auth/slack'), { redirect: 'manual' });
    expect(started.status).toBe(302);
    const signin = started.headers.getSetCookie().find((line) => line.startsWith('baton_signin=')) ?? '';
    const value = signin.split(';')[0]?.split('=')[1] ?? '';
    expect(value).not.toBe('');
    const forged = await rawGet(server.url('127.0.0.1', '/runs'), {
      host: '127.0.0.1',
      cookie: `baton_session=${value}`,
    });
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.body)).toEqual({ type: 'anonymous' });
  });

  it('returns only to paths on this site after sign-in', () => {
    expect(safeReturnPath('/runs/abc?x=1')).toBe('/runs/abc?x=1');
    for (const bad of ['//evil.example/x', 'https://evil.example', '/\\evil.example', '', null, undefined])
      expect(safeReturnPath(bad)).toBe('/runs');
  });
});
