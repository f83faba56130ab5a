import type { RunOutcome, RunProgress } from '../../runs/reporter.ts';

/** How a run ended, in Markdown for a Linear comment or a final agent activity. */
export function formatFinalMessage(outcome: RunOutcome, notes: readonly string[] = []): string {
  const lines = [headline(outcome), '', outcome.summary.trim()];
  if (outcome.checks.length > 0) {
    lines.push('');
    for (const check of outcome.checks) {
      lines.push(
        `- ${check.status === 'passed' ? '✅' : check.status === 'skipped' ? '➖' : '❌'} ${check.name}: ${check.summary}`,
      );
    }
  }
  if (outcome.branch) lines.push('', `Branch: \`${outcome.branch}\``);
  if (notes.length > 0) lines.push('', ...notes.map((note) => `_${note}_`));
  return lines.join('\n');
}

function headline(outcome: RunOutcome): string {
  switch (outcome.status) {
    case 'succeeded':
      return outcome.pullRequestUrl
        ? `**Baton opened a draft pull request:** ${outcome.pullRequestUrl}`
        : '**Baton finished.**';
    case 'failed':
      return '**Baton could not finish this.**';
    case 'budget_exhausted':
      return '**Baton stopped: the run hit its budget.** The work so far is kept on its branch.';
    case 'cancelled':
      return '**Baton stopped as asked.**';
    case 'waiting':
      return '**Baton is waiting for an answer.**';
  }
}

/** `action` activity fields for one progress update. */
export function progressAction(progress: RunProgress): { action: string; parameter: string } {
  const [verb, ...rest] = progress.activity.trim().split(/\s+/);
  const done = progress.plan.filter((item) => item.status === 'done').length;
  const plan = progress.plan.length > 0 ? ` · plan ${done}/${progress.plan.length}` : '';
  return {
    action: verb && rest.length > 0 ? verb : 'Working',
    parameter: `${rest.length > 0 ? rest.join(' ') : progress.activity || 'on it'} (step ${progress.step}${plan})`,
  };
}
