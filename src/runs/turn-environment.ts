import type { RepoConfig } from '../config/schema.ts';
import { BatonError } from '../observability/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { EnvironmentReport } from '../sandbox/environment/types.ts';
import type { Sandbox } from '../sandbox/types.ts';
import type { ItemPayload } from './items.ts';

const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(1)} s`;

/** One line for people: `environment: ready from cache (0.2 s)`, `environment: setup failed (npm ci, exit 1)`. */
export function describeEnvironment(report: EnvironmentReport): string {
  const refused = report.deniedHosts.length > 0 ? `; refused: ${report.deniedHosts.join(', ')}` : '';
  switch (report.status) {
    case 'none':
      return `environment: no setup (${report.reason})`;
    case 'failed': {
      const failure = report.failure;
      const how = failure?.timedOut ? 'timed out' : `exit ${failure?.exitCode ?? '?'}`;
      return `environment: setup failed (${failure?.command ?? report.commands.join(' && ')}, ${how})${refused}`;
    }
    case 'ready':
      return report.cached
        ? `environment: ready from cache (${seconds(report.durationMs)})`
        : `environment: installed with ${report.commands.join(' && ')} (${seconds(report.durationMs)})${refused}`;
  }
}

/** What the agent is told when the setup failed: the command, its exit code and the end of its output. */
export function setupFailureMessage(report: EnvironmentReport): string | undefined {
  if (report.status !== 'failed' || !report.failure) return undefined;
  const { failure } = report;
  const how = failure.timedOut ? 'timed out' : `exited with ${failure.exitCode}`;
  const refused =
    report.deniedHosts.length > 0
      ? `\nBaton's egress proxy refused: ${report.deniedHosts.join(', ')} (only the configured package registries are reachable).`
      : '';
  return [
    `Before you started, the environment setup failed: \`${failure.command}\` ${how}. Dependencies may be missing.${refused}`,
    'If the cause is in the repository (a broken or out-of-date lockfile, a bad version), fixing it may be part of the work; the checks run after your finish.',
    'The end of its output:',
    '```',
    failure.outputTail.trimEnd(),
    '```',
  ].join('\n');
}

/** Environment items, progress and the line the run's reports carry. */
export function createTurnEnvironment(options: {
  sandbox: Sandbox;
  repo: RepoConfig;
  record: (payload: ItemPayload) => Promise<void>;
  progress: (line: string) => void;
  announce?: (line: string) => void;
  log: Logger;
  signal: AbortSignal;
}) {
  let line: string | undefined;
  const request = {
    repo: options.repo.name,
    setup: options.repo.setup,
    setupSecrets: options.repo.setupSecrets ?? [],
    onProgress: options.progress,
    signal: options.signal,
  };
  const recordReport = async (report: EnvironmentReport) => {
    const { failure, ...rest } = report;
    await options.record({ type: 'environment', ...rest, ...(failure ? { failure } : {}) });
    line = describeEnvironment(report);
    options.log.info({ environment: rest }, 'environment');
    options.announce?.(line);
    options.progress(line);
  };
  return {
    line: () => line,
    /** Before the agent; undefined when the sandbox has no environment phase. */
    async prepare(): Promise<EnvironmentReport | undefined> {
      if (!options.sandbox.prepareEnvironment) return undefined;
      const report = await options.sandbox.prepareEnvironment(request);
      await recordReport(report);
      // A setup secret still in the workspace: the agent (and everything after it) must not run there.
      if (report.secretLeft)
        throw new BatonError({
          code: 'environment_secret_left',
          message: `the environment setup left a setup secret in the workspace: ${report.secretLeft}`,
          hint: 'change the setup so it does not write setup secrets into the repository or .git',
        });
      return report;
    },
    /** Before each pass of the checks: install again if the agent changed a key file. */
    async refresh(): Promise<void> {
      if (!options.sandbox.refreshEnvironment) return;
      const report = await options.sandbox.refreshEnvironment({ ...request, setupSecrets: [] });
      if (report) await recordReport(report);
    },
  };
}
