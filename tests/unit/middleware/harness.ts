import type { MiddlewareContext } from '../../../middleware/types.ts';
import { type GitConfig, gitSchema, type RepoConfig, repoSchema } from '../../../src/config/schema.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { mirrorPathFor, quarantineChanges } from '../../../src/repo-cache/index.ts';
import { createLocalSandboxProvider } from '../../../src/sandbox/index.ts';
import type { Sandbox, SandboxLimits } from '../../../src/sandbox/types.ts';
import type { FinishPayload } from '../../../src/tools/types.ts';
import { createFixtureRepo, createTempDir, type FixtureRepo } from '../../fixtures/git-repo.ts';

export const LIMITS: SandboxLimits = {
  commandTimeoutMs: 60_000,
  memoryMb: 2048,
  outputCapBytes: 200_000,
  network: 'off',
  envAllowlist: ['LANG'],
};

export const GIT: GitConfig = gitSchema.parse({
  authorName: 'Baton Test',
  authorEmail: 'baton-test@example.com',
});

export const FINISH: FinishPayload = {
  summary: 'Fix the sum function.\n\nIt added one too many.',
  prTitle: 'Fix sum',
  prBody: 'Fixes the sum.',
};

export interface Harness {
  fixture: FixtureRepo;
  sandbox: Sandbox;
  branch: string;
  /** Runs a shell command in the workspace and returns stdout; throws on a non-zero exit. */
  sh(cmd: string): Promise<string>;
  context(overrides?: {
    repo?: Partial<RepoConfig>;
    finish?: FinishPayload;
    baseRef?: string;
    secrets?: readonly string[];
  }): Omit<MiddlewareContext, 'previous'>;
  /** The host's data directory (mirror, exports, quarantines). */
  dataDir: string;
  cleanup(): Promise<void>;
}

let counter = 0;

/** A fixture repository and a real bubblewrap sandbox on a fresh `baton/test-*` branch. */
export async function createHarness(files: Record<string, string>): Promise<Harness> {
  const fixture = createFixtureRepo(files);
  const dataDir = createTempDir('baton-middleware-');
  const provider = createLocalSandboxProvider({
    dataDir: dataDir.path,
    log: createSilentLogger(),
    spares: 0,
  });
  counter += 1;
  const branch = `baton/test-${process.pid}-${counter}`;
  const repoName = `fixture-${counter}`;
  const sandbox = await provider.create({
    repo: { name: repoName, url: fixture.path },
    baseRef: 'main',
    branch,
    limits: LIMITS,
  });
  const log = createSilentLogger();
  const controller = new AbortController();
  const sh = async (cmd: string): Promise<string> => {
    const result = await sandbox.exec({ cmd });
    if (result.exitCode !== 0)
      throw new Error(`${cmd} failed (${result.exitCode}): ${result.stderr}${result.stdout}`);
    return result.stdout.trim();
  };
  return {
    fixture,
    sandbox,
    branch,
    sh,
    dataDir: dataDir.path,
    context: (overrides = {}) => ({
      runId: 'run-test',
      sandbox,
      repo: repoSchema.parse({ name: 'fixture', url: fixture.path, ...overrides.repo }),
      branch,
      baseRef: overrides.baseRef ?? 'main',
      finish: overrides.finish ?? FINISH,
      git: GIT,
      log,
      signal: controller.signal,
      secrets: overrides.secrets ?? [],
      host: {
        publish: async () => null,
        // What the turn's host does: the sandbox's commits, quarantined next to the real mirror.
        importWork: async () =>
          quarantineChanges({
            dataDir: dataDir.path,
            mirrorPath: mirrorPathFor({ dataDir: dataDir.path, repoName }),
            exported: await sandbox.exportChanges(),
          }),
        request: { threadKey: 'test-thread' },
      },
    }),
    cleanup: async () => {
      await sandbox.dispose();
      fixture.cleanup();
      dataDir.cleanup();
    },
  };
}
