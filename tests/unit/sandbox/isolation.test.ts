import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { createLocalSandboxProvider, type LocalSandboxProvider } from '../../../src/sandbox/index.ts';
import type { Sandbox, SandboxLimits } from '../../../src/sandbox/types.ts';
import { createFixtureRepo, createTempDir, type FixtureRepo } from '../../fixtures/git-repo.ts';

const SECRETS = {
  SLACK_BOT_TOKEN: 'xoxb-1111-2222-isolationsecret',
  GITHUB_TOKEN: 'ghp_isolationsecretisolationsecret1234',
  OPENAI_API_KEY: 'sk-isolationsecretisolationsecret',
};

const LIMITS: SandboxLimits = {
  commandTimeoutMs: 20_000,
  memoryMb: 512,
  outputCapBytes: 1000,
  network: 'off',
  envAllowlist: ['LANG', 'SLACK_BOT_TOKEN_NOT_SET'],
};

const NODE_CONNECT = (port: number) =>
  `node -e "require('net').connect(${port}, '127.0.0.1').on('connect', () => { console.log('connected'); process.exit(0) }).on('error', (e) => { console.log('refused ' + e.code); process.exit(3) })"`;

function processesWith(marker: string): number {
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) count += 1;
    } catch {
      // the process ended while we looked
    }
  }
  return count;
}

describe('local sandbox isolation', () => {
  let fixture: FixtureRepo;
  let dataDir: { path: string; cleanup(): void };
  let hostHome: { path: string; cleanup(): void };
  let provider: LocalSandboxProvider;
  let sandbox: Sandbox;
  let neighbour: Sandbox;
  let server: Server;
  let port = 0;
  let connections = 0;

  beforeAll(async () => {
    fixture = createFixtureRepo({ 'README.md': 'isolation\n' });
    dataDir = createTempDir('baton-isolation-');
    hostHome = createTempDir('baton-host-home-');
    provider = createLocalSandboxProvider({
      dataDir: dataDir.path,
      hostEnv: { ...SECRETS, LANG: 'C.UTF-8', PATH: '/usr/local/bin:/usr/bin:/bin', HOME: hostHome.path },
      log: createSilentLogger(),
    });
    const repo = { name: 'acme/isolation', url: fixture.path };
    sandbox = await provider.create({ repo, baseRef: 'main', branch: 'baton/isolation', limits: LIMITS });
    neighbour = await provider.create({ repo, baseRef: 'main', branch: 'baton/neighbour', limits: LIMITS });
    await neighbour.writeFile('neighbour-secret.txt', 'private to the neighbour\n');
    server = createServer((socket) => {
      connections += 1;
      socket.on('error', () => undefined);
      socket.end('hello from the host\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });

  afterAll(async () => {
    await sandbox?.dispose();
    await neighbour?.dispose();
    await provider?.idle();
    await new Promise((resolve) => server?.close(resolve));
    dataDir?.cleanup();
    hostHome?.cleanup();
    fixture?.cleanup();
  });

  it('sees only allowlisted variables plus PATH, HOME and TMPDIR: no host secret', async () => {
    const result = await sandbox.exec({ cmd: 'env' });
    expect(result.exitCode).toBe(0);
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(result.stdout).not.toContain(name);
      expect(result.stdout).not.toContain(value);
    }
    const names = result.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('=')[0])
      .sort();
    expect(names).toEqual(['HOME', 'LANG', 'PATH', 'PWD', 'TMPDIR', 'USER'].sort());
    expect(result.stdout).toContain('LANG=C.UTF-8');
  });

  it('has no network: a loopback server on the host cannot be reached', async () => {
    const result = await sandbox.exec({ cmd: NODE_CONNECT(port) });
    expect(result.stdout).toMatch(/^refused/);
    expect(result.exitCode).toBe(3);
    expect(connections).toBe(0);
  });

  it('reaches the host when network is on (the check above can fail)', async () => {
    const result = await sandbox.exec({ cmd: NODE_CONNECT(port) }).then(async () => {
      const open = await provider.create({
        repo: { name: 'acme/isolation', url: fixture.path },
        baseRef: 'main',
        branch: 'baton/network-on',
        limits: { ...LIMITS, network: 'on' },
      });
      try {
        return await open.exec({ cmd: NODE_CONNECT(port) });
      } finally {
        await open.dispose();
      }
    });
    expect(result.stdout).toBe('connected\n');
    expect(connections).toBe(1);
  });

  it('cannot write outside the workspace: system dirs, the mirror, the host home', async () => {
    const mirror = provider.mirrorPath({ name: 'acme/isolation' });
    const targets = [
      '/usr/baton-x',
      '/etc/baton-x',
      '/baton-x',
      '/opt/baton/mirror/objects/baton-x',
      `${hostHome.path}/baton-x`,
      `${mirror}/baton-x`,
    ];
    const script = targets
      .map((target) => `if echo x > ${target} 2>/dev/null; then echo "wrote ${target}"; fi`)
      .join('\n');
    const result = await sandbox.exec({ cmd: `${script}\necho done` });
    expect(result.stdout).toBe('done\n');
    expect(existsSync(join(hostHome.path, 'baton-x'))).toBe(false);
    expect(existsSync(join(mirror, 'baton-x'))).toBe(false);
    expect(existsSync(join(mirror, 'objects', 'baton-x'))).toBe(false);
    // The mirror's objects are readable: git inside can read the commit it borrows.
    expect((await sandbox.exec({ cmd: 'git log --format=%s -1' })).stdout).toBe('Initial commit\n');
  });

  it('does not see the data dir, other workspaces, /root or /work', async () => {
    const neighbourPath = join(dataDir.path, 'workspaces');
    const result = await sandbox.exec({
      cmd: `ls /; for p in ${dataDir.path} ${neighbourPath} /root /work ${hostHome.path}; do test -e "$p" && echo "visible $p"; done; true`,
    });
    // Only the mounts Baton makes: system directories that exist on this host, and its own.
    const system = ['bin', 'etc', 'lib', 'lib32', 'lib64', 'libx32', 'sbin', 'usr'].filter((entry) =>
      existsSync(`/${entry}`),
    );
    const own = ['dev', 'home', 'opt', 'proc', 'tmp', 'workspace'];
    expect(result.stdout.trim().split('\n').sort()).toEqual([...system, ...own].sort());
    expect((await sandbox.exec({ cmd: 'ls' })).stdout).not.toContain('neighbour-secret');
  });

  it('kills a timed-out command together with the children it started', async () => {
    const marker = `baton-heartbeat-${process.pid}`;
    const result = await sandbox.exec({
      cmd: `(setsid sh -c 'while :; do date +%s%N > heartbeat; sleep 0.05; done; : ${marker}' &) ; sleep 60`,
      timeoutMs: 1000,
    });
    expect(result.timedOut).toBe(true);
    const first = await sandbox.readFile('heartbeat');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await sandbox.readFile('heartbeat')).toBe(first);
    expect(processesWith(marker)).toBe(0);
  });

  it('cuts output at the cap and saves the full output in the workspace', async () => {
    const result = await sandbox.exec({ cmd: 'seq 1 20000; echo tail >&2' });
    expect(result.exitCode).toBe(0);
    expect(result.truncated).toBe(true);
    expect(Buffer.byteLength(result.stdout) + Buffer.byteLength(result.stderr)).toBeLessThanOrEqual(
      LIMITS.outputCapBytes,
    );
    expect(result.stdout.startsWith('1\n2\n3\n')).toBe(true);
    expect(result.fullOutputPath).toMatch(/^\.baton\/output\/\d+\.log$/);
    const full = await sandbox.readFile(result.fullOutputPath ?? '');
    const expected = `${Array.from({ length: 20000 }, (_, index) => index + 1).join('\n')}\n`;
    expect(full.replace('tail\n', '')).toBe(expected);
    expect(full).toContain('tail\n');
    const small = await sandbox.exec({ cmd: 'echo small' });
    expect(small).toMatchObject({ truncated: false, stdout: 'small\n' });
    expect(small.fullOutputPath).toBeUndefined();
  });

  it('caps memory: a program allocating past limits.memoryMb fails, a smaller one runs', async () => {
    const allocate = (megabytes: number) =>
      `node -e "const a = []; for (let i = 0; i < ${megabytes}; i++) a.push(Buffer.alloc(1 << 20, 1)); console.log('allocated')"`;
    const small = await sandbox.exec({ cmd: allocate(64) });
    expect(small).toMatchObject({ exitCode: 0, stdout: 'allocated\n' });
    const large = await sandbox.exec({ cmd: `${allocate(2048)} 2>/dev/null` });
    expect(large.exitCode).not.toBe(0);
    expect(large.stdout).toBe('');
  });

  it('puts ripgrep on PATH and git works (status, add, commit)', async () => {
    const result = await sandbox.exec({
      cmd: 'rg --version | head -1 && echo new > new.txt && git add new.txt && git -c user.name=T -c user.email=t@example.com commit -q -m new && git status --porcelain && git log --format=%s -1',
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ripgrep \d+/);
    expect(result.stdout.endsWith('new\n')).toBe(true);
  });
});
