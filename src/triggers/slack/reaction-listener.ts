import type { App } from '@slack/bolt';
import { threadKeyOf } from '../../runs/task-request.ts';
import { replies } from './replies.ts';
import { refuse, type TriggerContext } from './trigger-context.ts';

/**
 * The configured reaction (`slack.cancelReaction`) on a request message cancels its thread's run.
 * The event names only the reacted message, so it works on the message that started the thread
 * (whose ts is the thread's); a reaction elsewhere finds no run and is silently ignored.
 */
export function registerReactionListener(app: App, context: TriggerContext): void {
  app.event('reaction_added', async ({ event, body, client }) => {
    context.metrics.eventsReceived.inc({ source: 'slack', type: 'reaction_added' });
    if (event.reaction !== context.config.slack.cancelReaction || event.item.type !== 'message') return;
    const origin = {
      kind: 'slack' as const,
      teamId: body.team_id,
      channelId: event.item.channel,
      threadTs: event.item.ts,
      messageTs: event.item.ts,
      userId: event.user,
    };
    const threadKey = threadKeyOf(origin);
    const authorisation = await context.authoriser.check(origin);
    if (authorisation.type !== 'allowed') {
      return refuse(context, client, {
        reason: authorisation.type === 'denied' ? 'unauthorised' : 'membership_unknown',
        userId: event.user,
        threadKey,
        line: {
          type: 'ephemeral',
          channel: origin.channelId,
          user: event.user,
          threadTs: origin.threadTs,
          text: replies.unauthorised,
        },
      });
    }
    const result = await context.intake.cancel({ threadKey }, event.user);
    context.log.info({ threadKey, userId: event.user, cancelled: result.cancelled }, 'slack-cancel-reaction');
  });
}
