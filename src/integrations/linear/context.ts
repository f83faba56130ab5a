import type { ContextDocument } from '../../context/types.ts';
import { describeError, isBatonError } from '../../observability/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import type { LinearClient, LinearIssue } from './client.ts';

/** Newer comments matter most; older ones are dropped past this count. */
const MAX_COMMENTS = 30;

/** Shapes that look like issue keys but are standards, hashes or versions. */
const NOT_TEAM_KEYS = new Set([
  'UTF',
  'ISO',
  'SHA',
  'MD',
  'RFC',
  'CVE',
  'GPT',
  'HTTP',
  'TLS',
  'SSL',
  'ES',
  'ECMA',
  'IEEE',
  'PEP',
  'RSA',
  'AES',
  'ISBN',
  'WCAG',
  'COVID',
  'LTS',
]);

/**
 * `ENG-123`-style issue keys mentioned in free text, in order of first mention. With `teamKeys`
 * only those teams count; without, well-known non-issue shapes (`UTF-8`, `SHA-256`, `CVE-2024-1234`)
 * are skipped.
 */
export function findLinearKeys(text: string, options: { teamKeys?: readonly string[] } = {}): string[] {
  const allowed = options.teamKeys && options.teamKeys.length > 0 ? new Set(options.teamKeys) : undefined;
  const pattern = /(?<![\w-])([A-Z][A-Z0-9]{1,9})-(\d{1,7})(?![\w-])/g;
  const keys: string[] = [];
  for (const match of text.matchAll(pattern)) {
    const team = match[1] ?? '';
    if (allowed ? !allowed.has(team) : NOT_TEAM_KEYS.has(team)) continue;
    const key = `${team}-${match[2]}`;
    if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

export interface FetchLinearContextOptions {
  client: LinearClient;
  /** The origin issue (Linear-triggered runs): failing to read it is an error. */
  issueId?: string;
  /** Issues mentioned elsewhere (a Slack message): an unreadable one is skipped. */
  issueKeys?: readonly string[];
  /** The Linear user who asked; only their own words are trusted. */
  requesterId?: string;
  log?: Logger;
}

/** The issue(s) as context documents: the issue itself, then one document per comment. */
export async function fetchLinearContext(options: FetchLinearContextOptions): Promise<ContextDocument[]> {
  const wanted = [...(options.issueId ? [options.issueId] : []), ...(options.issueKeys ?? [])];
  const unique = wanted.filter((key, index) => wanted.indexOf(key) === index);
  const results = await Promise.allSettled(unique.map((key) => options.client.getIssue(key)));
  const documents: ContextDocument[] = [];
  const seen = new Set<string>();
  for (const [index, result] of results.entries()) {
    if (result.status === 'rejected') {
      if (options.issueId !== undefined && unique[index] === options.issueId) throw result.reason;
      const level =
        isBatonError(result.reason) && result.reason.code === 'linear_not_found' ? 'debug' : 'warn';
      options.log?.[level]({ key: unique[index] }, `skipped Linear issue: ${describeError(result.reason)}`);
      continue;
    }
    if (seen.has(result.value.id)) continue;
    seen.add(result.value.id);
    documents.push(...issueDocuments(result.value, options.requesterId));
  }
  return documents;
}

function issueDocuments(issue: LinearIssue, requesterId: string | undefined): ContextDocument[] {
  const isRequester = (id: string | undefined) => requesterId !== undefined && id === requesterId;
  const facts = [
    `Linear issue ${issue.identifier}: ${issue.title}`,
    `Team: ${issue.team.key} · State: ${issue.state.name} · Priority: ${issue.priorityLabel}`,
    issue.labels.length > 0 ? `Labels: ${issue.labels.map((label) => label.name).join(', ')}` : '',
    issue.project ? `Project: ${issue.project.name}` : '',
    issue.creator ? `Created by: ${issue.creator.name}` : '',
  ].filter((line) => line !== '');
  const links = issue.links.map((link) => `- ${link.title}: ${link.url}`);
  const text = [
    ...facts,
    '',
    issue.description.trim() || '(no description)',
    ...(links.length > 0 ? ['', 'Links:', ...links] : []),
  ].join('\n');
  const comments = issue.comments.slice(-MAX_COMMENTS).map(
    (comment): ContextDocument => ({
      kind: 'linear-comment',
      title: `Comment on ${issue.identifier} by ${comment.author?.name ?? 'an integration'} (${comment.createdAt})`,
      text: comment.body,
      trusted: isRequester(comment.author?.id),
      url: `${issue.url}#comment-${comment.id}`,
    }),
  );
  return [
    {
      kind: 'linear-issue',
      title: `${issue.identifier}: ${issue.title}`,
      text,
      // The description is the creator's words; anyone else's issue is data, not instructions.
      trusted: isRequester(issue.creator?.id),
      url: issue.url,
    },
    ...comments,
  ];
}
