import type { WebClient } from '@slack/web-api';
import { type TaskOrigin, threadKeyOf } from '../../runs/task-request.ts';
import { isStopRequest, stripBotMention } from './message-text.ts';
import { replies, repoPickBlocks } from './replies.ts';
import { resolveRepo } from './resolve-repo.ts';
import { refuse, say, type TriggerContext } from './trigger-context.ts';
import type { SubmittedRequest } from './types.ts';

/** A mention, a DM or a thread reply, reduced to what the pipeline needs. */
export interface SlackMessageInput {
  eventType: 'app_mention' | 'message';
  eventId?: string;
  teamId: string;
  channelId: string;
  userId: string;
  text: string;
  ts: string;
  threadTs?: string;
  botUserId?: string;
  /** Channel messages without a mention only count as replies in a thread Baton already works in. */
  onlyKnownThreads: boolean;
}

type SlackOrigin = Extract<TaskOrigin, { kind: 'slack' }>;

/**
 * The fast part that runs before the ack: authorise → stop? → resolve repo → submit (the intake
 * claims the dedupe keys and enqueues durably). Everything Slack-facing is posted after the ack.
 */
export async function handleSlackMessage(
  context: TriggerContext,
  client: WebClient,
  input: SlackMessageInput,
): Promise<void> {
  const origin: SlackOrigin = {
    kind: 'slack',
    teamId: input.teamId,
    channelId: input.channelId,
    threadTs: input.threadTs ?? input.ts,
    messageTs: input.ts,
    userId: input.userId,
  };
  const threadKey = threadKeyOf(origin);
  const dedupeKeys = [
    ...(input.eventId ? [`slack-event:${input.eventId}`] : []),
    `slack-msg:${input.channelId}:${input.ts}`,
  ];
  if (dedupeKeys.some((key) => context.delivered.has(key))) {
    context.metrics.duplicates.inc({ source: 'slack' });
    return;
  }
  const handledLocally = () => {
    for (const key of dedupeKeys) context.delivered.remember(key);
  };

  const known =
    input.threadTs && input.threadTs !== input.ts ? await context.store.getThreadByKey(threadKey) : null;
  if (input.onlyKnownThreads && !known) return;

  const text = stripBotMention(input.text, input.botUserId);
  const ephemeral = (line: string) =>
    ({
      type: 'ephemeral',
      channel: input.channelId,
      user: input.userId,
      threadTs: input.threadTs,
      text: line,
    }) as const;
  const inThread = (line: string) =>
    ({ type: 'thread', channel: input.channelId, threadTs: origin.threadTs, text: line }) as const;

  const authorisation = await context.authoriser.check(origin);
  switch (authorisation.type) {
    case 'allowed':
      break;
    case 'denied':
      handledLocally();
      return refuse(context, client, {
        reason: 'unauthorised',
        userId: input.userId,
        threadKey,
        line: ephemeral(replies.unauthorised),
      });
    case 'unknown':
      return refuse(context, client, {
        reason: 'membership_unknown',
        userId: input.userId,
        threadKey,
        line: ephemeral(replies.membershipUnknown),
      });
  }

  if (isStopRequest(text)) {
    const result = await context.intake.cancel({ threadKey }, input.userId);
    handledLocally();
    if (!result.cancelled) say(context, client, ephemeral(replies.nothingToCancel));
    return;
  }

  if (text.length > context.maxTextLength) {
    handledLocally();
    return refuse(context, client, {
      reason: 'too_long',
      userId: input.userId,
      threadKey,
      line: ephemeral(replies.tooLong(text.length, context.maxTextLength)),
    });
  }

  const resolution = known
    ? ({ type: 'resolved', repo: known.repo } as const)
    : resolveRepo({
        text,
        channelId: input.channelId,
        repos: context.config.repos,
        channelRepos: context.config.slack.channelRepos,
      });
  switch (resolution.type) {
    case 'unknown':
      handledLocally();
      return refuse(context, client, {
        reason: 'unknown_repo',
        userId: input.userId,
        threadKey,
        line: inThread(replies.unknownRepo(resolution.named, resolution.allowed)),
      });
    case 'none':
      handledLocally();
      return refuse(context, client, {
        reason: 'no_repo',
        userId: input.userId,
        threadKey,
        line: inThread(replies.noRepos),
      });
    case 'ask': {
      handledLocally();
      const blocks = repoPickBlocks(
        {
          channel: input.channelId,
          threadTs: origin.threadTs,
          messageTs: input.ts,
          text,
          user: input.userId,
          team: input.teamId,
        },
        resolution.allowed,
      );
      context.background.run('slack-ask-repo', () =>
        blocks
          ? client.chat.postMessage({
              channel: input.channelId,
              thread_ts: origin.threadTs,
              text: replies.askRepo,
              blocks,
            })
          : client.chat.postMessage({
              channel: input.channelId,
              thread_ts: origin.threadTs,
              text: replies.askRepoByText(resolution.allowed),
            }),
      );
      return;
    }
    case 'resolved':
      return submit(context, {
        origin,
        requester: { id: input.userId },
        text,
        ...('hint' in resolution && resolution.hint ? { repoHint: resolution.hint } : {}),
        receivedAt: context.clock().toISOString(),
        dedupeKeys,
        repo: resolution.repo,
      });
  }
}

/** Enqueues through the intake, counts the outcome and hands the follow-up (👀, status message) to after the ack. */
export async function submit(context: TriggerContext, request: SubmittedRequest): Promise<void> {
  const result = await context.intake.submit(request);
  if (result.type === 'duplicate') {
    context.metrics.duplicates.inc({ source: 'slack' });
    return;
  }
  context.metrics.runsQueued.inc({ source: 'slack', type: result.type });
  context.log.info(
    { turnId: result.turnId, threadId: result.threadId, outcome: result.type, repo: request.repo },
    'slack-request-submitted',
  );
  context.background.run('slack-after-submit', () => context.afterSubmit(request, result));
}
