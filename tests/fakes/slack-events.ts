import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { AppMentionEvent, GenericMessageEvent, ReactionAddedEvent } from '@slack/types';

/** Builders for the events Baton subscribes to, typed with Slack's own event types. */

export function appMentionEvent(input: {
  user: string;
  text: string;
  channel: string;
  ts: string;
  threadTs?: string;
  team?: string;
}): AppMentionEvent {
  return {
    type: 'app_mention',
    user: input.user,
    text: input.text,
    channel: input.channel,
    ts: input.ts,
    event_ts: input.ts,
    ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    ...(input.team ? { team: input.team } : {}),
  };
}

export function messageEvent(input: {
  user: string;
  text: string;
  channel: string;
  ts: string;
  threadTs?: string;
  channelType?: GenericMessageEvent['channel_type'];
  team?: string;
}): GenericMessageEvent {
  return {
    type: 'message',
    subtype: undefined,
    user: input.user,
    text: input.text,
    channel: input.channel,
    channel_type: input.channelType ?? 'channel',
    ts: input.ts,
    event_ts: input.ts,
    ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    ...(input.team ? { team: input.team } : {}),
  };
}

export function reactionAddedEvent(input: {
  user: string;
  reaction: string;
  channel: string;
  ts: string;
  itemUser: string;
  eventTs?: string;
}): ReactionAddedEvent {
  return {
    type: 'reaction_added',
    user: input.user,
    reaction: input.reaction,
    item_user: input.itemUser,
    item: { type: 'message', channel: input.channel, ts: input.ts },
    event_ts: input.eventTs ?? input.ts,
  };
}

/** A press of a button in a message Baton posted (e.g. Cancel: action_id `baton_cancel`). */
export function buttonActionPayload(input: {
  actionId: string;
  value: string;
  user: string;
  channel: string;
  messageTs: string;
  threadTs?: string;
  team?: string;
}): BlockAction<ButtonAction> {
  return {
    type: 'block_actions',
    actions: [
      {
        type: 'button',
        block_id: 'actions',
        action_id: input.actionId,
        action_ts: input.messageTs,
        value: input.value,
        text: { type: 'plain_text', text: input.actionId },
      },
    ],
    team: { id: input.team ?? 'T0FAKE', domain: 'fake' },
    user: { id: input.user, username: input.user },
    channel: { id: input.channel, name: input.channel },
    message: {
      type: 'message',
      ts: input.messageTs,
      ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    },
    container: {
      type: 'message',
      message_ts: input.messageTs,
      channel_id: input.channel,
      is_ephemeral: false,
      ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    },
    token: 'fake-verification-token',
    response_url: 'https://hooks.slack.invalid/actions/response',
    trigger_id: 'trigger-1',
    api_app_id: 'A0FAKE',
  };
}
