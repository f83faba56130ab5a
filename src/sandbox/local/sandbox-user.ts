import { execFile } from 'node:child_process';
import { type Stats, statSync } from 'node:fs';
import { chmod, chown } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BatonError } from '../../observability/errors.ts';

/*
 * Who sandboxed commands run as. Run by root, bubblewrap would otherwise keep root: mapping an
 * inner uid onto host uid 0 (`--unshare-user --uid 1000`) still leaves the process kuid 0, which
 * the kernel treats as host root for file permissions and sysctl checks. So when Baton is root it
 * starts bubblewrap as a real unprivileged host uid (`sandbox.uid`/`sandbox.gid`, no supplementary
 * groups), and bubblewrap runs unprivileged in a user namespace of its own. That uid then owns the
 * workspace and home, which Baton (root) still reads and deletes. When Baton is not root, bubblewrap
 * runs as Baton's own uid and the sandbox sees it as `sandbox.uid`.
 */
/** The sandbox's uid and gid unless configured: distroless' `nonroot`, which no Debian package allocates. */
export const DEFAULT_SANDBOX_ID = 65532;

export interface SandboxUser {
  /** uid and gid inside the sandbox (its /etc/passwd names them `baton`). */
  uid: number;
  gid: number;
  /** Set when Baton is root: the host uid/gid bubblewrap is started as, and that owns sandbox files. */
  hostDrop?: { uid: number; gid: number };
}

export function resolveSandboxUser(options: {
  uid: number;
  gid: number;
  /** Baton's own uid (process.getuid()). */
  processUid: number;
}): SandboxUser {
  for (const [name, value] of [
    ['uid', options.uid],
    ['gid', options.gid],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 0xfffffffe) {
      throw new BatonError({
        code: 'sandbox_user_invalid',
        message: `sandbox.${name} must be an unprivileged id (1 to 4294967294), not ${value}`,
        hint: `set sandbox.${name} to an id no host account uses, e.g. 65532`,
      });
    }
  }
  const user: SandboxUser = { uid: options.uid, gid: options.gid };
  if (options.processUid === 0) user.hostDrop = { uid: options.uid, gid: options.gid };
  return user;
}

/** Whether a process with this uid/gid and no supplementary groups may pass through a directory. */
function canSearch(info: Stats, uid: number, gid: number): boolean {
  if (info.uid === uid) return (info.mode & 0o100) !== 0;
  if (info.gid === gid) return (info.mode & 0o010) !== 0;
  return (info.mode & 0o001) !== 0;
}

/**
 * bubblewrap resolves every bind source with the dropped uid, so that uid must be able to reach
 * them. Directories Baton owns (the data dir and what it creates in it) get group-search for the
 * sandbox group when they lack it: a directory the sandbox's gid may pass through but not list.
 * Anything above them that it cannot pass is the operator's to open, and named here.
 */
export async function ensureReachable(options: {
  user: SandboxUser;
  /** Directories Baton created and may adjust, outermost first. */
  owned: readonly string[];
  /** Paths that must be reachable; their ancestors outside `owned` are only checked. */
  targets: readonly string[];
}): Promise<void> {
  const drop = options.user.hostDrop;
  if (!drop) return;
  const owned = new Set(options.owned);
  const checked = new Set<string>();
  for (const target of options.targets) {
    const chain: string[] = [];
    for (let path = dirname(target); !checked.has(path); path = dirname(path)) {
      chain.unshift(path);
      if (path === '/') break;
    }
    for (const directory of chain) {
      checked.add(directory);
      const info = statSync(directory);
      if (canSearch(info, drop.uid, drop.gid)) continue;
      if (owned.has(directory)) {
        await chown(directory, info.uid, drop.gid);
        await chmod(directory, (info.mode & 0o7707) | 0o010);
        continue;
      }
      throw new BatonError({
        code: 'sandbox_path_unreachable',
        message: `the sandbox user ${drop.uid}:${drop.gid} cannot reach ${target}: ${directory} is closed to it`,
        hint: `allow passing through it (chmod o+x ${directory}), or move Baton's data directory or binaries to a path other users can reach`,
      });
    }
  }
}

/**
 * Gives a tree the host (root) prepared to the sandbox's host uid. One `chown -R -h -P` (coreutils):
 * links are changed themselves and never followed; measured several times faster than walking a
 * 10,000-file checkout through Node's thread pool, and it runs on the create path of a cold start.
 */
export async function giveToSandbox(path: string, user: SandboxUser): Promise<void> {
  const drop = user.hostDrop;
  if (!drop) return;
  await new Promise<void>((resolve, reject) => {
    execFile(
      'chown',
      ['-R', '-h', '-P', `${drop.uid}:${drop.gid}`, '--', path],
      { env: { PATH: '/usr/bin:/bin' } },
      (error, _stdout, stderr) => {
        if (!error) return resolve();
        reject(
          new BatonError({
            code: 'sandbox_chown_failed',
            message: `cannot hand ${path} to the sandbox user ${drop.uid}: ${String(stderr).trim() || error.message}`,
            hint: 'Baton running as root needs CAP_CHOWN, CAP_SETUID and CAP_SETGID (or run Baton as a non-root user)',
            cause: error,
          }),
        );
      },
    );
  });
}
