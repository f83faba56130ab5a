import { WebClient } from '@slack/web-api';
import { BatonError } from '../../observability/errors.ts';

export interface SlackIdentity {
  /** The Slack user id (U…), the same id a Slack request's requester has. */
  id: string;
  name: string;
  teamId?: string;
}

export interface SlackOidcOptions {
  clientId: string;
  clientSecret: string;
  /** `https://slack.com/openid/connect/authorize` in production. */
  authorizeUrl: string;
  /** The Web API base URL (`https://slack.com/api/`). */
  apiUrl?: string;
}

export interface SlackOidc {
  authorizationUrl(input: { state: string; nonce: string; redirectUri: string }): string;
  /** Trades the callback's code for the person it names; throws `dashboard_signin_failed` otherwise. */
  identify(input: { code: string; redirectUri: string; nonce: string }): Promise<SlackIdentity>;
}

function failure(message: string, cause?: unknown): BatonError {
  return new BatonError({
    code: 'dashboard_signin_failed',
    message,
    hint: 'try signing in again; if it keeps failing, check SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and the redirect URL in the Slack app',
    cause,
  });
}

/** The claims of an ID token received straight from the token endpoint over TLS (OIDC Core §3.1.3.7: no signature check needed). */
function idTokenClaims(idToken: string): Record<string, unknown> {
  const body = idToken.split('.')[1];
  if (!body) throw failure('Slack returned a malformed ID token.');
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw failure('Slack returned an unreadable ID token.', error);
  }
}

/** Sign in with Slack (OpenID Connect): the authorize redirect, then openid.connect.token and userInfo. */
export function createSlackOidc(options: SlackOidcOptions): SlackOidc {
  const client = new WebClient(undefined, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: 1 },
    timeout: 10_000,
  });
  return {
    authorizationUrl({ state, nonce, redirectUri }) {
      const url = new URL(options.authorizeUrl);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('scope', 'openid profile');
      url.searchParams.set('client_id', options.clientId);
      url.searchParams.set('state', state);
      url.searchParams.set('nonce', nonce);
      url.searchParams.set('redirect_uri', redirectUri);
      return url.toString();
    },
    async identify({ code, redirectUri, nonce }) {
      let token: Awaited<ReturnType<typeof client.openid.connect.token>>;
      try {
        token = await client.openid.connect.token({
          client_id: options.clientId,
          client_secret: options.clientSecret,
          code,
          redirect_uri: redirectUri,
        });
      } catch (error) {
        throw failure(`Slack refused the sign-in code (${describeSlackError(error)}).`, error);
      }
      if (!token.access_token || !token.id_token) throw failure('Slack returned no token for the sign-in.');
      const claims = idTokenClaims(token.id_token);
      if (claims.nonce !== nonce)
        throw failure('The sign-in answer does not belong to this browser (nonce).');
      const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!audience.includes(options.clientId)) throw failure('The ID token was issued to another app.');
      let info: Awaited<ReturnType<typeof client.openid.connect.userInfo>>;
      try {
        info = await client.openid.connect.userInfo({ token: token.access_token });
      } catch (error) {
        throw failure(`Slack did not say who signed in (${describeSlackError(error)}).`, error);
      }
      const id = info['https://slack.com/user_id'];
      if (!id || info.sub !== claims.sub) throw failure('Slack’s answer names no user.');
      return { id, name: info.name ?? id, teamId: info['https://slack.com/team_id'] };
    },
  };
}

function describeSlackError(error: unknown): string {
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === 'string'
    ? data.error
    : error instanceof Error
      ? error.message
      : String(error);
}
