import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBatonError } from '../../src/observability/errors.ts';
import type {
  ChangeExport,
  RepoSource,
  Sandbox,
  SandboxLimits,
  SandboxProvider,
} from '../../src/sandbox/types.ts';

export interface ContractSetup {
  provider: SandboxProvider;
  /** A repository whose `main` holds `README.md` ("hello\n") and `src/index.js`. */
  repo: RepoSource;
  /**
   * What the host does with a run's export before the next turn on the same branch (for the
   * local provider: import the bundle into the mirror). The contract checks that the next
   * sandbox on the branch starts from the exported commits.
   */
  acceptChanges(exported: ChangeExport): Promise<void>;
  cleanup(): Promise<void>;
}

export const CONTRACT_FILES: Record<string, string> = {
  'README.md': 'hello\n',
  'src/index.js': 'console.log("hi");\n',
};

export const CONTRACT_LIMITS: SandboxLimits = {
  commandTimeoutMs: 30_000,
  memoryMb: 1024,
  outputCapBytes: 64 * 1024,
  network: 'off',
  envAllowlist: ['LANG'],
};

const GIT_IDENTITY = 'git -c user.name=Contract -c user.email=contract@example.com -c commit.gpgsign=false';

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isBatonError(error) ? error.code : error).toBe(code);
}

/** Behaviour every SandboxProvider must have; run it once per provider. */
export function describeSandboxProviderContract(name: string, setup: () => Promise<ContractSetup>): void {
  describe(`SandboxProvider contract: ${name}`, () => {
    let context: ContractSetup;
    let sandbox: Sandbox;
    const branch = `baton/contract-${process.pid}`;

    beforeAll(async () => {
      context = await setup();
      sandbox = await context.provider.create({
        repo: context.repo,
        baseRef: 'main',
        branch,
        limits: CONTRACT_LIMITS,
      });
    });

    afterAll(async () => {
      await sandbox?.dispose();
      await context?.cleanup();
    });

    it('starts on the requested branch at the base ref, with the repository files', async () => {
      const result = await sandbox.exec({
        cmd: 'git rev-parse --abbrev-ref HEAD && cat README.md && git status --porcelain',
      });
      expect(result).toMatchObject({ exitCode: 0, timedOut: false, truncated: false });
      expect(result.stdout).toBe(`${branch}\nhello\n`);
      expect(sandbox.workdir).toBe('/workspace');
      expect((await sandbox.exec({ cmd: 'pwd' })).stdout.trim()).toBe(sandbox.workdir);
    });

    it('returns a non-zero exit as a result, with stdout and stderr apart', async () => {
      const result = await sandbox.exec({ cmd: 'echo out; echo err >&2; exit 7' });
      expect(result).toMatchObject({ exitCode: 7, stdout: 'out\n', stderr: 'err\n', timedOut: false });
    });

    it('runs in a workspace-relative cwd, feeds stdin and sets env', async () => {
      const result = await sandbox.exec({
        cmd: 'pwd; cat; echo "$GREETING"',
        cwd: 'src',
        stdin: 'from stdin\n',
        env: { GREETING: 'hey' },
      });
      expect(result.stdout).toBe(`${sandbox.workdir}/src\nfrom stdin\nhey\n`);
    });

    it('kills a command that runs past its timeout and says so', async () => {
      const result = await sandbox.exec({ cmd: 'echo started; sleep 30; echo never', timeoutMs: 500 });
      expect(result.timedOut).toBe(true);
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout).toBe('started\n');
    });

    it('cancels a command when its signal aborts', async () => {
      const controller = new AbortController();
      const running = sandbox.exec({ cmd: 'echo ready > .baton-ready; sleep 30', signal: controller.signal });
      await expect
        .poll(() => sandbox.readFile('.baton-ready').catch(() => ''), { timeout: 20_000 })
        .toBe('ready\n');
      controller.abort();
      await expectCode(running, 'sandbox_aborted');
      await sandbox.exec({ cmd: 'rm .baton-ready' });
    });

    it('reads and writes files by workspace-relative or /workspace path, creating directories', async () => {
      await sandbox.writeFile('notes/deep/a.txt', 'written by the host\n');
      expect((await sandbox.exec({ cmd: 'cat notes/deep/a.txt' })).stdout).toBe('written by the host\n');
      await sandbox.exec({ cmd: 'printf "from inside" > notes/b.txt' });
      expect(await sandbox.readFile('notes/b.txt')).toBe('from inside');
      expect(await sandbox.readFile(`${sandbox.workdir}/README.md`)).toBe('hello\n');
      await sandbox.exec({ cmd: 'rm -r notes' });
    });

    it('refuses paths that leave the workspace, also through symlinks', async () => {
      await expectCode(sandbox.readFile('../outside'), 'sandbox_path_escape');
      await expectCode(sandbox.readFile('/etc/passwd'), 'sandbox_path_escape');
      await expectCode(sandbox.writeFile('src/../../escape.txt', 'x'), 'sandbox_path_escape');
      await sandbox.exec({ cmd: 'ln -s /etc link-to-etc && ln -s ../../../../../../etc/hostname rel-link' });
      await expectCode(sandbox.readFile('link-to-etc/hostname'), 'sandbox_path_escape');
      await expectCode(sandbox.readFile('rel-link'), 'sandbox_path_escape');
      await expectCode(sandbox.writeFile('link-to-etc/baton-escape', 'x'), 'sandbox_path_escape');
      await expectCode(sandbox.readFile('missing.txt'), 'sandbox_file_not_found');
      await sandbox.exec({ cmd: 'rm link-to-etc rel-link' });
    });

    it('keeps .baton/ out of git', async () => {
      await sandbox.writeFile('.baton/scratch.txt', 'x');
      expect((await sandbox.exec({ cmd: 'git status --porcelain' })).stdout).toBe('');
    });

    it('exports commits made inside as a bundle, and the next sandbox on the branch starts from them', async () => {
      const empty = await sandbox.exportChanges();
      expect(empty).toMatchObject({ branch, commitCount: 0 });
      expect(empty.headCommit).toBe(empty.baseCommit);
      expect(empty.bundlePath).toBeUndefined();

      const commit = await sandbox.exec({
        cmd: `echo change >> README.md && git add README.md && ${GIT_IDENTITY} commit -q -m one && echo two > two.txt && git add two.txt && ${GIT_IDENTITY} commit -q -m two && git rev-parse HEAD`,
      });
      expect(commit.exitCode).toBe(0);
      const exported = await sandbox.exportChanges();
      expect(exported).toMatchObject({
        branch,
        baseCommit: empty.baseCommit,
        commitCount: 2,
        headCommit: commit.stdout.trim(),
      });
      expect(exported.bundlePath).toBeTypeOf('string');

      await context.acceptChanges(exported);
      const next = await context.provider.create({
        repo: context.repo,
        baseRef: 'main',
        branch,
        limits: CONTRACT_LIMITS,
      });
      try {
        const state = await next.exec({
          cmd: 'git rev-parse HEAD && git rev-parse --abbrev-ref HEAD && cat two.txt',
        });
        expect(state.stdout).toBe(`${exported.headCommit}\n${branch}\ntwo\n`);
        const again = await next.exportChanges();
        expect(again).toMatchObject({ baseCommit: exported.headCommit, commitCount: 0 });
      } finally {
        await next.dispose();
      }
    });

    it('starts a new branch from the base ref, untouched by other branches', async () => {
      const other = await context.provider.create({
        repo: context.repo,
        baseRef: 'main',
        branch: `${branch}-other`,
        limits: CONTRACT_LIMITS,
      });
      try {
        const state = await other.exec({
          cmd: 'cat README.md; test -e two.txt && echo leaked || echo clean',
        });
        expect(state.stdout).toBe('hello\nclean\n');
      } finally {
        await other.dispose();
      }
    });

    it('refuses a base ref that does not exist', async () => {
      await expectCode(
        context.provider.create({
          repo: context.repo,
          baseRef: 'no-such-branch',
          branch: `${branch}-x`,
          limits: CONTRACT_LIMITS,
        }),
        'sandbox_base_ref_missing',
      );
    });

    it('disposes: the sandbox is gone and refuses further use', async () => {
      const temporary = await context.provider.create({
        repo: context.repo,
        baseRef: 'main',
        branch: `${branch}-dispose`,
        limits: CONTRACT_LIMITS,
      });
      const running = temporary.exec({ cmd: 'sleep 30' });
      await temporary.dispose();
      const result = await running.catch((error: unknown) => error);
      expect(isBatonError(result) || (result as { exitCode: number }).exitCode !== 0).toBe(true);
      await expectCode(temporary.exec({ cmd: 'true' }), 'sandbox_disposed');
    });
  });
}
