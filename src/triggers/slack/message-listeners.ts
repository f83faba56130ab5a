import type { App } from '@slack/bolt';
import { handleSlackMessage } from './handle-request.ts';
import { mentionsUser } from './message-text.ts';
import type { TriggerContext } from './trigger-context.ts';

/** `app_mention` in channels; `message` in DMs, and in threads Baton already works in (steering). */
export function registerMessageListeners(app: App, context: TriggerContext): void {
  app.event('app_mention', async ({ event, body, context: bolt, client }) => {
    context.metrics.eventsReceived.inc({ source: 'slack', type: 'app_mention' });
    if (!event.user || event.bot_id) return;
    await handleSlackMessage(context, client, {
      eventType: 'app_mention',
      eventId: body.event_id,
      teamId: body.team_id,
      channelId: event.channel,
      userId: event.user,
      text: event.text,
      ts: event.ts,
      threadTs: event.thread_ts,
      botUserId: bolt.botUserId,
      onlyKnownThreads: false,
    });
  });

  app.event('message', async ({ event, body, context: bolt, client }) => {
    context.metrics.eventsReceived.inc({ source: 'slack', type: 'message' });
    // Edits, joins, deletions and bot posts are not requests; a message with a file still is.
    if (event.subtype !== undefined && event.subtype !== 'file_share') return;
    if (('bot_id' in event && event.bot_id) || !event.user) return;
    const direct = event.channel_type === 'im';
    const text = event.text ?? '';
    if (!direct) {
      // A mention arrives as app_mention too, which handles it; only unaddressed thread replies are ours here.
      if (mentionsUser(text, bolt.botUserId)) return;
      if (!event.thread_ts || event.thread_ts === event.ts) return;
    }
    await handleSlackMessage(context, client, {
      eventType: 'message',
      eventId: body.event_id,
      teamId: body.team_id,
      channelId: event.channel,
      userId: event.user,
      text,
      ts: event.ts,
      threadTs: event.thread_ts,
      botUserId: bolt.botUserId,
      onlyKnownThreads: !direct,
    });
  });
}
