import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readEnvironment } from '../app/environment.ts';
import { loadConfig } from '../config/loader.ts';
import type { Config, RepoConfig } from '../config/schema.ts';
import { BatonError } from '../observability/errors.ts';
import { resolveLocalRepo } from '../runs/local-repo.ts';
import { describeEnvironment } from '../runs/turn-environment.ts';
import { prepareRepoEnvironment } from '../sandbox/environment/prepare-repo.ts';
import { createSnapshotStore, type SnapshotEntry } from '../sandbox/environment/snapshot-store.ts';
import { createLocalSandboxProvider } from '../sandbox/index.ts';
import type { CliIo } from './main.ts';

async function load(io: CliIo, configArg: string | undefined): Promise<{ config: Config; dataDir: string }> {
  const environment = readEnvironment(io.env);
  const configPath = resolve(io.cwd, configArg ?? environment.configPath ?? 'config/baton.yaml');
  const config = await loadConfig({
    path: configPath,
    required: Boolean(configArg ?? environment.configPath),
  });
  return { config, dataDir: resolve(io.cwd, environment.dataDir ?? config.sandbox.dataDir) };
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function describeEntry(entry: SnapshotEntry): string {
  return `${entry.key}  ${entry.repo}  ${megabytes(entry.sizeBytes)}  ${entry.fileCount} files  last used ${entry.lastUsedAt}${entry.inUse ? '  (in use)' : ''}\n    ${entry.commands.join(' && ')}`;
}

/** `baton cache ls | prune [--all]`: the environment cache on this host. */
export async function runCacheCommand(
  args: { action?: string; all: boolean; config?: string },
  io: CliIo,
): Promise<number> {
  const { config, dataDir } = await load(io, args.config);
  const store = createSnapshotStore(join(dataDir, 'environments'));
  switch (args.action) {
    case 'ls': {
      const entries = await store.list();
      for (const entry of entries) io.out(describeEntry(entry));
      const total = entries.reduce((sum, entry) => sum + entry.sizeBytes, 0);
      io.out(
        `${entries.length} environment(s), ${megabytes(total)} of ${config.sandbox.environmentCacheMb} MB (sandbox.environmentCacheMb)`,
      );
      return 0;
    }
    case 'prune': {
      const removed = await store.prune(
        args.all ? { all: true } : { budgetBytes: config.sandbox.environmentCacheMb * 1024 * 1024 },
      );
      for (const entry of removed)
        io.out(`removed ${entry.key} (${entry.repo}, ${megabytes(entry.sizeBytes)})`);
      io.out(`${removed.length} environment(s) removed${args.all ? '' : ' (over the size budget)'}`);
      return 0;
    }
    default:
      throw new BatonError({
        code: 'cli_usage',
        message: `unknown cache action "${args.action ?? ''}"`,
        hint: 'baton cache ls | baton cache prune [--all]',
      });
  }
}

async function findRepo(config: Config, cwd: string, name: string): Promise<RepoConfig> {
  const configured = config.repos.find((repo) => repo.name === name);
  if (configured) return configured;
  const path = resolve(cwd, name);
  if (existsSync(path)) return resolveLocalRepo(config, path);
  throw new BatonError({
    code: 'repo_not_found',
    message: `no configured repository "${name}" and no such path`,
    hint: `name one of: ${config.repos.map((repo) => repo.name).join(', ') || '(none configured)'}, or a local path`,
  });
}

/** `baton prepare <repo>`: builds the environment of the repository's default branch now. */
export async function runPrepareCommand(
  args: { repo?: string; config?: string },
  io: CliIo,
): Promise<number> {
  if (!args.repo)
    throw new BatonError({
      code: 'cli_usage',
      message: 'missing the repository',
      hint: 'baton prepare <repo name or path>',
    });
  const { config, dataDir } = await load(io, args.config);
  const repo = await findRepo(config, io.cwd, args.repo);
  const environment = readEnvironment(io.env);
  const provider = createLocalSandboxProvider({
    dataDir,
    hostEnv: environment.host,
    spares: 0,
    environment: {
      setupAllowHosts: config.sandbox.setupAllowHosts,
      setupTimeoutMs: config.sandbox.setupTimeoutMs,
      environmentCacheMb: config.sandbox.environmentCacheMb,
    },
  });
  const report = await prepareRepoEnvironment({
    provider,
    repo,
    limits: config.sandbox,
    onProgress: (line) => io.out(line),
  });
  await provider.idle();
  if (!report) return 1;
  io.out(describeEnvironment(report));
  if (report.key) io.out(`key ${report.key}`);
  if (report.failure) io.out(report.failure.outputTail);
  return report.status === 'failed' ? 1 : 0;
}
