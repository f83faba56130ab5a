import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { composeRunner, configDirOf, type Runner, type RunnerOptions } from '../app/compose-runner.ts';
import {
  createSecretRegistryFromEnvironment,
  type Environment,
  readEnvironment,
} from '../app/environment.ts';
import { loadConfig } from '../config/loader.ts';
import type { Config } from '../config/schema.ts';
import { createLogger } from '../observability/logger.ts';
import { redactSecrets } from '../observability/redact.ts';
import type { SecretRegistry } from '../observability/secret-registry.ts';
import { createRepoCache } from '../repo-cache/index.ts';
import { createLocalPublisher, createLocalRemoteBranchReader } from '../runs/publish-local.ts';
import type { CliIo } from './main.ts';

export interface CliSettings {
  environment: Environment;
  config: Config;
  configPath: string;
  dataDir: string;
}

/** The environment, the configuration (`--config`, else BATON_CONFIG, else config/baton.yaml) and the data dir. */
export async function loadCliSettings(configArg: string | undefined, io: CliIo): Promise<CliSettings> {
  const environment = readEnvironment(io.env);
  const configPath = resolve(io.cwd, configArg ?? environment.configPath ?? 'config/baton.yaml');
  const config = await loadConfig({
    path: configPath,
    required: Boolean(configArg ?? environment.configPath),
  });
  return {
    environment,
    config,
    configPath,
    dataDir: resolve(io.cwd, environment.dataDir ?? config.sandbox.dataDir),
  };
}

export interface LocalRunner {
  runner: Runner;
  secrets: SecretRegistry;
  /** The terminal, masked: everything it shows is the model's and the work's text. */
  out: (line: string) => void;
}

/**
 * What `baton run` and `baton replay` share: one turn in this process, logging to
 * `<data dir>/logs/baton.log`, publishing to the local repository, no spare workspaces.
 */
export async function composeLocalRunner(
  settings: CliSettings,
  io: CliIo,
  options: Pick<RunnerOptions, 'model' | 'onItem'> = {},
): Promise<LocalRunner> {
  const { environment, config, dataDir } = settings;
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  const secrets = createSecretRegistryFromEnvironment(environment, config);
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
    configDir: configDirOf(settings.configPath),
    cwd: io.cwd,
    environment,
    secrets,
    log,
    repoCache,
    publish: createLocalPublisher({ repoCache, log }),
    remoteBranch: createLocalRemoteBranchReader(),
    spares: 0,
    ...options,
  });
  return { runner, secrets, out: (line) => io.out(redactSecrets(line, secrets)) };
}
