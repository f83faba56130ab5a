import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatonError } from '../../../src/observability/errors.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { createLocalSandboxProvider, type LocalSandboxProvider } from '../../../src/sandbox/index.ts';
import type { Sandbox, SandboxLimits } from '../../../src/sandbox/types.ts';
import { createFixtureRepo, createTempDir, type FixtureRepo } from '../../fixtures/git-repo.ts';

const LIMITS: SandboxLimits = {
  commandTimeoutMs: 60_000,
  memoryMb: 512,
  outputCapBytes: 1000,
  network: 'off',
  envAllowlist: [],
};

/** Rounds of host operations raced against the swap; bounded by time too so a slow machine stays fast. */
const ROUNDS = 2000;
const BUDGET_MS = 8000;

/**
 * Runs inside the sandbox as a background command: flips the workspace directory `d` between a
 * real directory and a symlink to a host directory outside the workspace, as fast as it can,
 * until the host writes `stop`.
 */
const SWAPPER = (outside: string) => `
const fs = require('fs');
process.chdir('/workspace');
fs.mkdirSync('real/sub', { recursive: true });
fs.writeFileSync('real/secret.txt', 'workspace copy\\n');
fs.writeFileSync('ready', 'yes');
let flips = 0;
const deadline = Date.now() + 50000;
while (!fs.existsSync('stop') && Date.now() < deadline) {
  for (let i = 0; i < 200; i++) {
    try { fs.renameSync('real', 'd'); fs.renameSync('d', 'real'); } catch {}
    try { fs.symlinkSync(${JSON.stringify(outside)}, 'd'); flips++; } catch {}
    try { fs.rmSync('d', { recursive: true, force: true }); } catch {}
  }
}
console.log('flips ' + flips);
`;

/** Every name and file content under a host directory, to see whether anything in it changed. */
function snapshot(directory: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (current: string, prefix: string) => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      const relative = `${prefix}${name}`;
      if (statSync(path).isDirectory()) {
        entries[`${relative}/`] = '';
        walk(path, `${relative}/`);
      } else entries[relative] = readFileSync(path, 'utf8');
    }
  };
  walk(directory, '');
  return entries;
}

describe('host file operations while a sandboxed command swaps a directory for a symlink', () => {
  let fixture: FixtureRepo;
  let dataDir: { path: string; cleanup(): void };
  let outside: { path: string; cleanup(): void };
  let provider: LocalSandboxProvider;
  let sandbox: Sandbox;

  beforeAll(async () => {
    fixture = createFixtureRepo({ 'README.md': 'race\n' });
    dataDir = createTempDir('baton-swap-race-');
    outside = createTempDir('baton-swap-outside-');
    // A host directory the attack aims at: a secret to read, a file to overwrite, room for new directories.
    mkdirSync(join(outside.path, 'sub'));
    writeFileSync(join(outside.path, 'secret.txt'), 'host secret\n');
    writeFileSync(join(outside.path, 'sub', 'f.txt'), 'host original\n');
    chmodSync(outside.path, 0o755);
    provider = createLocalSandboxProvider({
      dataDir: dataDir.path,
      hostEnv: { LANG: 'C.UTF-8', PATH: '/usr/local/bin:/usr/bin:/bin', HOME: dataDir.path },
      log: createSilentLogger(),
    });
    sandbox = await provider.create({
      repo: { name: 'acme/race', url: fixture.path },
      baseRef: 'main',
      branch: 'baton/race',
      limits: LIMITS,
    });
  });

  afterAll(async () => {
    await sandbox?.dispose();
    await provider?.idle();
    dataDir?.cleanup();
    outside?.cleanup();
    fixture?.cleanup();
  });

  it('never writes, creates or reads anything outside the workspace, and the normal path still works', async () => {
    const before = snapshot(outside.path);
    await sandbox.writeFile('.baton/swap.js', SWAPPER(outside.path));
    const swapper = sandbox.exec({ cmd: 'node .baton/swap.js' });
    for (let wait = 0; wait < 200; wait++) {
      if (
        await sandbox.readFile('ready').then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const leaks: string[] = [];
    const unexpected: unknown[] = [];
    const refusal = (error: unknown) => {
      if (!(error instanceof BatonError)) unexpected.push(error);
    };
    const started = Date.now();
    let rounds = 0;
    for (; rounds < ROUNDS && Date.now() - started < BUDGET_MS; rounds++) {
      await sandbox.writeFile('d/sub/f.txt', `from the host ${rounds}\n`).catch(refusal);
      await sandbox.writeFile(`d/new-${rounds}/f.txt`, 'new directory\n').catch(refusal);
      const read = await sandbox.readFile('d/secret.txt').catch((error: unknown) => {
        refusal(error);
        return '';
      });
      if (read.includes('host secret')) leaks.push(`round ${rounds}: read the host's secret`);
    }
    await sandbox.writeFile('stop', 'now');
    const swapped = await swapper;

    expect(leaks).toEqual([]);
    expect(snapshot(outside.path)).toEqual(before);
    expect(unexpected).toEqual([]);
    // The attack really ran alongside: the symlink was put in place again and again.
    expect(swapped.exitCode).toBe(0);
    expect(Number(/flips (\d+)/.exec(swapped.stdout)?.[1])).toBeGreaterThan(100);

    // With the attacker gone, the same paths work: written through directories, read back.
    await sandbox.exec({ cmd: 'rm -rf d && mv real d' });
    await sandbox.writeFile('d/sub/f.txt', 'after the race\n');
    await sandbox.writeFile('d/fresh/deeper/g.txt', 'made on the way\n');
    expect(await sandbox.readFile('d/sub/f.txt')).toBe('after the race\n');
    expect(await sandbox.readFile('d/fresh/deeper/g.txt')).toBe('made on the way\n');
    expect(await sandbox.readFile('d/secret.txt')).toBe('workspace copy\n');
    // Directories made on the way and the file belong to the command's own uid, as one it made itself.
    const owners = await sandbox.exec({
      cmd: '{ id -u; stat -c %u d/fresh d/fresh/deeper d/fresh/deeper/g.txt; } | sort -u',
    });
    expect(owners.stdout.trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('follows a symlink that stays inside the workspace and refuses one that leaves it', async () => {
    await sandbox.exec({ cmd: `mkdir -p inner/x && ln -sfn inner/x via && ln -sfn ${outside.path} away` });
    await sandbox.writeFile('via/through.txt', 'through a link\n');
    expect(await sandbox.readFile('inner/x/through.txt')).toBe('through a link\n');
    expect(await sandbox.readFile('/workspace/via/through.txt')).toBe('through a link\n');
    await expect(sandbox.readFile('away/secret.txt')).rejects.toMatchObject({ code: 'sandbox_path_escape' });
    await expect(sandbox.writeFile('away/sub/f.txt', 'x')).rejects.toMatchObject({
      code: 'sandbox_path_escape',
    });
    await expect(sandbox.writeFile('README.md/x.txt', 'x')).rejects.toMatchObject({
      code: 'sandbox_not_a_directory',
    });
    expect(readFileSync(join(outside.path, 'sub', 'f.txt'), 'utf8')).toBe('host original\n');
  });
});
