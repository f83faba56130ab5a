import type { RunOutcome } from '../../runs/reporter.ts';

/** GitHub refuses comment bodies over 65,536 characters; leave room for the footer. */
export const MAX_COMMENT_CHARS = 60_000;
const MAX_CHECK_SUMMARY_CHARS = 600;

function headline(status: RunOutcome['status']): string {
  switch (status) {
    case 'succeeded':
      return '✅ **Done**';
    case 'failed':
      return '❌ **The run failed**';
    case 'waiting':
      return '💬 **Waiting for an answer**';
    case 'cancelled':
      return '⏹️ **Cancelled**';
    case 'budget_exhausted':
      return '⚠️ **Stopped: the run reached its budget**';
  }
}

function checkMark(status: string): string {
  if (status === 'passed' || status === 'succeeded' || status === 'success') return '✅';
  if (status === 'failed' || status === 'failure' || status === 'blocked') return '❌';
  if (status === 'skipped') return '⏭️';
  return '•';
}

function oneLine(text: string, limit: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= limit ? flat : `${flat.slice(0, limit - 1)}…`;
}

/** Cuts a comment body to what GitHub accepts. */
export function fitComment(body: string): string {
  if (body.length <= MAX_COMMENT_CHARS) return body;
  return `${body.slice(0, MAX_COMMENT_CHARS)}\n\n_(cut: the full text is in the run log)_`;
}

/** The one comment that closes a run: result, checks, what changed, usage. */
export function formatFinishComment(outcome: RunOutcome, options: { runUrl?: string } = {}): string {
  const lines = [headline(outcome.status), '', outcome.summary.trim()];
  if (outcome.checks.length > 0) {
    lines.push('', '**Checks**');
    for (const check of outcome.checks) {
      const summary = oneLine(check.summary, MAX_CHECK_SUMMARY_CHARS);
      lines.push(
        `- ${checkMark(check.status)} \`${check.name}\` ${check.status}${summary ? `: ${summary}` : ''}`,
      );
    }
  }
  lines.push('');
  if (outcome.commit) {
    const where = outcome.branch ? ` on \`${outcome.branch}\`` : '';
    lines.push(`**Changes:** commit \`${outcome.commit.slice(0, 12)}\`${where}.`);
  } else {
    lines.push('**Changes:** nothing was pushed.');
  }
  if (outcome.pullRequestUrl) lines.push(`**Pull request:** ${outcome.pullRequestUrl}`);
  lines.push(`**Usage:** ${outcome.tokens.toLocaleString('en-US')} tokens · $${outcome.costUsd.toFixed(4)}`);
  if (options.runUrl) lines.push(`[View run](${options.runUrl})`);
  return fitComment(lines.join('\n'));
}

/** A question asked on the PR: the answer arrives as a new comment that mentions Baton. */
export function formatQuestion(question: string, mention: string): string {
  return fitComment(`❓ ${question.trim()}\n\n_Answer with a comment that mentions ${mention}._`);
}
