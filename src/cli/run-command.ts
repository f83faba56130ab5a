import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { BatonError } from '../observability/errors.ts';
import { formatItemJsonl } from '../observability/session-log.ts';
import { resolveLocalRepo } from '../runs/local-repo.ts';
import { runTurn } from '../runs/run-turn.ts';
import { composeLocalRunner, loadCliSettings } from './local-runner.ts';
import type { CliIo } from './main.ts';
import { createTerminalReporter } from './terminal-reporter.ts';
export interface RunArgs {
  repo?: string;
  task: string;
  json: boolean;
  config?: string;
}

/** `baton run`: the whole local pipeline on a repository on disk. */
export async function runRunCommand(args: RunArgs, io: CliIo): Promise<number> {
  if (!args.repo) throw usage('missing --repo <path>');
  if (!args.task.trim()) throw usage('missing the task, e.g. baton run --repo . "fix the failing test"');
  const settings = await loadCliSettings(args.config, io);
  const repo = await resolveLocalRepo(settings.config, resolve(io.cwd, args.repo));
  const { runner, secrets, out } = await composeLocalRunner(settings, io, {
    onItem: args.json ? (item) => out(formatItemJsonl(item, secrets)) : undefined,
  });
  try {
    const { outcome } = await runTurn(runner.deps, {
      threadKey: `cli:${randomUUID()}`,
      origin: { kind: 'cli', path: repo.url },
      repo,
      task: args.task,
      requester: io.env.USER ?? 'cli',
      reporter: createTerminalReporter({ write: out, input: io.stdin, quiet: args.json }),
    });
    return outcome.status === 'succeeded' && outcome.commit ? 0 : 1;
  } finally {
    await runner.close();
  }
}

function usage(message: string): BatonError {
  return new BatonError({ code: 'cli_usage', message, hint: 'see `baton --help`' });
}
