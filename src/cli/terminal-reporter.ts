import { createInterface } from 'node:readline/promises';
import type { AskOutcome, Reporter, RunOutcome, RunProgress } from '../runs/reporter.ts';

export interface TerminalReporterOptions {
  write: (line: string) => void;
  /** Present when a person can answer at the terminal; without it `ask` ends the turn with the question. */
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** In --json mode the items are the output, so progress lines are not printed. */
  quiet?: boolean;
}

function formatCost(costUsd: number): string {
  return `$${costUsd.toFixed(4)}`;
}

function formatProgress(progress: RunProgress): string {
  const seconds = Math.round(progress.elapsedMs / 1000);
  return `[step ${progress.step} · ${seconds}s · ${progress.tokens} tok · ${formatCost(progress.costUsd)}] ${progress.activity}`;
}

export function formatOutcome(outcome: RunOutcome): string[] {
  const lines = [`Result: ${outcome.status}`, outcome.summary];
  if (outcome.environment) lines.push(`  ${outcome.environment}`);
  for (const check of outcome.checks)
    lines.push(`  ${check.status === 'passed' ? '✓' : '✗'} ${check.name}: ${check.summary}`);
  if (outcome.branch)
    lines.push(`Branch: ${outcome.branch}${outcome.commit ? ` (${outcome.commit.slice(0, 12)})` : ''}`);
  lines.push(`Usage: ${outcome.tokens} tokens, ${formatCost(outcome.costUsd)}`);
  return lines;
}

/** Reports a run in the terminal: one line per new activity, the plan when it changes, the result. */
export function createTerminalReporter(options: TerminalReporterOptions): Reporter {
  const { write } = options;
  let lastActivity = '';
  let lastPlan = '';
  return {
    async start(info) {
      if (!options.quiet) write(`Baton run ${info.runId}: ${info.task.split('\n')[0]}`);
    },
    progress(progress) {
      if (options.quiet) return;
      const plan = progress.plan
        .map(
          (item) =>
            `${item.status === 'done' ? '[x]' : item.status === 'in_progress' ? '[>]' : '[ ]'} ${item.text}`,
        )
        .join('\n  ');
      if (plan && plan !== lastPlan) write(`Plan:\n  ${plan}`);
      lastPlan = plan;
      if (progress.activity === lastActivity) return;
      lastActivity = progress.activity;
      write(formatProgress(progress));
    },
    environment(line) {
      if (!options.quiet) write(line);
    },
    async reply(text) {
      write(`Baton: ${text}`);
    },
    async ask(question): Promise<AskOutcome> {
      write(`Baton asks: ${question}`);
      if (!options.input?.isTTY) return { type: 'deferred' };
      const readline = createInterface({ input: options.input, terminal: false });
      try {
        const answer = await readline.question('> ');
        return { type: 'answered', text: answer };
      } finally {
        readline.close();
      }
    },
    async finish(outcome) {
      if (options.quiet) return;
      for (const line of formatOutcome(outcome)) write(line);
    },
  };
}
