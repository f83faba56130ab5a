import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mirrorPathFor } from '../../src/repo-cache/index.ts';
import { createLocalSandboxProvider } from '../../src/sandbox/index.ts';
import type { RecordedRequest } from '../fakes/openai-server.ts';
import { type CliHarness, createCliHarness, HOST_SECRETS } from './cli-harness.ts';

/*
 * The attacker's view: a scripted model whose only tool call is a shell script probing for
 * privilege. Each line it prints is `PROBE <name>=<value>`; the test reads them back from the tool
 * result the model received, as an attacker would.
 */
const PROBE_SCRIPT = String.raw`p() { echo "PROBE $1=$2"; }
for field in CapEff CapPrm CapBnd CapAmb CapInh Seccomp NoNewPrivs; do p "$field" "$(awk -v k="$field:" '$1 == k { print $2 }' /proc/self/status)"; done
p id "$(id -u):$(id -g):$(id -un)"
p groups "$(id -G)"
for point in $(awk '{ print $5 }' /proc/self/mountinfo); do
  if mount -o remount,bind,rw "$point" 2>/dev/null; then p remount "$point:succeeded"; else p remount "$point:refused"; fi
done
if unshare -r true 2>/dev/null; then p unshare succeeded; else p unshare refused; fi
if unshare -m true 2>/dev/null; then p unshare-mount succeeded; else p unshare-mount refused; fi
if test -e /etc/shadow; then p shadow present; else p shadow absent; fi
if test -e /etc/gshadow || test -e /etc/sudoers || test -e /etc/ssh; then p etc-secrets present; else p etc-secrets absent; fi
if (echo poison > /opt/baton/mirror/objects/baton-probe) 2>/dev/null; then p mirror-new-file succeeded; else p mirror-new-file refused; fi
object=$(find /opt/baton/mirror/objects -type f | head -n 1)
if (echo poison >> "$object") 2>/dev/null; then p mirror-append succeeded; else p mirror-append refused; fi
if chmod u+w "$object" 2>/dev/null; then p mirror-chmod succeeded; else p mirror-chmod refused; fi
p cmdline "$(tr '\0' ' ' < /proc/1/cmdline)"
p mount-roots "$(awk '{ print $4 }' /proc/self/mountinfo | sort -u | tr '\n' ' ')"
p etc "$(ls /etc | tr '\n' ' ')"
# Left for the host to clean up: a file nobody may read in a directory nobody may write.
mkdir -p "$HOME/locked/inner" && echo left > "$HOME/locked/inner/file" && chmod 000 "$HOME/locked/inner/file" && chmod 500 "$HOME/locked/inner" "$HOME/locked" && p locked made
echo probes done`;

/** A different uid than the sandbox's own (65532): the non-root Baton maps it inside. */
const NON_ROOT_UID = 61234;
const ENTRY = join(import.meta.dirname, '../../src/cli/baton.mjs');
/** A whole `baton run` plus a mirror warm-up; the non-root one also starts a fresh Node process. */
const RUN_TIMEOUT_MS = 120_000;

function probes(requests: readonly RecordedRequest[]): Map<string, string[]> {
  const results = requests.flatMap((request) =>
    ((request.body.messages ?? []) as { role: string; content: string }[])
      .filter((message) => message.role === 'tool' && message.content.includes('probes done'))
      .map((message) => message.content),
  );
  const found = new Map<string, string[]>();
  for (const line of (results[0] ?? '').split('\n')) {
    const match = /^PROBE ([\w-]+)=(.*)$/.exec(line);
    if (match?.[1]) found.set(match[1], [...(found.get(match[1]) ?? []), match[2] ?? '']);
  }
  return found;
}

/** Every file of the mirror with its content hash, minus what a refresh rewrites. */
function snapshot(mirror: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (directory: string) => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      const info = lstatSync(path);
      if (info.isDirectory()) walk(path);
      else files[relative(mirror, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(mirror);
  delete files.FETCH_HEAD;
  delete files['baton-fetched-at'];
  return files;
}

function chownTree(path: string, uid: number): void {
  const info = lstatSync(path);
  chownSync(path, uid, uid);
  if (info.isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name), uid);
}

/** The same probes pass whoever Baton runs as; the host side is what differs. */
function expectNoPrivilege(found: Map<string, string[]>, hostPaths: readonly string[]): void {
  const one = (name: string) => found.get(name)?.[0];
  for (const field of ['CapEff', 'CapPrm', 'CapBnd', 'CapAmb', 'CapInh'])
    expect(one(field), field).toBe('0000000000000000');
  expect(one('Seccomp')).toBe('2');
  expect(one('NoNewPrivs')).toBe('1');
  expect(one('id')).toBe('65532:65532:baton');
  expect(one('groups')).toBe('65532');
  const remounts = found.get('remount') ?? [];
  // The root, /usr, /etc's binds, /workspace, the home, the mirror objects, /opt/baton/bin/rg, ...
  expect(remounts.length).toBeGreaterThan(8);
  expect(remounts.filter((entry) => !entry.endsWith(':refused'))).toEqual([]);
  expect(remounts).toContain('/opt/baton/mirror/objects:refused');
  expect(remounts).toContain('/usr:refused');
  expect(one('unshare')).toBe('refused');
  expect(one('unshare-mount')).toBe('refused');
  expect(one('shadow')).toBe('absent');
  expect(one('etc-secrets')).toBe('absent');
  expect(one('mirror-new-file')).toBe('refused');
  expect(one('mirror-append')).toBe('refused');
  expect(one('mirror-chmod')).toBe('refused');
  const cmdline = one('cmdline') ?? '';
  expect(cmdline).toMatch(/^bwrap --info-fd 3 --args 4 -- \/bin\/sh -c /);
  for (const path of hostPaths) expect(cmdline).not.toContain(path);
  expect(one('locked')).toBe('made');
  expect(one('etc')?.split(' ')).toEqual(
    expect.arrayContaining(['passwd', 'group', 'hosts', 'nsswitch.conf', 'ssl']),
  );
}

describe('the sandbox holds from the model side, whoever runs Baton', () => {
  let harness: CliHarness;
  afterEach(async () => harness?.close());

  const prepare = async () => {
    harness = await createCliHarness({ files: { 'README.md': 'probe target\n' } });
    // The mirror exists before the run, so the run's effect on it can be compared.
    const mirror = mirrorPathFor({ dataDir: harness.dataDir, repoName: basename(harness.repo.path) });
    const provider = createLocalSandboxProvider({
      dataDir: harness.dataDir,
      hostEnv: { PATH: process.env.PATH },
      spares: 0,
    });
    const warmup = await provider.create({
      repo: { name: basename(harness.repo.path), url: harness.repo.path },
      baseRef: 'main',
      branch: 'baton/warmup',
      limits: {
        commandTimeoutMs: 10_000,
        memoryMb: 512,
        outputCapBytes: 10_000,
        network: 'off',
        envAllowlist: [],
      },
    });
    await warmup.dispose();
    harness.model.enqueue(
      { type: 'tool_calls', calls: [{ name: 'run_command', arguments: { command: PROBE_SCRIPT } }] },
      {
        type: 'tool_calls',
        calls: [{ name: 'finish', arguments: { summary: 'Probed.', pr_title: 'Probe', pr_body: 'Probe.' } }],
      },
    );
    return { mirror, before: snapshot(mirror) };
  };

  it(
    'as root (as CI runs): no capability, seccomp on, binds stay read-only, the mirror unchanged',
    async () => {
      if (process.getuid?.() !== 0)
        throw new Error('this case needs root (CI runs as root); the non-root case is below');
      const { mirror, before } = await prepare();
      const run = await harness.run('probe the sandbox');
      const found = probes(harness.model.requests);
      expect(found.size, [...run.out, ...run.err].join('\n')).toBeGreaterThan(0);
      expectNoPrivilege(found, [harness.dataDir, dirname(harness.dataDir), harness.repo.path]);
      expect(snapshot(mirror)).toEqual(before);
      expect(readdirSync(join(mirror, 'objects'))).not.toContain('baton-probe');
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'as a non-root user: the same probes pass',
    async () => {
      // Root can run Baton under any uid (setpriv); a machine that is neither root nor that uid cannot.
      if (process.getuid?.() !== 0) {
        throw new Error(
          `the non-root case drops from root to uid ${NON_ROOT_UID} with setpriv; run the tests as root, as CI does`,
        );
      }
      const reachable = spawnSync(
        'setpriv',
        [
          '--reuid',
          String(NON_ROOT_UID),
          '--regid',
          String(NON_ROOT_UID),
          '--clear-groups',
          '--',
          'test',
          '-r',
          ENTRY,
        ],
        { encoding: 'utf8' },
      );
      if (reachable.status !== 0) {
        throw new Error(
          `uid ${NON_ROOT_UID} cannot read ${ENTRY} (${reachable.stderr.trim()}): put the checkout where other users can read it`,
        );
      }
      const { mirror, before } = await prepare();
      const home = dirname(harness.dataDir);
      chownTree(home, NON_ROOT_UID);
      chownTree(harness.repo.path, NON_ROOT_UID);
      const child = spawn(
        'setpriv',
        [
          '--reuid',
          String(NON_ROOT_UID),
          '--regid',
          String(NON_ROOT_UID),
          '--clear-groups',
          '--',
          process.execPath,
          ENTRY,
          'run',
          '--repo',
          harness.repo.path,
          '--config',
          join(home, 'baton.yaml'),
          'probe the sandbox',
        ],
        {
          cwd: home,
          env: {
            ...HOST_SECRETS,
            PATH: process.env.PATH,
            HOME: home,
            OPENAI_BASE_URL: harness.model.baseUrl,
            BATON_DATA_DIR: harness.dataDir,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
      const found = probes(harness.model.requests);
      expect(found.size, `exit ${exitCode}\n${output}`).toBeGreaterThan(0);
      expectNoPrivilege(found, [harness.dataDir, home, harness.repo.path]);
      expect(snapshot(mirror)).toEqual(before);
      // Everything the non-root Baton and its sandbox left is its own: it could delete it all.
      expect(lstatSync(join(harness.dataDir, 'mirrors')).uid).toBe(NON_ROOT_UID);
    },
    RUN_TIMEOUT_MS,
  );
});
