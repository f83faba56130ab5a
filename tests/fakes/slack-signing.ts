import { createHmac } from 'node:crypto';
import type { EnvelopedEvent, SlashCommand } from '@slack/bolt';
import type { SlackEvent } from '@slack/types';

export interface SignedHeaders {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
}

/** Slack's v0 signature: `v0=` + hex HMAC-SHA256(secret, `v0:<timestamp>:<raw body>`). */
export function signRequest(
  body: string,
  secret: string,
  timestampSeconds: number | string = Math.floor(Date.now() / 1000),
): SignedHeaders {
  const digest = createHmac('sha256', secret).update(`v0:${timestampSeconds}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': String(timestampSeconds) };
}

export interface DeliveryResult {
  status: number;
  body: string;
  headers: Headers;
}

export interface SigningOptions {
  secret: string;
  /**
   * Seconds since the epoch; a stale one tests the freshness window. A string is sent (and signed)
   * as it is, to test forms Slack never sends (`1733300000.5`).
   */
  timestamp?: number | string;
  /** Replace the computed signature (a forged or corrupted request). */
  signature?: string;
}

export interface EventDeliveryOptions extends SigningOptions {
  retryNum?: number;
  retryReason?: string;
  eventId?: string;
  teamId?: string;
  apiAppId?: string;
  /** The bot user the event is authorised for (`authorizations[0].user_id`). */
  botUserId?: string;
}

let eventCounter = 0;

/** The Events API `event_callback` envelope around one event. */
export function envelopeEvent<Event extends SlackEvent>(
  event: Event,
  options: Omit<EventDeliveryOptions, 'secret' | 'signature' | 'timestamp' | 'retryNum' | 'retryReason'> = {},
): EnvelopedEvent<Event> {
  eventCounter += 1;
  const teamId = options.teamId ?? 'T0FAKE';
  return {
    token: 'fake-verification-token',
    team_id: teamId,
    api_app_id: options.apiAppId ?? 'A0FAKE',
    event,
    type: 'event_callback',
    event_id: options.eventId ?? `Ev${String(eventCounter).padStart(9, '0')}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: teamId,
        user_id: options.botUserId ?? 'UBATON',
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
  };
}

async function post(
  url: string,
  body: string,
  contentType: string,
  signing: SigningOptions,
  extra: Record<string, string> = {},
): Promise<DeliveryResult> {
  const signed = signRequest(body, signing.secret, signing.timestamp);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      ...signed,
      ...(signing.signature ? { 'x-slack-signature': signing.signature } : {}),
      ...extra,
    },
    body,
  });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** Wraps an event in its envelope, signs it and POSTs it the way Slack's Events API does. */
export async function deliverEvent<Event extends SlackEvent>(
  url: string,
  event: Event | EnvelopedEvent<Event>,
  options: EventDeliveryOptions,
): Promise<DeliveryResult & { envelope: EnvelopedEvent<Event> }> {
  const envelope =
    'event_id' in event && event.type === 'event_callback' ? event : envelopeEvent(event as Event, options);
  const retry: Record<string, string> = {};
  if (options.retryNum !== undefined) retry['x-slack-retry-num'] = String(options.retryNum);
  if (options.retryReason !== undefined) retry['x-slack-retry-reason'] = options.retryReason;
  const result = await post(url, JSON.stringify(envelope), 'application/json', options, retry);
  return { ...result, envelope };
}

/** A slash command, form-encoded and signed. */
export function deliverSlashCommand(
  url: string,
  fields: Partial<SlashCommand> & Pick<SlashCommand, 'command' | 'text' | 'user_id' | 'channel_id'>,
  options: SigningOptions,
): Promise<DeliveryResult> {
  const command: SlashCommand = {
    token: 'fake-verification-token',
    response_url: 'https://hooks.slack.invalid/commands/response',
    trigger_id: 'trigger-1',
    user_name: fields.user_id,
    team_id: 'T0FAKE',
    team_domain: 'fake',
    channel_name: fields.channel_id,
    api_app_id: 'A0FAKE',
    ...fields,
  };
  const body = new URLSearchParams(
    Object.entries(command).map(([key, value]): [string, string] => [key, String(value)]),
  );
  return post(url, body.toString(), 'application/x-www-form-urlencoded', options);
}

/** An interactivity payload (a button press): form field `payload=<json>`, signed. */
export function deliverAction(
  url: string,
  payload: object,
  options: SigningOptions,
): Promise<DeliveryResult> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return post(url, body, 'application/x-www-form-urlencoded', options);
}
