import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bubblewrapInvocation, sandboxEnv, systemMounts } from '../../../src/sandbox/local/bubblewrap.ts';
import { spawnSandboxed } from '../../../src/sandbox/local/exec.ts';
import { buildSandboxEtc, prepareSandboxEtc } from '../../../src/sandbox/local/sandbox-etc.ts';
import { resolveSandboxUser } from '../../../src/sandbox/local/sandbox-user.ts';
import { loadSeccompFilter } from '../../../src/sandbox/local/seccomp-filter.ts';
import { createTempDir } from '../../fixtures/git-repo.ts';

const GENERATOR = join(import.meta.dirname, '../../../src/sandbox/local/seccomp/generate-filters.py');
const COMMITTED = join(import.meta.dirname, '../../../src/sandbox/local/seccomp');
const PYTHON = '/usr/bin/python3';

/** A BPF program of one instruction, `return SECCOMP_RET_ALLOW`: the same sandbox without the policy. */
const ALLOW_ALL = Buffer.from([0x06, 0, 0, 0, 0x00, 0x00, 0xff, 0x7f]);

function requireLibseccompPython(): void {
  const probe = spawnSync(PYTHON, ['-c', 'import seccomp'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `python3-seccomp is needed to check the committed seccomp filters (${(probe.stderr || String(probe.error)).trim()}). Fix: node src/cli/ensure-system.mjs --dev (or apt-get install -y python3-seccomp)`,
    );
  }
}

/*
 * Each probe calls one system call with arguments that make it fail harmlessly (bad pointers,
 * bad descriptors) or succeed harmlessly when it is allowed, so an unfiltered sandbox answers
 * something other than the filter's errno. Calls the kernel refuses with EPERM for lack of a
 * capability anyway (kexec_load, init_module, pivot_root, ...) are covered by the regeneration
 * check, not here: their answer does not tell the filter from the missing capability.
 */
const PROBES: ReadonlyArray<{ name: string; args: string; refused: 'EPERM' | 'ENOSYS' }> = [
  { name: 'mount', args: '1, 1, 1, 0, 0', refused: 'EPERM' },
  { name: 'umount2', args: '1, 0', refused: 'EPERM' },
  { name: 'chroot', args: '1', refused: 'EPERM' },
  { name: 'open_tree', args: '-100, 1, 0', refused: 'EPERM' },
  { name: 'unshare', args: '0', refused: 'EPERM' },
  { name: 'setns', args: '-1, 0', refused: 'EPERM' },
  { name: 'ptrace', args: '0, 0, 0, 0', refused: 'EPERM' },
  { name: 'process_vm_readv', args: '$$, 0, 0, 0, 0, 0', refused: 'EPERM' },
  { name: 'process_vm_writev', args: '$$, 0, 0, 0, 0, 0', refused: 'EPERM' },
  { name: 'pidfd_getfd', args: '-1, 0, 0', refused: 'EPERM' },
  { name: 'kcmp', args: '$$, $$, 0, 0, 0', refused: 'EPERM' },
  { name: 'add_key', args: '1, 1, 1, 0, 0', refused: 'EPERM' },
  { name: 'request_key', args: '1, 1, 1, 0', refused: 'EPERM' },
  { name: 'keyctl', args: '0, -3, 0', refused: 'EPERM' },
  { name: 'perf_event_open', args: '1, 0, -1, -1, 0', refused: 'EPERM' },
  { name: 'userfaultfd', args: '1', refused: 'EPERM' },
  { name: 'name_to_handle_at', args: '-100, 1, 1, 1, 0', refused: 'EPERM' },
  { name: 'personality', args: '0x0040000', refused: 'EPERM' },
  { name: 'ioctl', args: '0, 0x5412, 0', refused: 'EPERM' },
  // The high half set: a filter comparing all 64 bits would let TIOCSTI through.
  { name: 'ioctl', args: '0, 0x100005412, 0', refused: 'EPERM' },
  { name: 'clone3', args: '1, 88', refused: 'ENOSYS' },
  { name: 'io_uring_setup', args: '1, 1', refused: 'ENOSYS' },
  // CLONE_NEWUSER | SIGCHLD; a child that somehow exists leaves at once.
  { name: 'clone', args: '0x10000011, 0, 0, 0, 0', refused: 'EPERM' },
];

function syscallNumbers(names: readonly string[]): Record<string, number> {
  const script = `import json, seccomp, sys\nprint(json.dumps({n: seccomp.resolve_syscall(seccomp.Arch.NATIVE, n) for n in sys.argv[1:]}))`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script, ...names], { encoding: 'utf8' }));
}

function probeScript(numbers: Record<string, number>): string {
  const lines = PROBES.map(
    (probe, index) =>
      `{ my $r = syscall(${numbers[probe.name]}, ${probe.args}); POSIX::_exit(0) if $r == 0 && ${JSON.stringify(probe.name)} eq "clone"; print "${index} ", ($r == -1 ? (0 + $!) : "ok"), "\\n"; }`,
  );
  return `perl -MPOSIX -e '${lines.join(' ')}'`;
}

describe('the sandbox seccomp filter', () => {
  let root: { path: string; cleanup(): void };

  beforeAll(() => {
    root = createTempDir('baton-seccomp-');
  });
  afterAll(() => root?.cleanup());

  it('is committed exactly as libseccomp generates it from the policy, for every architecture', () => {
    requireLibseccompPython();
    const out = join(root.path, 'regenerated');
    execFileSync(PYTHON, [GENERATOR, '--out', out], { encoding: 'utf8', stdio: 'pipe' });
    for (const arch of ['x86_64', 'aarch64']) {
      const regenerated = readFileSync(join(out, `${arch}.bpf`));
      const committed = readFileSync(join(COMMITTED, `${arch}.bpf`));
      expect(committed.equals(regenerated), `${arch}.bpf differs: run ${PYTHON} ${GENERATOR}`).toBe(true);
    }
    expect(loadSeccompFilter().length % 8).toBe(0);
  });

  it('refuses each filtered call inside the sandbox, which the same sandbox without it lets through', async () => {
    requireLibseccompPython();
    const numbers = syscallNumbers([...new Set(PROBES.map((probe) => probe.name))]);
    const user = resolveSandboxUser({ uid: 65532, gid: 65532, processUid: process.getuid?.() ?? 0 });
    const directories = ['workspace', 'home', 'objects'].map((name) => join(root.path, name));
    for (const directory of directories) {
      mkdirSync(directory, { recursive: true });
      if (user.hostDrop) chownSync(directory, user.hostDrop.uid, user.hostDrop.gid);
    }
    const [workspaceDir = '', homeDir = '', mirrorObjectsDir = ''] = directories;
    const run = async (seccompFilter: Buffer) => {
      const invocation = bubblewrapInvocation({
        systemArgs: systemMounts(),
        etc: prepareSandboxEtc(buildSandboxEtc({ user }), join(root.path, 'etc')),
        user,
        seccompFilter,
        workspaceDir,
        homeDir,
        mirrorObjectsDir,
        network: 'off',
        cwd: '/workspace',
        env: sandboxEnv({ hostEnv: {}, allowlist: [], extraPath: [] }),
        memoryMb: 512,
        cmd: `grep -E '^Seccomp:' /proc/self/status; ${probeScript(numbers)}`,
      });
      const outcome = await spawnSandboxed({
        bwrapPath: 'bwrap',
        invocation,
        user,
        hostPath: '/usr/bin:/bin',
        timeoutMs: 20_000,
        outputCapBytes: 100_000,
        spoolPath: join(root.path, 'spool.log'),
        track: () => () => undefined,
      });
      expect(outcome.stderr).toBe('');
      const [mode = '', ...answers] = outcome.stdout.trim().split('\n');
      return { mode, answers: answers.map((line) => line.split(' ')[1]) };
    };
    const errno = { EPERM: '1', ENOSYS: '38' } as const;
    const filtered = await run(loadSeccompFilter());
    const unfiltered = await run(ALLOW_ALL);
    expect(filtered.mode).toMatch(/^Seccomp:\s+2$/);
    const report = PROBES.map((probe, index) => ({
      call: `${probe.name}(${probe.args})`,
      filtered: filtered.answers[index],
      unfiltered: unfiltered.answers[index],
    }));
    for (const [index, probe] of PROBES.entries()) {
      expect(report[index]?.filtered, report[index]?.call).toBe(errno[probe.refused]);
      expect(report[index]?.unfiltered, report[index]?.call).not.toBe(errno[probe.refused]);
    }
  });
});
