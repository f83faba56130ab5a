import type { IncomingMessage, ServerResponse } from 'node:http';

const WINDOW_SECONDS = 5 * 60;

/**
 * Bolt rejects timestamps more than five minutes old but accepts any in the future; the window
 * Baton promises is five minutes either way. Requests Bolt would not sign-check (ssl_check) pass through.
 */
export function withFreshnessWindow(
  listener: (request: IncomingMessage, response: ServerResponse) => void,
  now: () => number = Date.now,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const header = request.headers['x-slack-request-timestamp'];
    const timestamp = typeof header === 'string' ? Number(header) : Number.NaN;
    if (Number.isFinite(timestamp) && timestamp > now() / 1000 + WINDOW_SECONDS) {
      response.writeHead(401).end();
      return;
    }
    listener(request, response);
  };
}
