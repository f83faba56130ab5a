import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  type BubblewrapInvocation,
  bubblewrapInvocation,
  sandboxEnv,
  systemMounts,
} from '../src/sandbox/local/bubblewrap.ts';
import { spawnSandboxed } from '../src/sandbox/local/exec.ts';
import { buildSandboxEtc, prepareSandboxEtc } from '../src/sandbox/local/sandbox-etc.ts';
import { resolveSandboxUser, type SandboxUser } from '../src/sandbox/local/sandbox-user.ts';
import { loadSeccompFilter } from '../src/sandbox/local/seccomp-filter.ts';
import { formatMs, median, printFigure } from './stats.ts';

const ROUNDS = 80;
const WARMUP = 5;
const MEMORY_MB = 4096;

/**
 * The argument set before the hardening, rebuilt here as the baseline: the host's /etc bound whole,
 * bwrap started as Baton's own uid (root: every capability kept, no seccomp), arguments on the
 * command line.
 */
export function legacyInvocation(options: {
  workspaceDir: string;
  homeDir: string;
  objectsDir: string;
}): BubblewrapInvocation {
  const systemArgs = [...systemMounts(), '--ro-bind', '/etc', '/etc'];
  const shell =
    'ulimit -d "$1" || { echo "baton: cannot set the memory limit" >&2; exit 125; }; exec /bin/sh -c "$0"';
  const args = [
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    '--hostname',
    'baton',
    ...systemArgs,
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--tmpfs',
    '/tmp',
    '--bind',
    options.homeDir,
    '/home/baton',
    '--bind',
    options.workspaceDir,
    '/workspace',
    '--ro-bind',
    options.objectsDir,
    '/opt/baton/mirror/objects',
    '--remount-ro',
    '/',
    '--chdir',
    '/workspace',
    '--clearenv',
  ];
  for (const [name, value] of Object.entries(sandboxEnv({ hostEnv: {}, allowlist: [], extraPath: [] })))
    args.push('--setenv', name, value);
  return {
    args: [],
    inputs: [],
    command: [...args, '--', '/bin/sh', '-c', shell, 'true', String(MEMORY_MB * 1024)],
  };
}

/**
 * Start cost of the sandbox: the median wall time of running `true` in it, with the argument set
 * from before the hardening and with today's (unprivileged uid, user namespace, cap drop, seccomp,
 * generated /etc, --args), alternated in one process so both see the same machine. Prints figures.
 */
export async function benchSandboxStart(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'baton-bench-start-'));
  chmodSync(root, 0o711); // the dropped uid must reach the binds
  try {
    const processUid = process.getuid?.() ?? 0;
    const user = resolveSandboxUser({ uid: 65532, gid: 65532, processUid });
    const [workspaceDir = '', homeDir = '', objectsDir = ''] = ['workspace', 'home', 'objects'].map(
      (name) => {
        const path = join(root, name);
        mkdirSync(path);
        if (user.hostDrop) chownSync(path, user.hostDrop.uid, user.hostDrop.gid);
        return path;
      },
    );
    const hardened = bubblewrapInvocation({
      systemArgs: systemMounts(),
      etc: prepareSandboxEtc(buildSandboxEtc({ user }), join(root, 'etc')),
      user,
      seccompFilter: loadSeccompFilter(),
      workspaceDir,
      homeDir,
      mirrorObjectsDir: objectsDir,
      network: 'off',
      cwd: '/workspace',
      env: sandboxEnv({ hostEnv: {}, allowlist: [], extraPath: [] }),
      memoryMb: MEMORY_MB,
      cmd: 'true',
    });
    const legacy = legacyInvocation({ workspaceDir, homeDir, objectsDir });
    const asBaton: SandboxUser = { uid: processUid, gid: processUid };
    const once = async (invocation: BubblewrapInvocation, runAs: SandboxUser) => {
      const started = performance.now();
      const outcome = await spawnSandboxed({
        bwrapPath: 'bwrap',
        invocation,
        user: runAs,
        hostPath: '/usr/bin:/bin',
        timeoutMs: 10_000,
        outputCapBytes: 10_000,
        spoolPath: join(root, 'spool.log'),
        track: () => () => undefined,
      });
      if (outcome.exitCode !== 0) throw new Error(`sandbox start failed: ${outcome.stderr}`);
      return performance.now() - started;
    };
    const before: number[] = [];
    const after: number[] = [];
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      const legacyTime = await once(legacy, asBaton);
      const hardenedTime = await once(hardened, user);
      if (round < WARMUP) continue;
      before.push(legacyTime);
      after.push(hardenedTime);
    }
    const beforeMedian = median(before);
    const afterMedian = median(after);
    const increase = afterMedian / beforeMedian - 1;
    console.log(`sandbox start (\`true\`), ${ROUNDS} rounds each, alternated, Baton uid ${processUid}`);
    printFigure(
      'sandbox start',
      {
        before: formatMs(beforeMedian),
        after: formatMs(afterMedian),
        increase: `${(increase * 100).toFixed(1)}%`,
      },
      '≤ 10% more',
      increase <= 0.1,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await benchSandboxStart();
}
