import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { rgPath as bundledRgPath } from '@vscode/ripgrep';
import { DEFAULT_SANDBOX_ID } from './sandbox-user.ts';

export interface PrerequisiteProblem {
  problem: string;
  fix: string;
}

interface Ran {
  ok: boolean;
  missing: boolean;
  output: string;
}

function run(
  command: string,
  args: readonly string[],
  path: string,
  drop?: { uid: number; gid: number },
): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env: { PATH: path }, timeout: 10_000, encoding: 'utf8', cwd: '/', ...drop },
      (error, stdout, stderr) => {
        const code = error ? (error as NodeJS.ErrnoException).code : undefined;
        resolve({ ok: !error, missing: code === 'ENOENT', output: `${stdout}${stderr}`.trim() });
      },
    );
  });
}

/** What `baton doctor` reports about the local sandbox: an empty list means it can run. */
export async function checkLocalSandboxPrerequisites(
  options: {
    bwrapPath?: string;
    rgPath?: string;
    hostPath?: string;
    /** The sandbox uid/gid (`sandbox.uid`/`sandbox.gid`); bwrap is probed as them when Baton is root. */
    sandboxUid?: number;
    sandboxGid?: number;
  } = {},
): Promise<PrerequisiteProblem[]> {
  const path = options.hostPath ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  const problems: PrerequisiteProblem[] = [];
  const bwrap = options.bwrapPath ?? 'bwrap';
  const drop =
    process.getuid?.() === 0
      ? { uid: options.sandboxUid ?? DEFAULT_SANDBOX_ID, gid: options.sandboxGid ?? DEFAULT_SANDBOX_ID }
      : undefined;
  // As Baton runs it: an unprivileged user namespace of its own, no nested ones.
  const probe = await run(
    bwrap,
    [
      '--unshare-all',
      '--unshare-user',
      '--disable-userns',
      '--die-with-parent',
      '--ro-bind',
      '/',
      '/',
      'true',
    ],
    path,
    drop,
  );
  if (probe.missing) {
    problems.push({
      problem: 'bubblewrap (bwrap) is not installed',
      fix: 'sudo apt-get install -y bubblewrap',
    });
  } else if (!probe.ok) {
    problems.push({
      problem: `bubblewrap cannot create a sandbox: ${probe.output.split('\n')[0] ?? 'unknown error'}`,
      fix: 'allow unprivileged user namespaces: sudo sysctl -w kernel.unprivileged_userns_clone=1 (Debian) or sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 24.04+)',
    });
  }
  const git = await run('git', ['--version'], path);
  if (!git.ok) problems.push({ problem: 'git is not installed', fix: 'sudo apt-get install -y git' });
  const rg = options.rgPath ?? bundledRgPath;
  const rgPresent = await access(rg, constants.X_OK).then(
    () => true,
    () => false,
  );
  if (!rgPresent)
    problems.push({
      problem: `ripgrep is missing at ${rg}`,
      fix: 'npm install (it ships with @vscode/ripgrep)',
    });
  return problems;
}
