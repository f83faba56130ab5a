import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { startFakeOpenAI } from '../fakes/openai-server.ts';
import { createFixtureRepo, createTempDir, type FixtureRepo } from '../fixtures/git-repo.ts';
import { calculatorProject } from '../fixtures/projects/calculator.ts';

/** Host secrets that must never reach the sandbox, a log, or any output. */
export const HOST_SECRETS = {
  OPENAI_API_KEY: 'sk-test-host-openai-key-0123456789abcdef',
  GITHUB_TOKEN: 'ghp_hostgithubtoken0123456789abcdefABCDEF',
  SLACK_BOT_TOKEN: 'xoxb-host-slack-token-0123456789',
};

export interface CliRun {
  exitCode: number;
  out: string[];
  err: string[];
}

export interface CliHarness {
  repo: FixtureRepo;
  model: Awaited<ReturnType<typeof startFakeOpenAI>>;
  dataDir: string;
  run(task: string, options?: { json?: boolean }): Promise<CliRun>;
  /** Any other command (`logs`, `replay`…) with the same environment and working directory. */
  command(args: string[]): Promise<CliRun>;
  /** Commits on the run's branch since main, oldest first: `sha subject`. */
  branchCommits(branch: string): string[];
  close(): Promise<void>;
}

/**
 * `baton run` in-process against a fixture repository, a scripted fake OpenAI server and a
 * throwaway data directory: the real CLI, sandbox, store, tools and middleware.
 */
export async function createCliHarness(
  options: {
    files?: Record<string, string>;
    config?: ConfigInput;
    /** Extra host environment (a registry's URL, a setup secret). */
    env?: Record<string, string>;
  } = {},
): Promise<CliHarness> {
  const repo = createFixtureRepo(options.files ?? calculatorProject);
  const model = await startFakeOpenAI();
  const data = createTempDir('baton-e2e-');
  const configPath = join(data.path, 'baton.yaml');
  const config: ConfigInput = {
    model: {
      name: 'gpt-test',
      maxRetries: 2,
      prices: { 'gpt-test': { inputPerMillion: 2, outputPerMillion: 8 } },
    },
    ...options.config,
  };
  writeFileSync(configPath, stringify(config));
  const env = {
    ...HOST_SECRETS,
    PATH: process.env.PATH,
    OPENAI_BASE_URL: model.baseUrl,
    BATON_DATA_DIR: join(data.path, 'data'),
    LOG_LEVEL: 'debug',
    ...options.env,
  };
  async function command(args: string[]): Promise<CliRun> {
    const out: string[] = [];
    const err: string[] = [];
    const exitCode = await main([...args, '--config', configPath], {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      env,
      cwd: data.path,
      stdin: new PassThrough(),
    });
    return { exitCode, out, err };
  }
  return {
    repo,
    model,
    dataDir: env.BATON_DATA_DIR,
    run(task, runOptions = {}) {
      return command(['run', '--repo', repo.path, ...(runOptions.json ? ['--json'] : []), task]);
    },
    command,
    branchCommits(branch) {
      const log = repo.git('log', '--format=%H %s', `main..${branch}`);
      return log ? log.split('\n').reverse() : [];
    },
    async close() {
      await model.close();
      repo.cleanup();
      data.cleanup();
    },
  };
}

/** The branch a run reported, from its terminal output. */
export function reportedBranch(run: CliRun): string {
  const line = run.out.find((entry) => entry.startsWith('Branch: '));
  const branch = line?.split(' ')[1];
  if (!branch) throw new Error(`no branch in the output:\n${run.out.join('\n')}\n${run.err.join('\n')}`);
  return branch;
}
