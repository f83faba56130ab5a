/** Text helpers for Slack's mrkdwn as it arrives in events: `<@U123>`, `<https://…|label>`. */

/** Removes mentions of the bot (`<@U123>` or `<@U123|name>`) and tidies the whitespace left behind. */
export function stripBotMention(text: string, botUserId: string | undefined): string {
  if (!botUserId) return text.trim();
  const mention = new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, 'g');
  return text
    .replace(mention, ' ')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

export function mentionsUser(text: string, userId: string | undefined): boolean {
  return userId !== undefined && text.includes(`<@${userId}`);
}

const STOP_WORDS = new Set(['stop', 'cancel']);

/** A reply that is exactly `stop` or `cancel` (any case, trailing punctuation allowed) cancels the thread's run. */
export function isStopRequest(text: string): boolean {
  return STOP_WORDS.has(
    text
      .trim()
      .toLowerCase()
      .replace(/[.!]+$/, ''),
  );
}

export type NamedRepo = { kind: 'repo-token'; name: string } | { kind: 'github-url'; name: string };

/**
 * The repository a message names: `repo:owner/name` first, else the first GitHub URL
 * (`https://github.com/owner/name/...`, possibly wrapped by Slack as `<url|label>`).
 */
export function namedRepository(text: string): NamedRepo | null {
  const token = /(?:^|\s)repo:([\w.-]+(?:\/[\w.-]+)?)/i.exec(text);
  if (token?.[1]) return { kind: 'repo-token', name: token[1].replace(/\.git$/, '') };
  const url = /https?:\/\/github\.com\/([\w.-]+)\/([\w.-]+)/i.exec(text);
  if (url?.[1] && url[2]) return { kind: 'github-url', name: `${url[1]}/${url[2].replace(/\.git$/, '')}` };
  return null;
}
