import type { KnownBlock } from '@slack/types';
import { z } from 'zod';

/** Every plain line Baton says in Slack from the trigger, in one place. No stack traces, no codes. */
export const replies = {
  unauthorised:
    'Sorry, I can only take requests from the people and channels my operators allowed. Ask your Baton admin if you need access.',
  membershipUnknown: "Sorry, I couldn't check your group membership just now. Please try again in a minute.",
  tooLong: (length: number, max: number) =>
    `That message is ${length.toLocaleString('en-US')} characters; I take requests up to ${max.toLocaleString('en-US')}. Put the details in a file, issue or pull request and link it.`,
  unknownRepo: (named: string, allowed: readonly string[]) =>
    `I'm not set up to work on ${named}. I can work on: ${allowed.join(', ')}. Name one with repo:owner/name.`,
  noRepos: 'No repositories are configured for me yet. Ask your Baton admin to add one to the configuration.',
  askRepo: 'Which repository should I work in?',
  askRepoByText: (allowed: readonly string[]) =>
    `Which repository should I work in? Mention me again with repo:owner/name, one of: ${allowed.join(', ')}.`,
  pickedRepo: (repo: string, userId: string) => `Working in *${repo}* (picked by <@${userId}>).`,
  onlyRequesterPicks: (userId: string) => `Only <@${userId}> can choose the repository for this request.`,
  nothingToCancel: 'Nothing is running in this thread.',
  alreadyFinished: 'That run has already finished.',
  emptyCommand: 'Tell me what to do: `/baton fix the flaky login test repo:owner/name`.',
  queueFailed: "I couldn't queue this request just now. Please try again in a minute.",
  commandAccepted: "On it: I'm starting a thread for this in the channel.",
  commandParent: (userId: string, text: string) => `<@${userId}> asked: ${text}`,
  cannotPost: (reason: string) =>
    `I couldn't post in this channel (${reason}). Invite me with \`/invite @Baton\` and try again.`,
} as const;

export const PICK_REPO_ACTION = 'baton_pick_repo';
export const CANCEL_ACTION = 'baton_cancel';

/** What a repo button carries back: enough to submit the original request without looking anything up. */
export const pickRepoValueSchema = z.object({
  repo: z.string().min(1),
  channel: z.string().min(1),
  threadTs: z.string().min(1),
  messageTs: z.string().min(1),
  text: z.string(),
  user: z.string().min(1),
  team: z.string(),
});
export type PickRepoValue = z.infer<typeof pickRepoValueSchema>;

// Slack's limits: a button value holds 2,000 characters, a message 50 blocks.
const MAX_BUTTON_VALUE = 2000;
const MAX_REPO_BLOCKS = 49;

/**
 * One section per repository with a button, so every button keeps the same action_id (action ids
 * must be unique within a block). Null when the request does not fit in a button value or there are
 * too many repositories: the caller asks in words instead.
 */
export function repoPickBlocks(
  request: Omit<PickRepoValue, 'repo'>,
  allowed: readonly string[],
): KnownBlock[] | null {
  if (allowed.length > MAX_REPO_BLOCKS) return null;
  const buttons = allowed.map((repo) => ({ repo, value: JSON.stringify({ ...request, repo }) }));
  if (buttons.some((button) => button.value.length > MAX_BUTTON_VALUE)) return null;
  return [
    { type: 'section', text: { type: 'mrkdwn', text: replies.askRepo } },
    ...buttons.map(
      ({ repo, value }): KnownBlock => ({
        type: 'section',
        text: { type: 'mrkdwn', text: `*${repo}*` },
        accessory: {
          type: 'button',
          action_id: PICK_REPO_ACTION,
          text: { type: 'plain_text', text: 'Work here' },
          value,
        },
      }),
    ),
  ];
}
