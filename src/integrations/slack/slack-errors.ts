import { ErrorCode } from '@slack/web-api';
import { BatonError } from '../../observability/errors.ts';

interface CodedSlackError {
  code: string;
  data?: { error?: unknown };
  retryAfter?: unknown;
}

function coded(error: unknown): CodedSlackError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? (error as CodedSlackError) : undefined;
}

/** The Web API's own error string (`already_reacted`, `message_not_found`, …) of a failed call. */
export function slackErrorCode(error: unknown): string | undefined {
  const candidate = coded(error);
  if (candidate?.code !== ErrorCode.PlatformError) return undefined;
  const value = candidate.data?.error;
  return typeof value === 'string' ? value : undefined;
}

/** Seconds to wait when a call was refused for rate limiting (a client with `rejectRateLimitedCalls`). */
export function rateLimitRetryAfter(error: unknown): number | undefined {
  const candidate = coded(error);
  if (candidate?.code !== ErrorCode.RateLimitedError) return undefined;
  return typeof candidate.retryAfter === 'number' ? candidate.retryAfter : undefined;
}

/** A failed Slack call as a BatonError: stable code, whether trying again can help, what to check. */
export function toSlackBatonError(error: unknown, action: string): BatonError {
  const platform = slackErrorCode(error);
  if (platform) {
    const auth = ['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'missing_scope'];
    return new BatonError({
      code: 'slack_api_error',
      message: `Slack refused to ${action}: ${platform}`,
      retryable: false,
      hint: auth.includes(platform)
        ? 'check SLACK_BOT_TOKEN and the app scopes'
        : 'check that the bot is in the channel',
      cause: error,
    });
  }
  return new BatonError({
    code: 'slack_unreachable',
    message: `Could not ${action}: Slack did not answer`,
    retryable: true,
    hint: 'check the network path to Slack (SLACK_API_URL)',
    cause: error,
  });
}
