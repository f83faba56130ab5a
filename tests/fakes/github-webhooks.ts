import { createHmac, randomUUID } from 'node:crypto';

/** GitHub's `X-Hub-Signature-256` value for a raw body: `sha256=` and the hex HMAC. */
export function signWebhook(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface DeliverWebhookOptions {
  /** Signs the body; without it the signature header is left out (an unsigned delivery). */
  secret?: string;
  /** Defaults to a fresh UUID, like GitHub; a redelivery keeps the id it had. */
  deliveryId?: string;
  /** Overrides the computed signature, for tests of a wrong one. */
  signature?: string;
  /** The raw body to send instead of `JSON.stringify(payload)` (malformed JSON, extra whitespace). */
  rawBody?: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

export interface WebhookDelivery {
  status: number;
  body: string;
  deliveryId: string;
}

/** Posts a webhook the way GitHub does: JSON body, event, delivery id and signature headers. */
export async function deliverWebhook(
  url: string,
  event: string,
  payload: unknown,
  options: DeliverWebhookOptions = {},
): Promise<WebhookDelivery> {
  const body = options.rawBody ?? JSON.stringify(payload);
  const deliveryId = options.deliveryId ?? randomUUID();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/fake',
    'x-github-event': event,
    'x-github-delivery': deliveryId,
    'x-github-hook-id': '1',
    ...options.headers,
  };
  const signature = options.signature ?? (options.secret ? signWebhook(body, options.secret) : undefined);
  if (signature !== undefined) headers['x-hub-signature-256'] = signature;
  const response = await (options.fetch ?? fetch)(url, { method: 'POST', headers, body });
  return { status: response.status, body: await response.text(), deliveryId };
}
