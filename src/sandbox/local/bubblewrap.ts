import { lstatSync, readlinkSync } from 'node:fs';
import { type EgressRoute, egressMountArgs, withEgressForwarder } from '../environment/network-plan.ts';
import { SANDBOX_BIN, SANDBOX_HOME, SANDBOX_MIRROR_OBJECTS, SANDBOX_WORKDIR } from './paths.ts';

/** The host system directories a program needs; nothing under /root, /home, /work or the data dir. */
const SYSTEM_DIRECTORIES = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc'] as const;

/** How the host's system directories are mounted: merged-/usr hosts have symlinks, others directories. */
export function systemMounts(extraReadOnly: readonly string[] = []): string[] {
  const args: string[] = [];
  for (const directory of SYSTEM_DIRECTORIES) {
    const info = (() => {
      try {
        return lstatSync(directory);
      } catch {
        return undefined;
      }
    })();
    if (!info) continue;
    if (info.isSymbolicLink()) args.push('--symlink', readlinkSync(directory), directory);
    else if (info.isDirectory()) args.push('--ro-bind', directory, directory);
  }
  for (const directory of extraReadOnly) args.push('--ro-bind', directory, directory);
  return args;
}

export interface BubblewrapPlan {
  /** From `systemMounts()`, computed once per provider. */
  systemArgs: readonly string[];
  workspaceDir: string;
  homeDir: string;
  mirrorObjectsDir: string;
  /** Host path of the ripgrep binary, mounted as `rg` on the sandbox's PATH. */
  rgPath?: string;
  network: 'off' | 'on';
  /** With network off: the one route out, through the host's egress proxy (setup, `registries`). */
  egress?: EgressRoute;
  /** Absolute path inside the sandbox. */
  cwd: string;
  env: Readonly<Record<string, string>>;
  memoryMb: number;
  cmd: string;
}

/*
 * Memory: RLIMIT_AS would break V8 (it reserves far more address space than it uses), so the limit
 * is RLIMIT_DATA (`ulimit -d`), which since Linux 4.7 counts private writable mappings: the heap and
 * anonymous mmaps. Node and most runtimes run normally under it and fail cleanly when they pass it.
 * It is per process, not per tree; cgroup v2 would cap the tree but needs a delegated cgroup,
 * which a plain host (or a container with cgroup v1, like CI) does not offer.
 */
const LIMITED_SHELL =
  'ulimit -d "$1" || { echo "baton: cannot set the memory limit" >&2; exit 125; }; exec /bin/sh -c "$0"';

/** The bwrap argument list for one command. Pure, so the isolation policy can be read in one place. */
export function bubblewrapArgs(plan: BubblewrapPlan): string[] {
  const args = [
    '--unshare-all',
    ...(plan.network === 'on' ? ['--share-net'] : []),
    '--die-with-parent',
    '--new-session',
    '--hostname',
    'baton',
    ...plan.systemArgs,
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--tmpfs',
    '/tmp',
    '--bind',
    plan.homeDir,
    SANDBOX_HOME,
    '--bind',
    plan.workspaceDir,
    SANDBOX_WORKDIR,
    '--ro-bind',
    plan.mirrorObjectsDir,
    SANDBOX_MIRROR_OBJECTS,
    ...(plan.rgPath ? ['--ro-bind', plan.rgPath, `${SANDBOX_BIN}/rg`] : []),
    ...(plan.egress && plan.network === 'off' ? egressMountArgs(plan.egress) : []),
    // The root itself is a throwaway tmpfs; read-only, so nothing can be created beside the mounts.
    '--remount-ro',
    '/',
    '--chdir',
    plan.cwd,
    '--clearenv',
  ];
  for (const [name, value] of Object.entries(plan.env)) args.push('--setenv', name, value);
  const kilobytes = String(Math.max(1, Math.floor(plan.memoryMb * 1024)));
  const cmd = plan.egress && plan.network === 'off' ? withEgressForwarder(plan.egress, plan.cmd) : plan.cmd;
  args.push('--', '/bin/sh', '-c', LIMITED_SHELL, cmd, kilobytes);
  return args;
}

/**
 * The sandbox's whole environment: the allowlisted host variables, a fixed PATH, HOME and TMPDIR,
 * then the request's own variables. Nothing else from the host gets in.
 */
export function sandboxEnv(options: {
  hostEnv: Readonly<Record<string, string | undefined>>;
  allowlist: readonly string[];
  extraPath: readonly string[];
  requestEnv?: Readonly<Record<string, string>>;
}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of options.allowlist) {
    const value = options.hostEnv[name];
    if (value !== undefined) env[name] = value;
  }
  env.PATH = [
    SANDBOX_BIN,
    ...options.extraPath,
    '/usr/local/sbin',
    '/usr/local/bin',
    '/usr/sbin',
    '/usr/bin',
    '/sbin',
    '/bin',
  ].join(':');
  env.HOME = SANDBOX_HOME;
  env.TMPDIR = '/tmp';
  env.USER ??= 'baton';
  return { ...env, ...options.requestEnv };
}
