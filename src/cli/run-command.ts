import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { composeRunner, configDirOf } from '../app/compose-runner.ts';
import { createSecretRegistryFromEnvironment, readEnvironment } from '../app/environment.ts';
import { loadConfig } from '../config/loader.ts';
import { BatonError } from '../observability/errors.ts';
import { createLogger } from '../observability/logger.ts';
import { redactSecrets } from '../observability/redact.ts';
import { formatItemJsonl } from '../observability/session-log.ts';
import { createRepoCache } from '../repo-cache/index.ts';
import { resolveLocalRepo } from '../runs/local-repo.ts';
import { createLocalPublisher, createLocalRemoteBranchReader } from '../runs/publish-local.ts';
import { runTurn } from '../runs/run-turn.ts';
import type { CliIo } from './main.ts';
import { createTerminalReporter } from './terminal-reporter.ts';

export interface RunArgs {
  repo?: string;
  task: string;
  json: boolean;
  config?: string;
}

const DEFAULT_CONFIG = 'config/baton.yaml';

/** `baton run`: the whole local pipeline on a repository on disk. */
export async function runRunCommand(args: RunArgs, io: CliIo): Promise<number> {
  if (!args.repo) throw usage('missing --repo <path>');
  if (!args.task.trim()) throw usage('missing the task, e.g. baton run --repo . "fix the failing test"');
  const environment = readEnvironment(io.env);
  const configPath = resolve(io.cwd, args.config ?? environment.configPath ?? DEFAULT_CONFIG);
  const config = await loadConfig({
    path: configPath,
    required: Boolean(args.config ?? environment.configPath),
  });
  const repo = await resolveLocalRepo(config, resolve(io.cwd, args.repo));

  const dataDir = resolve(io.cwd, environment.dataDir ?? config.sandbox.dataDir);
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  const secrets = createSecretRegistryFromEnvironment(environment, config);
  // Everything the terminal shows is the model's and the work's text: masked like any message.
  const out = (line: string) => io.out(redactSecrets(line, secrets));
  const log = createLogger({
    level: environment.logLevel ?? config.log.level,
    secrets,
    destination: pino.destination({ dest: join(dataDir, 'logs', 'baton.log'), sync: true }),
  });
  const repoCache = createRepoCache({ dataDir, hostEnv: environment.host, log });
  const runner = await composeRunner({
    // A one-shot run has no next turn to keep a cloud sandbox paused for.
    config: {
      ...config,
      sandbox: { ...config.sandbox, e2b: { ...config.sandbox.e2b, keepPausedMinutes: 0 } },
    },
    configDir: configDirOf(configPath),
    cwd: io.cwd,
    environment,
    secrets,
    log,
    repoCache,
    publish: createLocalPublisher({ repoCache, log }),
    remoteBranch: createLocalRemoteBranchReader(),
    spares: 0,
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
