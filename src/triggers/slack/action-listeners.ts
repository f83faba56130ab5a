import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { threadKeyOf } from '../../runs/task-request.ts';
import { submit } from './handle-request.ts';
import {
  CANCEL_ACTION,
  PICK_REPO_ACTION,
  type PickRepoValue,
  pickRepoValueSchema,
  replies,
} from './replies.ts';
import { refuse, say, type TriggerContext } from './trigger-context.ts';

type ButtonClick = BlockAction<ButtonAction>;

/** Where the clicked button lives: its channel and the thread it sits in. */
function placeOf(body: ButtonClick): { channelId: string; threadTs?: string } {
  const channelId = body.channel?.id ?? '';
  const threadTs = body.message?.thread_ts ?? body.message?.ts;
  return { channelId, ...(typeof threadTs === 'string' ? { threadTs } : {}) };
}

/** The cancel button on the status message (value = turn id) and the repository buttons. */
export function registerActionListeners(app: App, context: TriggerContext): void {
  app.action<ButtonClick>(
    { type: 'block_actions', action_id: CANCEL_ACTION },
    async ({ ack, body, action, client }) => {
      await ack();
      context.metrics.eventsReceived.inc({ source: 'slack', type: 'block_actions' });
      const { channelId, threadTs } = placeOf(body);
      const teamId = body.team?.id ?? body.user.team_id ?? '';
      const userId = body.user.id;
      const authorisation = await context.authoriser.check({ teamId, channelId, userId });
      if (authorisation.type !== 'allowed') {
        const threadKey = threadKeyOf({
          kind: 'slack',
          teamId,
          channelId,
          threadTs: threadTs ?? '',
          messageTs: '',
          userId,
        });
        return refuse(context, client, {
          reason: authorisation.type === 'denied' ? 'unauthorised' : 'membership_unknown',
          userId,
          threadKey,
          line: { type: 'ephemeral', channel: channelId, user: userId, threadTs, text: replies.unauthorised },
        });
      }
      const turnId = action.value ?? '';
      const result = turnId ? await context.intake.cancel({ turnId }, userId) : { cancelled: false };
      context.log.info({ turnId, userId, cancelled: result.cancelled }, 'slack-cancel-clicked');
      if (!result.cancelled) {
        say(context, client, {
          type: 'ephemeral',
          channel: channelId,
          user: userId,
          threadTs,
          text: replies.alreadyFinished,
        });
      }
    },
  );

  app.action<ButtonClick>(
    { type: 'block_actions', action_id: PICK_REPO_ACTION },
    async ({ ack, body, action, client }) => {
      await ack();
      context.metrics.eventsReceived.inc({ source: 'slack', type: 'block_actions' });
      const parsed = pickRepoValueSchema.safeParse(safeJson(action.value));
      if (!parsed.success) {
        context.log.warn({ actionId: action.action_id }, 'slack-pick-repo-bad-value');
        return;
      }
      const picked: PickRepoValue = parsed.data;
      const userId = body.user.id;
      const line = (text: string) =>
        ({
          type: 'ephemeral',
          channel: picked.channel,
          user: userId,
          threadTs: picked.threadTs,
          text,
        }) as const;
      // The buttons ask the requester; anyone else clicking would start a run in their name.
      if (userId !== picked.user) return say(context, client, line(replies.onlyRequesterPicks(picked.user)));
      const origin = {
        kind: 'slack' as const,
        teamId: picked.team,
        channelId: picked.channel,
        threadTs: picked.threadTs,
        messageTs: picked.messageTs,
        userId: picked.user,
      };
      const authorisation = await context.authoriser.check(origin);
      const repo = context.config.repos.find((candidate) => candidate.name === picked.repo);
      if (authorisation.type !== 'allowed' || !repo) {
        return refuse(context, client, {
          reason: authorisation.type !== 'allowed' ? 'unauthorised' : 'unknown_repo',
          userId,
          threadKey: threadKeyOf(origin),
          line: line(
            repo
              ? replies.unauthorised
              : replies.unknownRepo(
                  picked.repo,
                  context.config.repos.map((candidate) => candidate.name),
                ),
          ),
        });
      }
      await submit(context, {
        origin,
        requester: { id: picked.user },
        text: picked.text,
        repoHint: repo.name,
        receivedAt: context.clock().toISOString(),
        // The original message's key: a second click (or a later mention of the same message) is a duplicate.
        dedupeKeys: [`slack-msg:${picked.channel}:${picked.messageTs}`],
        repo: repo.name,
      });
      const askTs = body.message?.ts;
      if (askTs) {
        context.background.run('slack-pick-repo-update', () =>
          client.chat.update({
            channel: picked.channel,
            ts: askTs,
            text: replies.pickedRepo(repo.name, userId),
            blocks: [],
          }),
        );
      }
    },
  );
}

function safeJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
