import type { ConfigInput } from '../../src/config/index.ts';
import type { FakeReply } from '../fakes/openai-script.ts';
import {
  type FakeSlackOidc,
  type FakeSlackOidcUser,
  startFakeSlackOidc,
} from '../fakes/slack-oidc-server.ts';
import { createServerHarness, type ServerHarness } from './server-harness.ts';

export const ADMIN = 'U0ADMIN';

/** A run that plans, fixes add() in the calculator fixture and finishes: its checks pass and it succeeds. */
export function fixCalculatorScript(options: { before?: FakeReply[]; slowMs?: number } = {}): FakeReply[] {
  const fix: FakeReply = {
    type: 'tool_calls',
    calls: [
      {
        name: 'edit_file',
        arguments: { path: 'src/math.js', old_string: 'return a - b;', new_string: 'return a + b;' },
      },
    ],
  };
  return [
    {
      type: 'tool_calls',
      calls: [
        {
          name: 'todo',
          arguments: {
            items: [
              { text: 'Fix add()', status: 'in_progress' },
              { text: 'Run the tests', status: 'pending' },
            ],
          },
        },
      ],
    },
    ...(options.before ?? []),
    { type: 'tool_calls', calls: [{ name: 'read_file', arguments: { path: 'src/math.js' } }] },
    options.slowMs ? { type: 'delay', ms: options.slowMs, reply: fix } : fix,
    {
      type: 'tool_calls',
      calls: [
        {
          name: 'finish',
          arguments: { summary: 'add() adds now.', pr_title: 'Fix add()', pr_body: 'Fixed add().' },
        },
      ],
    },
  ];
}
export const OTHER = 'U0OTHER';
export const CHANNEL_VIEWER = 'U0CHANNEL';

export interface DashboardHarness extends ServerHarness {
  oidc: FakeSlackOidc;
  /** Signs in through the fake Slack (authorize → callback) and returns the session's Cookie header. */
  signIn(user: FakeSlackOidcUser): Promise<string>;
  /** The CSRF token a signed-in page carries. */
  csrfOf(cookie: string, path?: string): Promise<string>;
}

/** Location and Set-Cookie of a response that must redirect. */
function redirectOf(response: Response): { location: string; cookies: string[] } {
  const location = response.headers.get('location');
  if (response.status < 300 || response.status >= 400 || !location)
    throw new Error(`expected a redirect, got ${response.status}`);
  return { location, cookies: response.headers.getSetCookie() };
}

/** `name=value` pairs of Set-Cookie headers, for a Cookie header. */
export function cookieHeader(setCookies: readonly string[]): string {
  return setCookies
    .map((line) => line.split(';')[0] ?? '')
    .filter((pair) => pair && !pair.endsWith('='))
    .join('; ');
}

/** The whole server with Sign in with Slack pointed at a fake Slack OpenID provider. */
export async function createDashboardHarness(
  options: { config?: ConfigInput } = {},
): Promise<DashboardHarness> {
  const oidc = await startFakeSlackOidc();
  const harness = await createServerHarness({
    config: {
      // No publicBaseUrl: the redirect URI follows the Host the browser used.
      server: { port: 0, host: '127.0.0.1' },
      dashboard: {
        slackAuthorizeUrl: oidc.authorizeUrl,
        slackApiUrl: oidc.apiUrl,
        admins: [ADMIN],
        access: [{ users: [CHANNEL_VIEWER], channels: ['C0BATON'] }],
      },
      ...options.config,
    },
    extraEnv: {
      SLACK_CLIENT_ID: oidc.clientId,
      SLACK_CLIENT_SECRET: oidc.clientSecret,
      DASHBOARD_SESSION_SECRET: 'dashboard-session-secret-0123456789',
    },
  });
  return {
    ...harness,
    oidc,
    async signIn(user) {
      oidc.signInAs(user);
      const start = redirectOf(await fetch(harness.url('/auth/slack?next=/runs'), { redirect: 'manual' }));
      const approved = redirectOf(await fetch(start.location, { redirect: 'manual' }));
      const callback = redirectOf(
        await fetch(approved.location, {
          redirect: 'manual',
          headers: { cookie: cookieHeader(start.cookies) },
        }),
      );
      const cookie = cookieHeader(callback.cookies);
      if (!cookie.includes('baton_session=')) throw new Error('the sign-in set no session cookie');
      return cookie;
    },
    async csrfOf(cookie, path = '/runs') {
      const html = await (await fetch(harness.url(path), { headers: { cookie } })).text();
      const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
      if (!token) throw new Error(`no CSRF token on ${path}`);
      return token;
    },
    async close() {
      await harness.close();
      await oidc.close();
    },
  };
}
