import { lstatSync, readlinkSync } from 'node:fs';
import { type EgressRoute, egressMountArgs, withEgressForwarder } from '../environment/network-plan.ts';
import { SANDBOX_BIN, SANDBOX_HOME, SANDBOX_MIRROR_OBJECTS, SANDBOX_WORKDIR } from './paths.ts';
import type { PreparedEtc } from './sandbox-etc.ts';
import type { SandboxUser } from './sandbox-user.ts';

/**
 * The host system directories a program needs; nothing under /root, /home, /work or the data dir.
 * /etc is not among them: the sandbox gets its own (sandbox-etc.ts).
 */
const SYSTEM_DIRECTORIES = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'] as const;

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
  /** The sandbox's own /etc (sandbox-etc.ts), bound read-only as a whole. */
  etc: PreparedEtc;
  user: SandboxUser;
  /** The BPF program bubblewrap installs before the command runs (seccomp-filter.ts). */
  seccompFilter: Buffer;
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
  'ulimit -d "$1" || { echo "baton: cannot set the memory limit" >&2; exit 125; }; command=$BATON_COMMAND; unset BATON_COMMAND; exec /bin/sh -c "$command"';

/**
 * What follows `--args FD` on bwrap's real command line: bwrap reads only options from the
 * descriptor, so the program must stay here. It is constant; the command itself travels in the
 * environment (set through the descriptor, unset before it runs), so neither it nor any host path
 * shows in /proc/1/cmdline or the host's process list.
 */
export function bubblewrapCommand(memoryMb: number): string[] {
  const kilobytes = String(Math.max(1, Math.floor(memoryMb * 1024)));
  return ['--', '/bin/sh', '-c', LIMITED_SHELL, 'baton-sandbox', kilobytes];
}

/** bwrap reads its argument list from this descriptor (`--args`), so it never shows in /proc/1/cmdline. */
export const ARGS_FD = 4;
/** The first of the descriptors bwrap reads `inputs` from, in order. */
export const FIRST_INPUT_FD = 5;

export interface BubblewrapInvocation {
  /** The options, passed NUL-separated on ARGS_FD. */
  args: string[];
  /** `--` and the program, on bwrap's command line (see bubblewrapCommand). */
  command: string[];
  /** Contents bwrap reads from FIRST_INPUT_FD + index (the seccomp filter). */
  inputs: Buffer[];
}

/**
 * The bwrap arguments for one command. Pure, so the isolation policy can be read in one place:
 * - every namespace unshared, a user namespace included, in which the command is `plan.user`
 *   with no capability left in any set (`--cap-drop ALL`), and which cannot make new user
 *   namespaces (`--disable-userns`: bubblewrap caps the nested count; seccomp refuses too);
 * - the seccomp filter refusing mount, unshare, ptrace, bpf, keyctl and kin;
 * - a read-only root of system directories, a generated /etc, and only Baton's own binds.
 * No host path of Baton's layout is on any command line: the list goes through `--args`.
 */
export function bubblewrapInvocation(plan: BubblewrapPlan): BubblewrapInvocation {
  const inputs: Buffer[] = [];
  const input = (content: Buffer | string) => {
    inputs.push(typeof content === 'string' ? Buffer.from(content) : content);
    return String(FIRST_INPUT_FD + inputs.length - 1);
  };
  const args = [
    '--unshare-all',
    ...(plan.network === 'on' ? ['--share-net'] : []),
    '--unshare-user',
    '--disable-userns',
    '--uid',
    String(plan.user.uid),
    '--gid',
    String(plan.user.gid),
    '--cap-drop',
    'ALL',
    '--die-with-parent',
    '--new-session',
    '--hostname',
    'baton',
    ...plan.systemArgs,
    '--ro-bind',
    plan.network === 'on' ? plan.etc.networkDir() : plan.etc.dir,
    '/etc',
  ];
  if (plan.network === 'on') for (const path of plan.etc.networkBinds) args.push('--ro-bind', path, path);
  args.push(
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
    '--seccomp',
    input(plan.seccompFilter),
    // The root itself is a throwaway tmpfs; read-only, so nothing can be created beside the mounts.
    '--remount-ro',
    '/',
    '--chdir',
    plan.cwd,
    '--clearenv',
  );
  for (const [name, value] of Object.entries(plan.env)) args.push('--setenv', name, value);
  const cmd = plan.egress && plan.network === 'off' ? withEgressForwarder(plan.egress, plan.cmd) : plan.cmd;
  args.push('--setenv', 'BATON_COMMAND', cmd);
  return { args, inputs, command: bubblewrapCommand(plan.memoryMb) };
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
