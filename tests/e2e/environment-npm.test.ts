import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  type FakeNpmRegistry,
  lockfileFor,
  type PublishedVersion,
  startFakeNpmRegistry,
} from '../fakes/npm-registry.ts';
import { type CliHarness, type CliRun, createCliHarness } from './cli-harness.ts';

const SETUP_SECRET = 'npm_e2esetupsecret0123456789abcdef';
const GREET_BIN = "#!/usr/bin/env node\nconsole.log('greeter says hello');\n";

function projectFiles(greeter: PublishedVersion): Record<string, string> {
  return {
    'package.json': `${JSON.stringify(
      {
        name: 'app',
        version: '1.0.0',
        type: 'module',
        scripts: { test: 'greet && node --test test/' },
        devDependencies: { greeter: greeter.version },
      },
      null,
      2,
    )}\n`,
    'package-lock.json': lockfileFor({ name: 'app', version: '1.0.0' }, [greeter]),
    'src/math.js': 'export function add(a, b) {\n  return a - b;\n}\n',
    'test/math.test.js':
      "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { add } from '../src/math.js';\n\ntest('add adds', () => {\n  assert.equal(add(2, 3), 5);\n});\n",
  };
}

const fixAdd = [
  {
    type: 'tool_calls' as const,
    calls: [
      { name: 'read_file', arguments: { path: 'src/math.js' } },
      { name: 'run_command', arguments: { command: 'npm test' } },
    ],
  },
  {
    type: 'tool_calls' as const,
    calls: [
      {
        name: 'edit_file',
        arguments: { path: 'src/math.js', old_string: 'return a - b;', new_string: 'return a + b;' },
      },
    ],
  },
  {
    type: 'tool_calls' as const,
    calls: [
      { name: 'finish', arguments: { summary: 'add() adds now.', pr_title: 'Fix add()', pr_body: 'Fixed.' } },
    ],
  },
];

interface EnvironmentPayload {
  type: 'environment';
  status: string;
  cached: boolean;
  key: string | null;
  commands: string[];
  durationMs: number;
  deniedHosts: string[];
  failure?: { command: string; exitCode: number; outputTail: string };
}

function items(run: CliRun): { payload: { type: string } & Record<string, unknown> }[] {
  return run.out.map((line) => JSON.parse(line));
}

function environmentItem(run: CliRun): EnvironmentPayload {
  const found = items(run).find((item) => item.payload.type === 'environment');
  if (!found) throw new Error(`no environment item:\n${run.out.join('\n')}\n${run.err.join('\n')}`);
  return found.payload as unknown as EnvironmentPayload;
}

const tarballRequests = (registry: FakeNpmRegistry) =>
  registry.requests.filter((request) => request.path.endsWith('.tgz'));

describe('environment setup with npm (zero configuration, loopback registry)', () => {
  let registry: FakeNpmRegistry;
  let harness: CliHarness | undefined;
  beforeEach(async () => {
    registry = await startFakeNpmRegistry();
  });
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
    await registry.close();
  }, 240_000);

  it('installs through the egress proxy, the agent runs the package bin, the commit holds only the fix; a second run starts from the cache', async () => {
    const greeter = registry.publish({
      name: 'greeter',
      version: '1.0.0',
      files: { 'bin/greet.js': GREET_BIN },
      bin: { greet: 'bin/greet.js' },
    });
    const files = { ...projectFiles(greeter), '.npmrc': `//${registry.host}/:_authToken=\${NPM_TOKEN}\n` };
    harness = await createCliHarness({
      files,
      env: { npm_config_registry: registry.url, NPM_TOKEN: SETUP_SECRET },
    });
    // The repository's entry names its setup secret (the harness made the repository first).
    const configPath = join(dirname(harness.dataDir), 'baton.yaml');
    const config = parse(readFileSync(configPath, 'utf8'));
    config.repos = [{ name: 'app', url: harness.repo.path, setupSecrets: ['NPM_TOKEN'] }];
    writeFileSync(configPath, stringify(config));
    registry.requireAuth(`Bearer ${SETUP_SECRET}`);
    harness.model.enqueue(
      {
        type: 'tool_calls',
        calls: [
          {
            name: 'run_command',
            arguments: {
              command: 'env; cat .npmrc ~/.npmrc 2>&1; grep -r _authToken node_modules 2>&1 | head -3',
            },
          },
        ],
      },
      ...fixAdd,
    );

    const first = await harness.run('fix add', { json: true });
    registry.requireAuth(undefined);

    expect(first.exitCode, [...first.out, ...first.err].join('\n').slice(-6000)).toBe(0);
    const installed = environmentItem(first);
    expect(installed).toMatchObject({
      status: 'ready',
      cached: false,
      commands: ['npm ci --no-audit --no-fund'],
      deniedHosts: [],
    });
    expect(installed.key).toMatch(/^[0-9a-f]{32}$/);
    expect(tarballRequests(registry)).toHaveLength(1);
    // The agent's own `npm test` ran the installed bin (its output reached the model).
    expect(JSON.stringify(harness.model.requests[2]?.body)).toContain('greeter says hello');
    // The setup secret reached the setup only: the registry saw it; the agent, items, logs and commits did not.
    expect(registry.requests.filter((request) => request.path.endsWith('.tgz'))[0]?.authorization).toBe(
      `Bearer ${SETUP_SECRET}`,
    );
    expect(JSON.stringify(harness.model.requests)).not.toContain(SETUP_SECRET);
    expect(first.out.join('\n')).not.toContain(SETUP_SECRET);
    expect(readFileSync(join(harness.dataDir, 'logs', 'baton.log'), 'utf8')).not.toContain(SETUP_SECRET);
    const branch = harness.repo.git('for-each-ref', '--format=%(refname:short)', 'refs/heads/baton/');
    expect(harness.repo.git('diff', '--name-only', `main..${branch}`)).toBe('src/math.js');
    expect(harness.repo.git('log', '-p', `main..${branch}`)).not.toContain(SETUP_SECRET);
    const steps = items(first)
      .filter((item) => item.payload.type === 'middleware_step')
      .map((item) => `${item.payload.name}:${item.payload.status}`);
    expect(steps).toContain('test:passed');

    const requestsBefore = registry.requests.length;
    harness.model.enqueue(...fixAdd);
    const second = await harness.run('fix add again');

    expect(second.exitCode, second.err.join('\n')).toBe(0);
    expect(registry.requests.length).toBe(requestsBefore);
    expect(second.out.some((line) => /^environment: ready from cache \(\d+\.\d s\)$/.test(line))).toBe(true);
    expect(second.out.join('\n')).toMatch(/✓ test: npm test: exit 0/);
  }, 240_000);

  it('a lockfile naming a version the registry lacks: the run continues, the agent sees the error, the terminal says so', async () => {
    const greeter = registry.publish({
      name: 'greeter',
      version: '1.0.0',
      files: { 'bin/greet.js': GREET_BIN },
      bin: { greet: 'bin/greet.js' },
    });
    const missing = {
      ...greeter,
      version: '9.9.9',
      tarballUrl: greeter.tarballUrl.replace('1.0.0', '9.9.9'),
    };
    const files = projectFiles(missing);
    harness = await createCliHarness({ files, env: { npm_config_registry: registry.url } });
    harness.model.enqueue(
      (request) => {
        expect(JSON.stringify(request.body)).toContain(
          'the environment setup failed: `npm ci --no-audit --no-fund` exited with',
        );
        expect(JSON.stringify(request.body)).toContain('404');
        return {
          type: 'tool_calls',
          calls: [
            {
              name: 'reply',
              arguments: { text: 'The lockfile names greeter 9.9.9, which the registry lacks.' },
            },
          ],
        };
      },
      {
        type: 'tool_calls',
        calls: [
          {
            name: 'finish',
            arguments: { summary: 'Could not install.', pr_title: 'Nothing', pr_body: 'n/a' },
          },
        ],
      },
    );

    const run = await harness.run('fix add');

    const output = run.out.join('\n');
    expect(output).toMatch(/^environment: setup failed \(npm ci --no-audit --no-fund, exit \d+\)$/m);
    expect(output).toContain('Result: failed');
    expect(run.exitCode).toBe(1);
  }, 240_000);
});
