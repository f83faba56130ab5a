import { LinearError, LinearErrorType } from '@linear/sdk';
import { BatonError, isBatonError } from '../../observability/errors.ts';

/** Turns whatever the SDK (or fetch underneath it) threw into a BatonError with a stable code. */
export function toLinearBatonError(error: unknown, action: string): BatonError {
  if (isBatonError(error)) return error;
  if (!(error instanceof LinearError)) {
    return new BatonError({
      code: 'linear_unreachable',
      message: `Could not reach Linear to ${action}.`,
      retryable: true,
      hint: 'Check the network and LINEAR_API_URL.',
      cause: error,
    });
  }
  const detail = error.errors?.[0]?.message ?? error.message;
  switch (error.type) {
    case LinearErrorType.AuthenticationError:
      return new BatonError({
        code: 'linear_auth',
        message: `Linear refused the API key while trying to ${action}: ${detail}`,
        hint: 'Set LINEAR_API_KEY to a personal or app API key; it is sent without a "Bearer" prefix.',
        cause: error,
      });
    case LinearErrorType.Forbidden:
    case LinearErrorType.FeatureNotAccessible:
      return new BatonError({
        code: 'linear_forbidden',
        message: `Linear does not allow Baton to ${action}: ${detail}`,
        hint: 'Give the API key access to this team, or use an app installed in the workspace.',
        cause: error,
      });
    case LinearErrorType.Ratelimited:
      return new BatonError({
        code: 'linear_rate_limited',
        message: `Linear rate-limited Baton while trying to ${action}.`,
        retryable: true,
        hint: 'Retry later.',
        cause: error,
      });
    case LinearErrorType.InvalidInput:
    case LinearErrorType.UserError:
    case LinearErrorType.GraphqlError:
      return new BatonError({
        code: /not found|could not find/i.test(detail) ? 'linear_not_found' : 'linear_invalid_request',
        message: `Linear rejected the request to ${action}: ${detail}`,
        hint: 'Check the issue id or key.',
        cause: error,
      });
    case LinearErrorType.NetworkError:
    case LinearErrorType.InternalError:
    case LinearErrorType.LockTimeout:
    case LinearErrorType.BootstrapError:
    case LinearErrorType.Unknown:
    case LinearErrorType.Other:
    case LinearErrorType.UsageLimitExceeded:
    case undefined:
      return new BatonError({
        code: 'linear_request_failed',
        message: `Linear failed to ${action}: ${detail}`,
        retryable: error.type !== LinearErrorType.UsageLimitExceeded,
        hint: 'Retry later; if it persists, check status.linear.app.',
        cause: error,
      });
  }
}
