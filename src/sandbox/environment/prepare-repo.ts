import { randomBytes } from 'node:crypto';
import type { Logger } from '../../observability/logger.ts';
import type { RepoSource, SandboxLimits, SandboxProvider } from '../types.ts';
import type { EnvironmentReport } from './types.ts';

export interface PrepareRepoOptions {
  provider: SandboxProvider;
  repo: RepoSource & {
    defaultBranch: string;
    setup?: readonly string[] | false;
    setupSecrets?: readonly string[];
  };
  limits: SandboxLimits;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * Builds (or finds) the environment of a repository's default branch ahead of any run: a throwaway
 * workspace on a scratch branch, the same setup a run would do, and the snapshot it leaves behind.
 * Undefined when the provider has no environment phase.
 */
export async function prepareRepoEnvironment(
  options: PrepareRepoOptions,
): Promise<EnvironmentReport | undefined> {
  const { repo } = options;
  const sandbox = await options.provider.create({
    repo: { name: repo.name, url: repo.url, ...(repo.auth ? { auth: repo.auth } : {}) },
    baseRef: repo.defaultBranch,
    branch: `baton/prepare-${randomBytes(6).toString('hex')}`,
    limits: options.limits,
    signal: options.signal,
  });
  try {
    return await sandbox.prepareEnvironment?.({
      repo: repo.name,
      setup: repo.setup,
      setupSecrets: repo.setupSecrets ?? [],
      onProgress: options.onProgress,
      signal: options.signal,
    });
  } finally {
    await sandbox.dispose();
  }
}

/**
 * The background prebuild: every interval, each configured repository's default branch is looked
 * at; a commit whose environment key is new gets its environment built before the first mention
 * asks for it. One pass at a time; a failure is logged and the next pass tries again.
 */
export function createEnvironmentPrebuilder(options: {
  provider: SandboxProvider;
  repos: () => readonly PrepareRepoOptions['repo'][];
  /** The host's credentials for fetching a repository (a GitHub installation token). */
  authFor?: (repo: PrepareRepoOptions['repo']) => Promise<RepoSource['auth'] | undefined>;
  limits: SandboxLimits;
  intervalMs: number;
  log: Logger;
}) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const controller = new AbortController();
  const pass = async () => {
    for (const repo of options.repos()) {
      if (controller.signal.aborted) return;
      try {
        const auth = await options.authFor?.(repo);
        const report = await prepareRepoEnvironment({
          provider: options.provider,
          repo: auth ? { ...repo, auth } : repo,
          limits: options.limits,
          signal: controller.signal,
        });
        if (report && !report.cached && report.status !== 'none')
          options.log.info(
            { repo: repo.name, status: report.status, key: report.key },
            'environment prebuilt',
          );
      } catch (error) {
        if (!controller.signal.aborted)
          options.log.warn({ err: error, repo: repo.name }, 'environment prebuild failed');
      }
    }
  };
  const runOnce = () => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };
  return {
    runOnce,
    /** The first pass comes one interval after the start, so a starting server does its own work first. */
    start() {
      timer = setInterval(() => void runOnce(), options.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      controller.abort();
      await running?.catch(() => undefined);
    },
  };
}
