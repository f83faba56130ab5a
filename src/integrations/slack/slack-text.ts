/** Slack's message limits (https://docs.slack.dev/reference/block-kit/blocks). */
export const SLACK_LIMITS = {
  sectionTextChars: 3_000,
  fieldChars: 2_000,
  blocks: 50,
  textChars: 40_000,
} as const;

/** Slack mrkdwn treats `&`, `<` and `>` as control characters; text from outside is escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An emoji code as Slack writes it: `:white_check_mark:`, `:+1:`, `:skin-tone-2:`. */
const EMOJI_CODE = /(:[a-z0-9_+'-]+:)/g;

/**
 * mrkdwn as plain text for a message's `text`, which notifications and screen readers show:
 * the `*bold*`, `_italic_` and `~strike~` marks go, emoji codes and underscores inside words
 * (`:white_check_mark:`, `snake_case`) stay as they are.
 */
export function mrkdwnToPlainText(text: string): string {
  return text
    .split(EMOJI_CODE)
    .map((part, index) =>
      // split() with a capturing group puts the emoji codes at the odd indexes.
      index % 2 === 1 ? part : part.replace(/(^|[^\w])([*_~])(?=\S)(.+?)(?<=\S)\2(?!\w)/g, '$1$3'),
    )
    .join('');
}

/** Where to cut `text` at most `max` characters in: a paragraph, a line, a space, else hard (not inside an entity). */
function cutPoint(text: string, max: number): number {
  const window = text.slice(0, max);
  for (const separator of ['\n\n', '\n', ' ']) {
    const at = window.lastIndexOf(separator);
    if (at > max / 2) return at + separator.length;
  }
  const ampersand = window.lastIndexOf('&');
  return ampersand > max - 6 && ampersand > 0 ? ampersand : max;
}

/** Splits text into chunks of at most `max` characters, on natural boundaries where possible. */
export function splitText(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const at = cutPoint(rest, max);
    chunks.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).replace(/^\n+/, '');
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}

/** Text shortened to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

export function formatUsage(tokens: number, costUsd: number): string {
  return `${tokens.toLocaleString('en-US')} tokens · $${costUsd.toFixed(2)}`;
}
