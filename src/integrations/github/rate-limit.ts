/** GitHub's advice for secondary limits: without `retry-after`, wait at least a minute. */
const SECONDARY_DEFAULT_MS = 60_000;

function header(headers: Record<string, string | number | undefined>, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return value === undefined ? undefined : String(value);
}

function messageOf(data: unknown): string {
  if (typeof data === 'object' && data !== null && 'message' in data) return String(data.message);
  return typeof data === 'string' ? data : '';
}

/**
 * How long to wait before retrying a rate-limited response, or undefined when the response is not
 * a rate limit (a 403 for a permission or a protected branch is final).
 */
export function rateLimitWait(
  status: number,
  headers: Record<string, string | number | undefined>,
  data: unknown,
  nowMs: number,
): number | undefined {
  if (status !== 403 && status !== 429) return undefined;
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined && /^\d+$/.test(retryAfter.trim())) return Number(retryAfter) * 1000;
  const remaining = header(headers, 'x-ratelimit-remaining');
  const reset = header(headers, 'x-ratelimit-reset');
  if (remaining === '0' && reset !== undefined && /^\d+$/.test(reset)) {
    return Math.max(Number(reset) * 1000 - nowMs, 0) + 1000;
  }
  if (status === 429 || /secondary rate limit|abuse detection/i.test(messageOf(data)))
    return SECONDARY_DEFAULT_MS;
  return undefined;
}
