import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLocalSandboxPrerequisites } from '../../../src/sandbox/index.ts';
import { createTempDir } from '../../fixtures/git-repo.ts';

const SCRIPT = join(import.meta.dirname, '../../../src/cli/ensure-system.mjs');
const scratch = createTempDir('baton-prereq-');
const brokenBwrap = join(scratch.path, 'bwrap-broken');
writeFileSync(brokenBwrap, '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n');
chmodSync(brokenBwrap, 0o755);

afterAll(() => scratch.cleanup());

function ensureSystem(...args: string[]) {
  return spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
}

describe('ensure-system.mjs', () => {
  it('passes silently when bubblewrap can create a sandbox', () => {
    const result = ensureSystem('--no-install');
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('prints the install command and exits 1 when bwrap is missing', () => {
    const result = ensureSystem('--bwrap', join(scratch.path, 'no-such-bwrap'), '--no-install');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('sudo apt-get install -y bubblewrap');
  });

  it('prints the user-namespace sysctl when bwrap exists but cannot sandbox', () => {
    const result = ensureSystem('--bwrap', brokenBwrap, '--no-install');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('No permissions to create new namespace');
    expect(result.stderr).toContain('sysctl -w kernel.unprivileged_userns_clone=1');
  });
});

describe('checkLocalSandboxPrerequisites', () => {
  it('reports nothing on a host that can run the sandbox', async () => {
    expect(execFileSync('bwrap', ['--version'], { encoding: 'utf8' })).toMatch(/bubblewrap/);
    expect(await checkLocalSandboxPrerequisites()).toEqual([]);
  });

  it('reports each problem with its fix', async () => {
    const problems = await checkLocalSandboxPrerequisites({
      bwrapPath: join(scratch.path, 'no-such-bwrap'),
      rgPath: join(scratch.path, 'no-such-rg'),
    });
    expect(problems.map((entry) => entry.fix)).toEqual([
      'sudo apt-get install -y bubblewrap',
      'npm install (it ships with @vscode/ripgrep)',
    ]);
    const broken = await checkLocalSandboxPrerequisites({ bwrapPath: brokenBwrap });
    expect(broken).toHaveLength(1);
    expect(broken[0]?.fix).toContain('unprivileged_userns_clone');
  });
});
