import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { createEnvironmentPrebuilder } from '../../../src/sandbox/environment/prepare-repo.ts';
import type { EnvironmentRequest } from '../../../src/sandbox/environment/types.ts';
import { createLocalSandboxProvider, type LocalSandboxProvider } from '../../../src/sandbox/index.ts';
import type { Sandbox, SandboxLimits } from '../../../src/sandbox/types.ts';
import { type FakeNpmRegistry, lockfileFor, startFakeNpmRegistry } from '../../fakes/npm-registry.ts';
import { type FakePythonIndex, startFakePythonIndex } from '../../fakes/python-index.ts';
import { createFixtureRepo, createTempDir, type FixtureRepo } from '../../fixtures/git-repo.ts';

const SECRET = 'npm_setupsecretsetupsecret0123456789';

const limits = (network: SandboxLimits['network']): SandboxLimits => ({
  commandTimeoutMs: 60_000,
  memoryMb: 4096,
  outputCapBytes: 200_000,
  network,
  envAllowlist: [],
});

const BIN = "#!/usr/bin/env node\nconsole.log('greeter says hello');\n";

describe('environments on the local sandbox (setup, egress allowlist, cache)', () => {
  let registry: FakeNpmRegistry;
  let pypi: FakePythonIndex;
  let other: Server;
  let otherPort = 0;
  let otherHits = 0;
  let repo: FixtureRepo;
  let data: { path: string; cleanup(): void };
  let provider: LocalSandboxProvider;
  const sandboxes: Sandbox[] = [];

  const hostEnv = () => ({
    PATH: process.env.PATH,
    npm_config_registry: registry.url,
    PIP_INDEX_URL: pypi.url,
    NPM_TOKEN: SECRET,
  });
  const makeProvider = () =>
    createLocalSandboxProvider({
      dataDir: data.path,
      hostEnv: hostEnv(),
      spares: 0,
      mirrorStaleMs: 0,
      log: createSilentLogger(),
      environment: { setupAllowHosts: [], setupTimeoutMs: 120_000, environmentCacheMb: 1024 },
    });
  const open = async (
    options: { network?: SandboxLimits['network']; branch?: string; on?: LocalSandboxProvider } = {},
  ) => {
    const sandbox = await (options.on ?? provider).create({
      repo: { name: 'app', url: repo.path },
      baseRef: 'main',
      branch: options.branch ?? `baton/t${sandboxes.length}`,
      limits: limits(options.network ?? 'off'),
    });
    sandboxes.push(sandbox);
    return sandbox;
  };
  const prepare = (sandbox: Sandbox, request: Partial<EnvironmentRequest> = {}) => {
    if (!sandbox.prepareEnvironment) throw new Error('the local sandbox prepares environments');
    return sandbox.prepareEnvironment({ repo: 'app', ...request });
  };
  const tarballs = () => registry.requests.filter((request) => request.path.endsWith('.tgz')).length;

  beforeAll(async () => {
    registry = await startFakeNpmRegistry();
    pypi = await startFakePythonIndex({
      name: 'greetlib',
      version: '1.0',
      files: { 'greetlib/__init__.py': "def greet():\n    return 'hello from greetlib'\n" },
    });
    other = createServer((_request, response) => {
      otherHits += 1;
      response.end('reached');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', () => resolve()));
    otherPort = (other.address() as AddressInfo).port;
    const greeter = registry.publish({
      name: 'greeter',
      version: '1.0.0',
      files: { 'bin/greet.js': BIN },
      bin: { greet: 'bin/greet.js' },
    });
    repo = createFixtureRepo({
      'package.json': `${JSON.stringify({ name: 'app', version: '1.0.0', devDependencies: { greeter: '1.0.0' } })}\n`,
      'package-lock.json': lockfileFor({ name: 'app', version: '1.0.0' }, [greeter]),
      '.npmrc': `//${registry.host}/:_authToken=\${NPM_TOKEN}\n`,
    });
    data = createTempDir('baton-env-');
    provider = makeProvider();
  }, 60_000);

  afterAll(async () => {
    for (const sandbox of sandboxes) await sandbox.dispose();
    await registry.close();
    await pypi.close();
    other.close();
    repo.cleanup();
    data.cleanup();
  });

  it('two runs with one new key install once; the second starts from the snapshot; a run never changes it', async () => {
    registry.requireAuth(`Bearer ${SECRET}`);
    const [first, second] = await Promise.all([open(), open()]);
    const withSecret = { setupSecrets: ['NPM_TOKEN'] };
    const reports = await Promise.all([
      prepare(first as Sandbox, withSecret),
      prepare(second as Sandbox, withSecret),
    ]);
    registry.requireAuth(undefined);

    expect(reports.map((report) => report.status)).toEqual(['ready', 'ready']);
    expect(reports.map((report) => report.cached).sort()).toEqual([false, true]);
    expect(reports[0]?.key).toBe(reports[1]?.key);
    expect(tarballs()).toBe(1);
    // The setup secret reached the setup: the registry saw it on every request.
    expect(registry.requests.every((request) => request.authorization === `Bearer ${SECRET}`)).toBe(true);

    for (const sandbox of [first, second] as Sandbox[]) {
      const greet = await sandbox.exec({ cmd: 'node_modules/.bin/greet' });
      expect(greet.stdout.trim()).toBe('greeter says hello');
    }
    // Copy-on-write: one run's writes reach neither the cache nor the other run.
    const write = await (first as Sandbox).exec({
      cmd: "echo 'changed' > node_modules/greeter/bin/greet.js && touch node_modules/new-file && rm -rf node_modules/.bin",
    });
    expect(write.exitCode).toBe(0);
    expect((await (second as Sandbox).exec({ cmd: 'node_modules/.bin/greet' })).stdout.trim()).toBe(
      'greeter says hello',
    );
    const snapshot = await provider.environments?.get(reports[0]?.key ?? '');
    expect(snapshot).toBeDefined();
    const tree = join(snapshot?.directory ?? '', 'tree');
    expect(readFileSync(join(tree, 'node_modules/greeter/bin/greet.js'), 'utf8')).toBe(BIN);
    expect(existsSync(join(tree, 'node_modules/new-file'))).toBe(false);
    // The environment is never committed, though the repository ignores nothing.
    expect((await (first as Sandbox).exec({ cmd: 'git status --porcelain' })).stdout).toBe('');

    // Setup secrets: absent from the agent phase, the snapshot's files and the report.
    const env = await (first as Sandbox).exec({ cmd: 'env; cat .npmrc; cat ~/.npmrc 2>/dev/null; true' });
    expect(env.stdout).not.toContain(SECRET);
    expect(JSON.stringify(reports)).not.toContain(SECRET);
  }, 180_000);

  it('a lockfile change gives a new key and a new install', async () => {
    const before = tarballs();
    const beforeKey = (await prepare(await open(), { setupSecrets: ['NPM_TOKEN'] })).key;
    const greeter = registry.publish({
      name: 'greeter',
      version: '1.1.0',
      files: { 'bin/greet.js': BIN },
      bin: { greet: 'bin/greet.js' },
    });
    repo.git('checkout', '-q', '-b', 'bump');
    const bumped = { name: 'app', version: '1.0.0', devDependencies: { greeter: '1.1.0' } };
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(repo.path, 'package.json'), `${JSON.stringify(bumped)}\n`);
    writeFileSync(
      join(repo.path, 'package-lock.json'),
      lockfileFor({ name: 'app', version: '1.0.0' }, [greeter]),
    );
    repo.git('commit', '-qam', 'bump greeter');
    const sandbox = await provider.create({
      repo: { name: 'app', url: repo.path },
      baseRef: 'bump',
      branch: 'baton/bump',
      limits: limits('off'),
    });
    sandboxes.push(sandbox);
    const report = await prepare(sandbox, { setupSecrets: ['NPM_TOKEN'] });
    repo.git('checkout', '-q', 'main');

    expect(report).toMatchObject({ status: 'ready', cached: false });
    expect(report.key).not.toBe(beforeKey);
    expect(tarballs()).toBe(before + 1);
  }, 180_000);

  it('setup: a host off the allowlist is refused and named; the agent phase is off by default, registries-only when asked', async () => {
    const sandbox = await open();
    const report = await prepare(sandbox, {
      setup: [`curl -fsS http://127.0.0.1:${otherPort}/`],
    });
    expect(report.status).toBe('failed');
    expect(report.deniedHosts).toEqual([`127.0.0.1:${otherPort}`]);
    expect(report.failure?.outputTail).toContain(`refused 127.0.0.1:${otherPort}`);
    expect(otherHits).toBe(0);

    const offline = await sandbox.exec({ cmd: `curl -sS -m 5 ${registry.url}greeter` });
    expect(offline.exitCode).not.toBe(0);

    const online = await open({ network: 'registries' });
    const registryCall = await online.exec({ cmd: `curl -fsS -m 10 ${registry.url}greeter` });
    expect(registryCall.exitCode, registryCall.stderr).toBe(0);
    expect(registryCall.stdout).toContain('"name":"greeter"');
    const elsewhere = await online.exec({ cmd: `curl -fsS -m 10 http://127.0.0.1:${otherPort}/` });
    expect(elsewhere.exitCode).not.toBe(0);
    expect(otherHits).toBe(0);
    // The proxy variables do not reach a command in an agent phase that is off.
    expect((await sandbox.exec({ cmd: 'env' })).stdout).not.toMatch(/https?_proxy/i);
  }, 180_000);

  it('setup secrets written to files are scrubbed from the snapshot', async () => {
    const sandbox = await open();
    const report = await prepare(sandbox, {
      setup: ['mkdir -p build && echo "token=$NPM_TOKEN" > build/leak.txt'],
      setupSecrets: ['NPM_TOKEN'],
    });
    expect(report.status).toBe('ready');
    const entry = await provider.environments?.get(report.key ?? '');
    const leak = readFileSync(join(entry?.directory ?? '', 'tree', 'build', 'leak.txt'), 'utf8');
    expect(leak).not.toContain(SECRET);
    expect(leak).toContain('[REDACTED]');
    expect((await sandbox.exec({ cmd: 'cat build/leak.txt' })).stdout).not.toContain(SECRET);
  }, 120_000);

  it('Python: a pyproject repository gets its .venv from a PEP 503 index and its tests run with that interpreter', async () => {
    const python = createFixtureRepo({
      'pyproject.toml': '[project]\nname = "app"\nversion = "0.1"\ndependencies = [\n  "greetlib",\n]\n',
      'tests/test_greet.py':
        'import sys, unittest\nimport greetlib\n\nclass T(unittest.TestCase):\n    def test_greet(self):\n        self.assertEqual(greetlib.greet(), "hello from greetlib")\n        self.assertTrue(sys.prefix.endswith("/workspace/.venv"))\n',
    });
    try {
      const sandbox = await provider.create({
        repo: { name: 'py-app', url: python.path },
        baseRef: 'main',
        branch: 'baton/py',
        limits: limits('off'),
      });
      sandboxes.push(sandbox);
      const report = await sandbox.prepareEnvironment?.({ repo: 'py-app' });
      expect(report?.status, report?.failure?.outputTail).toBe('ready');
      expect(report?.commands[0]).toBe('python3 -m venv --without-pip .venv');
      expect(pypi.requests.some((path) => path.startsWith('/packages/greetlib-1.0'))).toBe(true);
      const tests = await sandbox.exec({ cmd: 'python -m unittest discover -s tests 2>&1' });
      expect(tests.exitCode, tests.stdout).toBe(0);
      expect(tests.stdout).toContain('OK');
    } finally {
      python.cleanup();
    }
  }, 180_000);

  it('a setup command past its timeout fails the setup with a clear line; the prebuild builds a new key once', async () => {
    const quick = createLocalSandboxProvider({
      dataDir: data.path,
      hostEnv: hostEnv(),
      spares: 0,
      log: createSilentLogger(),
      environment: { setupAllowHosts: [], setupTimeoutMs: 1000, environmentCacheMb: 1024 },
    });
    const slow = await open({ on: quick });
    const timedOut = await prepare(slow, { setup: ['sleep 30'] });
    expect(timedOut).toMatchObject({ status: 'failed', failure: { command: 'sleep 30', timedOut: true } });

    const prebuilt = createFixtureRepo({
      'requirements.txt': 'greetlib\n',
    });
    try {
      const prebuilder = createEnvironmentPrebuilder({
        provider,
        repos: () => [{ name: 'prebuilt', url: prebuilt.path, defaultBranch: 'main' }],
        limits: limits('off'),
        intervalMs: 3_600_000,
        log: createSilentLogger(),
      });
      const count = async () =>
        ((await provider.environments?.list()) ?? []).filter((entry) => entry.repo === 'prebuilt').length;
      await prebuilder.runOnce();
      expect(await count()).toBe(1);
      await prebuilder.runOnce();
      expect(await count()).toBe(1);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(prebuilt.path, 'requirements.txt'), 'greetlib==1.0\n');
      prebuilt.git('commit', '-qam', 'pin greetlib');
      await prebuilder.runOnce();
      expect(await count()).toBe(2);
      await prebuilder.stop();
    } finally {
      prebuilt.cleanup();
    }
  }, 180_000);

  it('the cache lists, ages out least recently used entries beyond the budget, and prunes', async () => {
    const store = provider.environments;
    const entries = (await store?.list()) ?? [];
    expect(entries.length).toBeGreaterThanOrEqual(5);
    for (const entry of entries) expect(statSync(join(entry.directory, 'meta.json')).isFile()).toBe(true);
    for (const sandbox of sandboxes.splice(0)) await sandbox.dispose();
    const removed = (await store?.prune({ all: true })) ?? [];
    expect(removed.length).toBe(entries.length);
    expect(readdirSync(join(data.path, 'environments', 'entries'))).toEqual([]);
  }, 60_000);
});
