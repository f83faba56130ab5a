import type { App, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { submit } from './handle-request.ts';
import { replies, repoPickBlocks } from './replies.ts';
import { type RepoResolution, resolveRepo } from './resolve-repo.ts';
import type { RefusalReason, TriggerContext } from './trigger-context.ts';

export const SLASH_COMMAND = '/baton';

interface Command {
  team_id: string;
  channel_id: string;
  user_id: string;
  text: string;
  trigger_id: string;
}

/**
 * `/baton <task>`: the ack is the ephemeral "On it" (or the refusal, which only the user sees anyway).
 * The thread is created after the ack: a parent message in the channel, whose ts becomes thread_ts.
 * The submit follows the post, so it happens after the ack too; Slack does not retry commands,
 * and a failure is told to the user through the response URL.
 */
export function registerSlashCommand(app: App, context: TriggerContext): void {
  app.command(SLASH_COMMAND, async ({ command, ack, respond, client }) => {
    context.metrics.eventsReceived.inc({ source: 'slack', type: 'slash_command' });
    const text = command.text.trim();
    if (!text) return ack({ response_type: 'ephemeral', text: replies.emptyCommand });
    const refusal = await refusalFor(context, command, text);
    if (refusal) {
      context.metrics.refusals.inc({ source: 'slack', reason: refusal.reason });
      return ack({ response_type: 'ephemeral', text: refusal.text });
    }
    const resolution = resolveRepo({
      text,
      channelId: command.channel_id,
      repos: context.config.repos,
      channelRepos: context.config.slack.channelRepos,
    });
    switch (resolution.type) {
      case 'unknown':
        context.metrics.refusals.inc({ source: 'slack', reason: 'unknown_repo' });
        return ack({
          response_type: 'ephemeral',
          text: replies.unknownRepo(resolution.named, resolution.allowed),
        });
      case 'none':
        context.metrics.refusals.inc({ source: 'slack', reason: 'no_repo' });
        return ack({ response_type: 'ephemeral', text: replies.noRepos });
      case 'ask':
      case 'resolved':
        await ack({ response_type: 'ephemeral', text: replies.commandAccepted });
        context.background.run('slack-command-thread', () =>
          startThread(context, client, respond, command, text, resolution),
        );
        return;
    }
  });
}

async function refusalFor(
  context: TriggerContext,
  command: Command,
  text: string,
): Promise<{ reason: RefusalReason; text: string } | null> {
  const authorisation = await context.authoriser.check({
    teamId: command.team_id,
    channelId: command.channel_id,
    userId: command.user_id,
  });
  switch (authorisation.type) {
    case 'denied':
      return { reason: 'unauthorised', text: replies.unauthorised };
    case 'unknown':
      return { reason: 'membership_unknown', text: replies.membershipUnknown };
    case 'allowed':
      return text.length > context.maxTextLength
        ? { reason: 'too_long', text: replies.tooLong(text.length, context.maxTextLength) }
        : null;
  }
}

async function startThread(
  context: TriggerContext,
  client: WebClient,
  respond: RespondFn,
  command: Command,
  text: string,
  resolution: Extract<RepoResolution, { type: 'ask' | 'resolved' }>,
): Promise<void> {
  let threadTs: string;
  try {
    const parent = await client.chat.postMessage({
      channel: command.channel_id,
      text: replies.commandParent(command.user_id, text),
    });
    if (!parent.ts) throw new Error('chat.postMessage answered without a ts');
    threadTs = parent.ts;
  } catch (error) {
    const reason = slackErrorCode(error);
    context.log.warn({ err: error, channelId: command.channel_id }, 'slack-command-thread-failed');
    await respond({ response_type: 'ephemeral', text: replies.cannotPost(reason) });
    return;
  }
  const origin = {
    kind: 'slack' as const,
    teamId: command.team_id,
    channelId: command.channel_id,
    threadTs,
    messageTs: threadTs,
    userId: command.user_id,
  };
  if (resolution.type === 'ask') {
    const blocks = repoPickBlocks(
      {
        channel: origin.channelId,
        threadTs,
        messageTs: threadTs,
        text,
        user: origin.userId,
        team: origin.teamId,
      },
      resolution.allowed,
    );
    await client.chat.postMessage({
      channel: origin.channelId,
      thread_ts: threadTs,
      ...(blocks ? { text: replies.askRepo, blocks } : { text: replies.askRepoByText(resolution.allowed) }),
    });
    return;
  }
  try {
    await submit(context, {
      origin,
      requester: { id: command.user_id },
      text,
      ...(resolution.hint ? { repoHint: resolution.hint } : {}),
      receivedAt: context.clock().toISOString(),
      dedupeKeys: [`slack-command:${command.trigger_id}`, `slack-msg:${command.channel_id}:${threadTs}`],
      repo: resolution.repo,
    });
  } catch (error) {
    context.log.error({ err: error, channelId: command.channel_id }, 'slack-command-submit-failed');
    await client.chat.postMessage({
      channel: origin.channelId,
      thread_ts: threadTs,
      text: replies.queueFailed,
    });
  }
}

/** Slack's own error code (`not_in_channel`, `channel_not_found`) when there is one. */
export function slackErrorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'data' in error) {
    const data = (error as { data?: { error?: unknown } }).data;
    if (typeof data?.error === 'string') return data.error;
  }
  return error instanceof Error ? error.message : String(error);
}
