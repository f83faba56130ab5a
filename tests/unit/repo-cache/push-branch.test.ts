import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBatonError } from '../../../src/observability/errors.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { importChanges, pushBranch } from '../../../src/repo-cache/index.ts';
import { createLocalSandboxProvider, type LocalSandboxProvider } from '../../../src/sandbox/index.ts';
import type { ChangeExport, SandboxLimits } from '../../../src/sandbox/types.ts';
import { createFixtureRepo, createTempDir, type FixtureRepo } from '../../fixtures/git-repo.ts';

const LIMITS: SandboxLimits = {
  commandTimeoutMs: 20_000,
  memoryMb: 1024,
  outputCapBytes: 100_000,
  network: 'off',
  envAllowlist: [],
};
const COMMIT = 'git -c user.name=T -c user.email=t@example.com commit -q';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (isBatonError(error) ? error.code : error),
  );
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .map((entry) => join(directory, entry))
    .filter((path) => lstatSync(path).isFile());
}

describe('importChanges and pushBranch', () => {
  let fixture: FixtureRepo;
  let remote: { path: string; cleanup(): void };
  let dataDir: { path: string; cleanup(): void };
  let provider: LocalSandboxProvider;
  let exported: ChangeExport;
  const repo = () => ({ name: 'acme/push', url: remote.path });
  const branch = 'baton/push-test';

  beforeAll(async () => {
    fixture = createFixtureRepo({ 'a.txt': 'a\n' });
    remote = createTempDir('baton-remote-');
    execFileSync('git', ['clone', '-q', '--bare', fixture.path, remote.path]);
    dataDir = createTempDir('baton-push-');
    provider = createLocalSandboxProvider({ dataDir: dataDir.path, log: createSilentLogger() });
    const sandbox = await provider.create({ repo: repo(), baseRef: 'main', branch, limits: LIMITS });
    await sandbox.exec({ cmd: `echo b > b.txt && git add b.txt && ${COMMIT} -m "add b"` });
    exported = await sandbox.exportChanges();
    await sandbox.dispose();
  });

  afterAll(async () => {
    await provider?.idle();
    dataDir?.cleanup();
    remote?.cleanup();
    fixture?.cleanup();
  });

  it('keeps the exported bundle outside the disposed workspace', () => {
    expect(exported.commitCount).toBe(1);
    expect(exported.bundlePath?.startsWith(join(dataDir.path, 'exports'))).toBe(true);
    expect(readdirSync(join(dataDir.path, 'workspaces'))).toEqual([]);
  });

  it('refuses the default branch and protected branches before anything leaves the host', async () => {
    const mirrorPath = provider.mirrorPath(repo());
    const unreachable = join(remote.path, 'does-not-exist.git');
    const base = {
      mirrorPath,
      remoteUrl: unreachable,
      defaultBranch: 'main',
      protectedBranches: ['release/*', 'prod'],
    };
    expect(await codeOf(pushBranch({ ...base, branch: 'main' }))).toBe('push_refused_protected');
    expect(await codeOf(pushBranch({ ...base, branch: 'release/2024' }))).toBe('push_refused_protected');
    expect(await codeOf(pushBranch({ ...base, branch: 'prod' }))).toBe('push_refused_protected');
    // The same push to an allowed branch does try the (unreachable) remote.
    await importChanges({ mirrorPath, exported });
    expect(await codeOf(pushBranch({ ...base, branch }))).toBe('push_failed');
  });

  it('imports the bundle into the mirror and pushes the branch to the remote', async () => {
    const mirrorPath = provider.mirrorPath(repo());
    const imported = await importChanges({ mirrorPath, exported });
    expect(imported).toEqual({ imported: true, ref: `refs/baton/${branch}`, commit: exported.headCommit });
    const pushed = await pushBranch({
      mirrorPath,
      branch,
      remoteUrl: remote.path,
      defaultBranch: 'main',
      protectedBranches: [],
    });
    expect(pushed.commit).toBe(exported.headCommit);
    expect(git(remote.path, 'rev-parse', `refs/heads/${branch}`)).toBe(exported.headCommit);
    expect(git(remote.path, 'log', '--format=%s', '-1', branch)).toBe('add b');
    expect(git(mirrorPath, 'rev-parse', `refs/heads/${branch}`)).toBe(exported.headCommit);
  });

  it('never force-pushes: a remote branch that moved on rejects the push and keeps its commits', async () => {
    const mirrorPath = provider.mirrorPath(repo());
    const other = createTempDir('baton-other-');
    try {
      execFileSync('git', ['clone', '-q', '--branch', branch, remote.path, other.path]);
      execFileSync(
        'sh',
        [
          '-c',
          `echo human > human.txt && git add human.txt && ${COMMIT} -m human && git push -q origin HEAD`,
        ],
        { cwd: other.path },
      );
      const humanCommit = git(other.path, 'rev-parse', 'HEAD');
      const sandbox = await provider.create({
        repo: repo(),
        baseRef: 'main',
        branch: `${branch}-diverged`,
        limits: LIMITS,
      });
      await sandbox.exec({ cmd: `echo c > c.txt && git add c.txt && ${COMMIT} -m c` });
      const diverged = await sandbox.exportChanges();
      await sandbox.dispose();
      // Pretend the diverged work belongs to the pushed branch: same name, unrelated history.
      await importChanges({ mirrorPath, exported: { ...diverged } });
      execFileSync('git', ['update-ref', `refs/baton/${branch}`, diverged.headCommit], { cwd: mirrorPath });
      expect(
        await codeOf(
          pushBranch({
            mirrorPath,
            branch,
            remoteUrl: remote.path,
            defaultBranch: 'main',
            protectedBranches: [],
          }),
        ),
      ).toBe('push_rejected');
      expect(git(remote.path, 'rev-parse', `refs/heads/${branch}`)).toBe(humanCommit);
    } finally {
      other.cleanup();
    }
  });

  it('rejects a bundle whose branch tip is not the exported commit', async () => {
    const mirrorPath = provider.mirrorPath(repo());
    expect(
      await codeOf(importChanges({ mirrorPath, exported: { ...exported, headCommit: '0'.repeat(40) } })),
    ).toBe('import_bundle_invalid');
  });
});

describe('host credentials', () => {
  it('go to the remote as a header, never into the mirror, the workspace or a URL', async () => {
    const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
    const server = createServer((request, response) => {
      seen.push({ url: request.url ?? '', headers: request.headers });
      response.statusCode = 404;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const dataDir = createTempDir('baton-credentials-');
    try {
      const provider = createLocalSandboxProvider({ dataDir: dataDir.path, log: createSilentLogger() });
      const auth = { username: 'x-access-token', password: 'ghs_credentialsecret123' };
      const created = provider.create({
        repo: {
          name: 'acme/private',
          url: `http://urluser:urlpassword@127.0.0.1:${port}/acme/private.git`,
          auth,
        },
        baseRef: 'main',
        branch: 'baton/credentials',
        limits: LIMITS,
      });
      expect(await codeOf(created)).toBe('sandbox_repo_unreachable');
      const expected = `Basic ${Buffer.from('x-access-token:ghs_credentialsecret123').toString('base64')}`;
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((entry) => entry.headers.authorization === expected)).toBe(true);
      expect(seen[0]?.url).toBe('/acme/private.git/info/refs?service=git-upload-pack');
      for (const file of filesUnder(dataDir.path)) {
        const text = readFileSync(file, 'utf8');
        expect(text).not.toContain('credentialsecret');
        expect(text).not.toContain('urlpassword');
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
      dataDir.cleanup();
    }
  });
});
