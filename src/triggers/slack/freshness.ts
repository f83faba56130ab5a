import type { IncomingMessage, ServerResponse } from 'node:http';

const WINDOW_SECONDS = 5 * 60;
/** Slack sends whole seconds, digits only; anything else was not made by Slack. */
const INTEGER_SECONDS = /^[0-9]{1,12}$/;

/**
 * Bolt rejects timestamps more than five minutes old but accepts any in the future, and it reads the
 * header with `Number()`/`parseInt` semantics, so `1733300000.5` or `1733300000abc` signed with the
 * real secret would pass. The window Baton promises is five minutes either way, on the integer form
 * only. Requests without the header are left to Bolt, which refuses them.
 */
export function withFreshnessWindow(
  listener: (request: IncomingMessage, response: ServerResponse) => void,
  now: () => number = Date.now,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const header = request.headers['x-slack-request-timestamp'];
    if (header !== undefined) {
      const text = Array.isArray(header) ? header.join(',') : header;
      if (!INTEGER_SECONDS.test(text) || Number(text) > now() / 1000 + WINDOW_SECONDS) {
        response.writeHead(401).end();
        return;
      }
    }
    listener(request, response);
  };
}
