import type { KnownBlock, SectionBlock } from '@slack/types';
import type { RunOutcome } from '../../runs/reporter.ts';
import { escapeMrkdwn, formatUsage, SLACK_LIMITS, splitText, truncate } from './slack-text.ts';

/** Longer text than this many sections goes into an attached file, with the start shown inline. */
const INLINE_SECTIONS = 8;
/** Room under the 3,000-character section limit for a "(continued in the file)" note. */
const SECTION_BUDGET = SLACK_LIMITS.sectionTextChars - 100;

export interface TextAttachment {
  filename: string;
  title: string;
  content: string;
}

export interface RenderedLongMessage {
  text: string;
  blocks: KnownBlock[];
  /** The full text as a file when it does not fit in the message. */
  attachment?: TextAttachment;
}

const OUTCOME_MARK: Record<RunOutcome['status'], string> = {
  succeeded: ':white_check_mark:',
  failed: ':x:',
  cancelled: ':octagonal_sign:',
  budget_exhausted: ':x:',
  waiting: ':speech_balloon:',
};

const section = (text: string): SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

/**
 * Plain text (already redacted) as sections that respect Slack's limits; beyond a few sections the
 * first one is shown and the whole text is attached as a file.
 */
export function renderLongText(input: {
  text: string;
  prefix?: string;
  filename: string;
  title: string;
}): RenderedLongMessage {
  const escaped = `${input.prefix ?? ''}${escapeMrkdwn(input.text)}`;
  const chunks = splitText(escaped, SECTION_BUDGET);
  const fallback = `${input.prefix ?? ''}${escapeMrkdwn(truncate(input.text, 300))}`;
  if (chunks.length <= INLINE_SECTIONS) return { text: fallback, blocks: chunks.map(section) };
  return {
    text: fallback,
    blocks: [section(`${chunks[0] ?? ''}\n\n_(continued in the attached file)_`)],
    attachment: { filename: input.filename, title: input.title, content: input.text },
  };
}

function deliveryFields(outcome: RunOutcome): SectionBlock | undefined {
  const fields: { type: 'mrkdwn'; text: string }[] = [];
  if (outcome.pullRequestUrl)
    fields.push({
      type: 'mrkdwn',
      text: `*Pull request*\n<${outcome.pullRequestUrl}|${escapeMrkdwn(truncate(outcome.pullRequestUrl, 200))}>`,
    });
  if (outcome.branch)
    fields.push({ type: 'mrkdwn', text: `*Branch*\n\`${escapeMrkdwn(truncate(outcome.branch, 200))}\`` });
  if (outcome.commit)
    fields.push({ type: 'mrkdwn', text: `*Commit*\n\`${escapeMrkdwn(outcome.commit.slice(0, 12))}\`` });
  return fields.length > 0 ? { type: 'section', fields } : undefined;
}

const CHECK_MARK: Record<string, string> = { passed: '✅', failed: '❌', blocked: '⛔', skipped: '➖' };

function checksSection(outcome: RunOutcome): SectionBlock | undefined {
  if (outcome.checks.length === 0) return undefined;
  const lines = outcome.checks.map(
    (check) =>
      `${CHECK_MARK[check.status] ?? '•'} *${escapeMrkdwn(truncate(check.name, 60))}*: ${escapeMrkdwn(truncate(check.summary, 200))}`,
  );
  return section(truncate(lines.join('\n'), SECTION_BUDGET));
}

/** The final reply of a turn: summary, where the work is, checks, tokens and cost. */
export function renderFinal(outcome: RunOutcome): RenderedLongMessage {
  const mark = OUTCOME_MARK[outcome.status];
  const body = renderLongText({
    text: outcome.summary,
    prefix: `${mark} `,
    filename: 'baton-summary.txt',
    title: 'Full summary',
  });
  const blocks: KnownBlock[] = [...body.blocks];
  const delivery = deliveryFields(outcome);
  if (delivery) blocks.push(delivery);
  const checks = checksSection(outcome);
  if (checks) blocks.push(checks);
  // A failed setup explains failing checks; a ready environment is not news in the final reply.
  if (outcome.environment?.startsWith('environment: setup failed'))
    blocks.push(section(`:warning: ${escapeMrkdwn(truncate(outcome.environment, 500))}`));
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: formatUsage(outcome.tokens, outcome.costUsd) }],
  });
  return { ...body, blocks };
}
