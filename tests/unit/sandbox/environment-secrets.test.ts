import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import type { EnvironmentReport, EnvironmentRequest } from '../../../src/sandbox/environment/types.ts';
import { createLocalSandboxProvider, type LocalSandboxProvider } from '../../../src/sandbox/index.ts';
import type { Sandbox } from '../../../src/sandbox/types.ts';
import { type FakeNpmRegistry, lockfileFor, startFakeNpmRegistry } from '../../fakes/npm-registry.ts';
import { createFixtureRepo, createTempDir, type FixtureRepo } from '../../fixtures/git-repo.ts';

const SECRET = 'npm_leakysecretleakysecret0123456789';
const b64 = (text: string) => Buffer.from(text).toString('base64');
/** The value and the base64 texts the setups below write (one at each byte alignment). */
const LEAKED = [SECRET, b64(SECRET), b64(`u:${SECRET}`), b64(`x${SECRET}`)];
const BIN = "#!/usr/bin/env node\nconsole.log('greeter says hello');\n";

describe('setup secrets never reach the agent phase; a mid-run refresh never reaches the cache', () => {
  let registry: FakeNpmRegistry;
  let repo: FixtureRepo;
  let data: { path: string; cleanup(): void };
  let provider: LocalSandboxProvider;
  const sandboxes: Sandbox[] = [];

  const open = async (baseRef = 'main') => {
    const sandbox = await provider.create({
      repo: { name: 'app', url: repo.path },
      baseRef,
      branch: `baton/s${sandboxes.length}`,
      limits: {
        commandTimeoutMs: 60_000,
        memoryMb: 4096,
        outputCapBytes: 200_000,
        network: 'off',
        envAllowlist: [],
      },
    });
    sandboxes.push(sandbox);
    return sandbox;
  };
  const prepare = (sandbox: Sandbox, request: Partial<EnvironmentRequest>) => {
    if (!sandbox.prepareEnvironment) throw new Error('the local sandbox prepares environments');
    return sandbox.prepareEnvironment({ repo: 'app', ...request });
  };
  /** What a command of the agent phase finds of the secret: file names and contents, `.git` included. */
  const agentFinds = async (sandbox: Sandbox) => {
    const patterns = LEAKED.map((text) => `-e '${text}'`).join(' ');
    const contents = await sandbox.exec({ cmd: `grep -r -a -l -F ${patterns} /workspace; true` });
    const names = await sandbox.exec({ cmd: `find /workspace | grep -F ${patterns}; true` });
    const env = await sandbox.exec({ cmd: 'env' });
    return `${contents.stdout}${names.stdout}${env.stdout.includes(SECRET) ? 'env' : ''}`;
  };
  const expectClean = async (sandbox: Sandbox, report: EnvironmentReport) => {
    expect(await agentFinds(sandbox)).toBe('');
    expect(JSON.stringify(report)).not.toContain(SECRET);
    expect((await sandbox.exec({ cmd: 'git status --porcelain' })).stdout).toBe('');
  };

  beforeAll(async () => {
    registry = await startFakeNpmRegistry();
    const greeter = registry.publish({
      name: 'greeter',
      version: '1.0.0',
      files: { 'bin/greet.js': BIN },
      bin: { greet: 'bin/greet.js' },
    });
    registry.publish({ name: 'helper', version: '2.0.0', files: { 'index.js': 'module.exports = 2;\n' } });
    repo = createFixtureRepo({
      'package.json': `${JSON.stringify({ name: 'app', version: '1.0.0', devDependencies: { greeter: '1.0.0' } }, null, 2)}\n`,
      'package-lock.json': lockfileFor({ name: 'app', version: '1.0.0' }, [greeter]),
      '.npmrc': `registry=${registry.url}\n`,
    });
    data = createTempDir('baton-envsec-');
    provider = createLocalSandboxProvider({
      dataDir: data.path,
      hostEnv: { PATH: process.env.PATH, npm_config_registry: registry.url, NPM_TOKEN: SECRET },
      spares: 0,
      mirrorStaleMs: 0,
      log: createSilentLogger(),
      environment: { setupAllowHosts: [], setupTimeoutMs: 60_000, environmentCacheMb: 1024 },
    });
  }, 60_000);

  afterAll(async () => {
    for (const sandbox of sandboxes) await sandbox.dispose();
    await registry.close();
    repo.cleanup();
    data.cleanup();
  });

  it('a setup that appends the secret to the tracked .npmrc (and names a file after it): restored from git', async () => {
    const sandbox = await open();
    const report = await prepare(sandbox, {
      setup: ['echo "//npm.pkg.github.com/:_authToken=$NPM_TOKEN" >> .npmrc && touch "log-$NPM_TOKEN"'],
      setupSecrets: ['NPM_TOKEN'],
    });
    expect(report.status, report.failure?.outputTail).toBe('ready');
    expect(report.scrubbed).toEqual([
      'log-[REDACTED] (removed: its name held a setup secret)',
      '.npmrc (restored from git)',
    ]);
    expect((await sandbox.exec({ cmd: 'cat .npmrc' })).stdout).toBe(`registry=${registry.url}\n`);
    await expectClean(sandbox, report);
  }, 120_000);

  it('a setup that writes the secret into .git (config and a base64 at another alignment): masked there', async () => {
    const sandbox = await open();
    const report = await prepare(sandbox, {
      setup: [
        'git config url."https://x:$NPM_TOKEN@github.com/".insteadOf https://github.com/ && printf "x%s" "$NPM_TOKEN" | base64 -w0 > .git/description',
      ],
      setupSecrets: ['NPM_TOKEN'],
    });
    expect(report.status, report.failure?.outputTail).toBe('ready');
    expect(report.scrubbed).toEqual(['.git/config (masked)', '.git/description (masked)']);
    // git still reads its (masked) config: the agent phase works in the repository.
    const config = await sandbox.exec({ cmd: 'git config --get-regexp "^url\\."' });
    expect(config.exitCode).toBe(0);
    expect(config.stdout).toContain('https://x:[REDACTED]@github.com/');
    await expectClean(sandbox, report);
  }, 120_000);

  it('a failing setup that wrote the secret: scrubbed all the same, the failure and the scrub both reported', async () => {
    const sandbox = await open();
    const report = await prepare(sandbox, {
      setup: [
        'echo "token $NPM_TOKEN" > build.log && printf "_auth=%s\\n" "$(printf "u:%s" "$NPM_TOKEN" | base64 -w0)" >> .npmrc && mkdir -p node_modules && printf "%s" "$NPM_TOKEN" | base64 -w0 > node_modules/.auth && exit 3',
      ],
      setupSecrets: ['NPM_TOKEN'],
    });
    expect(report).toMatchObject({ status: 'failed', failure: { exitCode: 3 } });
    expect(report.scrubbed).toEqual([
      '.npmrc (restored from git)',
      'build.log (masked)',
      'node_modules/.auth (masked)',
    ]);
    expect((await sandbox.exec({ cmd: 'cat build.log' })).stdout).toBe('token [REDACTED]\n');
    // Only the tracked file changed back; untracked output is kept (masked), so git reports it.
    const status = await sandbox.exec({ cmd: 'git status --porcelain --untracked-files=all' });
    expect(status.stdout).toBe('?? build.log\n?? node_modules/.auth\n');
    expect(await agentFinds(sandbox)).toBe('');
  }, 120_000);

  it('a setup without setup secrets is not scrubbed and reports nothing scrubbed', async () => {
    const sandbox = await open();
    const report = await prepare(sandbox, { setup: ['echo "$HOME" > home.txt'] });
    expect(report.status).toBe('ready');
    expect(report.scrubbed).toBeUndefined();
  }, 60_000);

  it('a refreshed environment (with a file the agent planted in node_modules) is not what a later run with its key starts from', async () => {
    // A setup that installs only when node_modules is missing: the refresh then changes nothing itself.
    const setup = ['test -d node_modules/greeter || npm ci --no-audit --no-fund'];
    const first = await open();
    const prepared = await prepare(first, { setup });
    expect(prepared.status, prepared.failure?.outputTail).toBe('ready');
    // The agent changes a key file and plants a file in the environment.
    const changed = JSON.stringify(
      { name: 'app', version: '1.0.0', description: 'changed', devDependencies: { greeter: '1.0.0' } },
      null,
      2,
    );
    const agent = await first.exec({
      cmd: `printf '%s\\n' '${changed}' > package.json && echo 'planted' > node_modules/greeter/planted.js`,
    });
    expect(agent.exitCode).toBe(0);
    const refreshed = await first.refreshEnvironment?.({ repo: 'app', setup });
    expect(refreshed?.status, refreshed?.failure?.outputTail).toBe('ready');
    expect(refreshed?.key).not.toBe(prepared.key);
    expect(await provider.environments?.get(refreshed?.key ?? '')).toBeUndefined();

    // A later run on those very files (the same key) builds it from a clean setup.
    repo.git('checkout', '-q', '-b', 'changed');
    writeFileSync(join(repo.path, 'package.json'), `${changed}\n`);
    repo.git('commit', '-qam', 'describe the app');
    repo.git('checkout', '-q', 'main');
    const second = await open('changed');
    const later = await prepare(second, { setup });
    expect(later).toMatchObject({ status: 'ready', cached: false, key: refreshed?.key });
    expect((await second.exec({ cmd: 'test -e node_modules/greeter/planted.js' })).exitCode).not.toBe(0);
    expect((await second.exec({ cmd: 'node_modules/.bin/greet' })).stdout).toBe('greeter says hello\n');
  }, 180_000);
});
