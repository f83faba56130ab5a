import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The users envd knows: the default `user` (home /home/user) and `root`. */
export type E2BUser = 'user' | 'root';

const SYSTEM_LINKS = ['bin', 'lib', 'lib64', 'sbin'] as const;

/**
 * Prepares a sandbox's own root filesystem on the host: the writable top level of the "VM"
 * (home, tmp, whatever root creates), with the host's /usr and /etc shown read-only on top.
 */
export function prepareSandboxRoot(root: string): void {
  for (const directory of ['home/user', 'tmp', 'etc-overlay'])
    mkdirSync(join(root, directory), { recursive: true });
  writeFileSync(
    join(root, 'etc-overlay', 'passwd'),
    'root:x:0:0:root:/root:/bin/bash\nuser:x:1000:1000::/home/user:/bin/bash\n',
  );
  writeFileSync(join(root, 'etc-overlay', 'group'), 'root:x:0:\nuser:x:1000:\n');
  // Merged /usr, as on Debian: the links live in the sandbox's own root, made once.
  for (const name of SYSTEM_LINKS) symlinkSync(`usr/${name}`, join(root, name));
}

/**
 * Runs one envd process for real: bubblewrap over the sandbox's root, the network namespace
 * unshared unless the sandbox was created with internet access, the user's uid, a clean env.
 */
export function spawnInSandbox(options: {
  root: string;
  internet: boolean;
  user: E2BUser;
  cmd: string;
  args: readonly string[];
  cwd?: string;
  envs: Record<string, string>;
}): ChildProcess {
  const home = options.user === 'root' ? '/root' : '/home/user';
  const uid = options.user === 'root' ? '0' : '1000';
  const args = [
    '--unshare-all',
    ...(options.internet ? ['--share-net'] : []),
    '--die-with-parent',
    '--unshare-user',
    '--uid',
    uid,
    '--gid',
    uid,
    '--bind',
    options.root,
    '/',
    '--ro-bind',
    '/usr',
    '/usr',
    '--ro-bind',
    '/etc',
    '/etc',
    '--ro-bind',
    join(options.root, 'etc-overlay', 'passwd'),
    '/etc/passwd',
    '--ro-bind',
    join(options.root, 'etc-overlay', 'group'),
    '/etc/group',
    '--dir',
    home,
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--chdir',
    options.cwd ?? home,
    '--clearenv',
    ...Object.entries({
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: home,
      USER: options.user,
      ...options.envs,
    }).flatMap(([name, value]) => ['--setenv', name, value]),
    '--',
    options.cmd,
    ...options.args,
  ];
  return spawn('bwrap', args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
}
