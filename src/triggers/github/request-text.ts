import { fenceUntrusted } from '../../context/fence.ts';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `@baton` as a word: not inside `me@baton.dev`, `@baton-team` or `/@baton`. */
function mentionPattern(mention: string, flags: string): RegExp {
  return new RegExp(`(?<![\\w@./-])${escapeRegExp(mention)}(?![\\w-])`, flags);
}

/** Quoted lines and code are someone else's words or examples: a mention there is not a request. */
function withoutQuotesAndCode(body: string): string {
  return body
    .replace(/^ {0,3}(```|~~~)[\s\S]*?^ {0,3}\1/gm, '')
    .replace(/`[^`\n]*`/g, '')
    .split('\n')
    .filter((line) => !/^\s*>/.test(line))
    .join('\n');
}

export function mentionsBaton(body: string, mention: string): boolean {
  return mentionPattern(mention, 'i').test(withoutQuotesAndCode(body));
}

/** The request without the address: `@baton rename this` → `rename this`. */
export function stripMention(body: string, mention: string): string {
  const pattern = new RegExp(`${mentionPattern(mention, '').source}[,:]?[ \\t]*`, 'gi');
  return body.replace(pattern, '').trim();
}

const MAX_HUNK_LINES = 30;

/** Where a review comment sits: file, line(s) and the end of the diff hunk (which ends at that line). */
export function reviewCommentContext(input: {
  path: string;
  line?: number | null;
  startLine?: number | null;
  diffHunk?: string | null;
}): string {
  const line = input.line ?? undefined;
  const lines =
    input.startLine && line && input.startLine !== line
      ? `lines ${input.startLine}-${line}`
      : line
        ? `line ${line}`
        : '';
  const header = `This is a review comment on \`${input.path}\`${lines ? `, ${lines}` : ''}.`;
  if (!input.diffHunk) return header;
  const hunk = input.diffHunk.split('\n');
  const tail = hunk.length > MAX_HUNK_LINES ? [hunk[0] ?? '', '…', ...hunk.slice(-MAX_HUNK_LINES)] : hunk;
  // The hunk is code from the branch, not the reviewer's words: fenced like any other untrusted text.
  return `${header}\nThe diff around it:\n${fenceUntrusted(`diff hunk of ${input.path}`, tail.join('\n'))}`;
}
