import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSandboxEtc, prepareSandboxEtc } from '../../../src/sandbox/local/sandbox-etc.ts';
import {
  ensureReachable,
  giveToSandbox,
  resolveSandboxUser,
} from '../../../src/sandbox/local/sandbox-user.ts';
import { createTempDir } from '../../fixtures/git-repo.ts';

const scratch = createTempDir('baton-sandbox-user-');
afterAll(() => scratch.cleanup());
const asRoot = resolveSandboxUser({ uid: 65532, gid: 65533, processUid: 0 });

describe('the sandbox user', () => {
  it('drops to the configured uid only when Baton is root', () => {
    expect(asRoot).toEqual({ uid: 65532, gid: 65533, hostDrop: { uid: 65532, gid: 65533 } });
    expect(resolveSandboxUser({ uid: 65532, gid: 65532, processUid: 1000 })).toEqual({
      uid: 65532,
      gid: 65532,
    });
  });

  it('refuses uid or gid 0 and ids out of range, naming the setting', () => {
    expect(() => resolveSandboxUser({ uid: 0, gid: 65532, processUid: 0 })).toThrow(
      /sandbox\.uid must be an unprivileged id/,
    );
    expect(() => resolveSandboxUser({ uid: 65532, gid: 0, processUid: 0 })).toThrow(/sandbox\.gid/);
    expect(() => resolveSandboxUser({ uid: 2 ** 32, gid: 1, processUid: 0 })).toThrow(/sandbox\.uid/);
  });

  it('opens the directories Baton owns to the sandbox group, and names a closed one it does not own', async () => {
    if (process.getuid?.() !== 0) throw new Error('this test chowns files: run it as root, as CI does');
    const outside = join(scratch.path, 'outside');
    const owned = join(outside, 'data');
    mkdirSync(join(owned, 'workspaces'), { recursive: true });
    chmodSync(outside, 0o711);
    chmodSync(owned, 0o700);
    await ensureReachable({ user: asRoot, owned: [owned], targets: [join(owned, 'workspaces', 'x')] });
    const info = statSync(owned);
    expect(info.gid).toBe(65533);
    expect(info.mode & 0o777).toBe(0o710);
    chmodSync(outside, 0o700);
    await expect(
      ensureReachable({ user: asRoot, owned: [owned], targets: [join(owned, 'workspaces', 'y')] }),
    ).rejects.toThrow(
      `the sandbox user 65532:65533 cannot reach ${join(owned, 'workspaces', 'y')}: ${outside} is closed to it`,
    );
  });

  it('hands a prepared tree to the sandbox uid without following links out of it', async () => {
    if (process.getuid?.() !== 0) throw new Error('this test chowns files: run it as root, as CI does');
    const tree = join(scratch.path, 'tree');
    const victim = join(scratch.path, 'victim');
    mkdirSync(join(tree, 'a', 'b'), { recursive: true });
    writeFileSync(join(tree, 'a', 'b', 'file'), 'x');
    writeFileSync(victim, 'host file');
    symlinkSync(victim, join(tree, 'link'));
    await giveToSandbox(tree, asRoot);
    for (const path of [tree, join(tree, 'a', 'b'), join(tree, 'a', 'b', 'file')]) {
      expect(statSync(path)).toMatchObject({ uid: 65532, gid: 65533 });
    }
    expect(statSync(victim)).toMatchObject({ uid: 0, gid: 0 });
  });
});

describe('the sandbox /etc', () => {
  it('generates passwd and group with the sandbox user, and binds no secret file of the host', () => {
    const etc = buildSandboxEtc({ user: asRoot, exists: () => true });
    const files = Object.fromEntries(etc.files);
    expect(files['/etc/passwd']).toContain('baton:x:65532:65533:Baton sandbox:/home/baton:/bin/sh\n');
    expect(files['/etc/group']).toContain('baton:x:65533:\n');
    expect(files['/etc/nsswitch.conf']).toContain('passwd: files');
    for (const path of [...etc.binds, ...etc.networkBinds]) {
      expect(path).not.toMatch(/shadow|sudoers|\/etc\/ssh|private/);
    }
    expect(etc.binds).toContain('/etc/ssl/certs');
    expect(etc.binds).not.toContain('/etc/resolv.conf');
    expect(etc.networkBinds).toEqual(['/etc/resolv.conf']);
  });

  it('adds operator extras that exist, and refuses secrets, directories holding them, and paths outside /etc', () => {
    const etc = buildSandboxEtc({ user: asRoot, extra: ['/etc/gitconfig'], exists: () => true });
    expect(etc.binds).toContain('/etc/gitconfig');
    const missing = buildSandboxEtc({ user: asRoot, extra: ['/etc/gitconfig'], exists: () => false });
    expect(missing.binds).not.toContain('/etc/gitconfig');
    for (const bad of [
      '/etc/shadow',
      '/etc/sudoers.d/x',
      '/etc/ssh',
      '/etc/ssl',
      '/etc',
      '/etc/../root/x',
      'etc/hosts',
      '/root/x',
    ]) {
      expect(() => buildSandboxEtc({ user: asRoot, extra: [bad] }), bad).toThrow(
        `sandbox.etcExtra entry "${bad}" is not allowed`,
      );
    }
  });
});

describe('the prepared /etc tree', () => {
  it('holds the generated files and copies of the chosen host files, links kept, one tree per content', () => {
    const etc = buildSandboxEtc({ user: asRoot });
    const root = join(scratch.path, 'etc-trees');
    const first = prepareSandboxEtc(etc, root);
    expect(prepareSandboxEtc(etc, root).dir).toBe(first.dir);
    expect(readFileSync(join(first.dir, 'passwd'), 'utf8')).toContain('baton:x:65532:65533:');
    expect(readlinkSync(join(first.dir, 'mtab'))).toBe('/proc/self/mounts');
    if (lstatSync('/etc/os-release', { throwIfNoEntry: false })?.isSymbolicLink()) {
      // Relative links become the absolute path they meant in /etc: none dangles on the host.
      expect(readlinkSync(join(first.dir, 'os-release'))).toMatch(/^\/usr\/lib\/os-release$|^\/etc\//);
      expect(readFileSync(join(first.dir, 'os-release'))).toEqual(readFileSync('/etc/os-release'));
    }
    expect(existsSync(join(first.dir, 'shadow'))).toBe(false);
    expect(existsSync(join(first.dir, 'resolv.conf'))).toBe(false);
    if (existsSync('/etc/ssl/certs/ca-certificates.crt')) {
      expect(readFileSync(join(first.dir, 'ssl/certs/ca-certificates.crt'))).toEqual(
        readFileSync('/etc/ssl/certs/ca-certificates.crt'),
      );
    }
    if (lstatSync('/etc/localtime', { throwIfNoEntry: false })?.isSymbolicLink()) {
      expect(readlinkSync(join(first.dir, 'localtime'))).toBe(readlinkSync('/etc/localtime'));
    }
    // The network variant only has a mount point: the live resolv.conf is bound over it.
    expect(readFileSync(join(first.networkDir(), 'resolv.conf'), 'utf8')).toBe('');
    expect(first.networkDir()).not.toBe(first.dir);
  });
});
