import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { createLocalSandboxProvider, type LocalSandboxProvider } from '../../../src/sandbox/index.ts';
import { DEFAULT_SANDBOX_ID } from '../../../src/sandbox/local/sandbox-user.ts';
import type { Sandbox } from '../../../src/sandbox/types.ts';
import { createFixtureRepo, createTempDir, type FixtureRepo } from '../../fixtures/git-repo.ts';

/** A setup that builds a small dependency tree: files at its root, in a subdirectory, a nested one. */
const SETUP = [
  'mkdir -p deps/pkg/lib deps/tools',
  'echo original > deps/top.txt',
  'echo module > deps/pkg/index.js',
  'echo helper > deps/pkg/lib/helper.js',
  'echo tool > deps/tools/run',
];

/** Every path of the snapshot tree with its owner, mode and content, as one comparable text. */
function describeTree(root: string): string {
  return execFileSync(
    'sh',
    ['-c', 'find . -printf "%p %u:%g %m\\n" | sort; find . -type f -print0 | sort -z | xargs -0 sha256sum'],
    { cwd: root, encoding: 'utf8' },
  );
}

describe('a restored environment, as the sandbox user', () => {
  let repo: FixtureRepo;
  let data: { path: string; cleanup(): void };
  let provider: LocalSandboxProvider;
  const sandboxes: Sandbox[] = [];

  const open = async () => {
    const sandbox = await provider.create({
      repo: { name: 'app', url: repo.path },
      baseRef: 'main',
      branch: `baton/restore-${sandboxes.length}`,
      limits: {
        commandTimeoutMs: 30_000,
        memoryMb: 2048,
        outputCapBytes: 100_000,
        network: 'off',
        envAllowlist: [],
      },
    });
    sandboxes.push(sandbox);
    if (!sandbox.prepareEnvironment) throw new Error('the local sandbox prepares environments');
    const report = await sandbox.prepareEnvironment({ repo: 'app', setup: SETUP });
    return { sandbox, report };
  };

  beforeAll(() => {
    repo = createFixtureRepo({ 'README.md': 'app\n' });
    data = createTempDir('baton-restore-');
    provider = createLocalSandboxProvider({
      dataDir: data.path,
      hostEnv: { PATH: process.env.PATH },
      spares: 0,
      mirrorStaleMs: 0,
      log: createSilentLogger(),
      environment: { setupAllowHosts: [], setupTimeoutMs: 30_000, environmentCacheMb: 64 },
    });
  });

  afterAll(async () => {
    for (const sandbox of sandboxes) await sandbox.dispose();
    repo.cleanup();
    data.cleanup();
  });

  it('creates, makes directories, renames and deletes in it while the snapshot stays as it was', async () => {
    const built = await open();
    expect(built.report).toMatchObject({ status: 'ready', cached: false });
    const snapshot = await provider.environments?.get(built.report.key ?? '');
    if (!snapshot) throw new Error('the setup was not cached');
    const tree = join(snapshot.directory, 'tree');
    const before = describeTree(tree);

    // The run that built the snapshot and one that only restores it both get a writable tree.
    const restored = await open();
    expect(restored.report).toMatchObject({ status: 'ready', cached: true, key: built.report.key });
    for (const { sandbox } of [built, restored]) {
      const mounts = await sandbox.exec({ cmd: 'grep " /workspace/deps " /proc/self/mountinfo || true' });
      // Baton as root mounts the snapshot as an overlay; otherwise it is a copy.
      expect(mounts.stdout.includes(' - overlay ')).toBe(process.getuid?.() === 0);
      const changes = await sandbox.exec({
        cmd: [
          'set -e',
          'cd deps',
          'test "$(id -u)" = "$BATON_EXPECTED_UID"',
          'touch new-file',
          'mkdir new-dir && echo inside > new-dir/file',
          'echo nested > pkg/lib/new.js',
          'echo changed > top.txt',
          'mv new-file renamed-file',
          'mv pkg/index.js pkg/main.js',
          'mv tools renamed-tools',
          'rm pkg/lib/helper.js',
          'rm -r new-dir',
          'find . -printf "%p %U\\n" | sort',
        ].join('\n'),
        env: { BATON_EXPECTED_UID: String(DEFAULT_SANDBOX_ID) },
      });
      expect(changes.stderr).toBe('');
      expect(changes.exitCode).toBe(0);
      expect(changes.stdout.trim().split('\n')).toEqual(
        [
          '.',
          './pkg',
          './pkg/lib',
          './pkg/lib/new.js',
          './pkg/main.js',
          './renamed-file',
          './renamed-tools',
          './renamed-tools/run',
          './top.txt',
        ].map((path) => `${path} ${DEFAULT_SANDBOX_ID}`),
      );
      expect(
        (await sandbox.exec({ cmd: 'cat deps/top.txt deps/pkg/main.js deps/renamed-tools/run' })).stdout,
      ).toBe('changed\nmodule\ntool\n');
    }
    expect(describeTree(tree)).toBe(before);
  }, 120_000);
});
