import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeNpmRegistry, lockfileFor, startFakeNpmRegistry } from '../fakes/npm-registry.ts';
import { type CliHarness, createCliHarness } from './cli-harness.ts';

const GREET = "#!/usr/bin/env node\nconsole.log('greeter says hello');\n";
const HELPER = 'module.exports = { twice: (n) => n * 2 };\n';

describe('environments ahead of time and mid-run (baton prepare, baton cache, a dependency added by the agent)', () => {
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

  it('baton prepare builds it, baton cache ls shows it, the run then starts from it with no registry request, prune empties it', async () => {
    const greeter = registry.publish({
      name: 'greeter',
      version: '1.0.0',
      files: { 'bin/greet.js': GREET },
      bin: { greet: 'bin/greet.js' },
    });
    harness = await createCliHarness({
      files: {
        'package.json': `${JSON.stringify({ name: 'app', version: '1.0.0', scripts: { test: 'greet' }, devDependencies: { greeter: '1.0.0' } })}\n`,
        'package-lock.json': lockfileFor({ name: 'app', version: '1.0.0' }, [greeter]),
      },
      env: { npm_config_registry: registry.url },
    });

    const prepared = await harness.command(['prepare', harness.repo.path]);
    expect(prepared.exitCode, prepared.err.join('\n')).toBe(0);
    expect(prepared.out).toContain('environment: npm ci --no-audit --no-fund …');
    expect(prepared.out.some((line) => line.startsWith('environment: installed with npm ci'))).toBe(true);
    const listed = await harness.command(['cache', 'ls']);
    expect(listed.out.join('\n')).toMatch(/[0-9a-f]{32} {2}baton-fixture-\w+ {2}[\d.]+ MB {2}\d+ files/);
    expect(listed.out.at(-1)).toMatch(/^1 environment\(s\)/);

    const before = registry.requests.length;
    harness.model.enqueue({
      type: 'tool_calls',
      calls: [
        { name: 'finish', arguments: { summary: 'Nothing to change.', pr_title: 'None', pr_body: 'None' } },
      ],
    });
    const run = await harness.run('check the greeting');
    expect(run.out.some((line) => /^environment: ready from cache/.test(line))).toBe(true);
    expect(run.out.join('\n')).toMatch(/✓ test: npm test: exit 0/);
    expect(registry.requests.length).toBe(before);

    const pruned = await harness.command(['cache', 'prune', '--all']);
    expect(pruned.out.at(-1)).toBe('1 environment(s) removed');
    expect((await harness.command(['cache', 'ls'])).out.at(-1)).toMatch(/^0 environment\(s\)/);
    expect((await harness.command(['cache', 'explode'])).err.join('\n')).toContain(
      'baton cache ls | baton cache prune [--all]',
    );
  }, 240_000);

  it('with network: registries the agent adds a dependency; the environment is refreshed before the checks, which pass; the refresh is not cached', async () => {
    const greeter = registry.publish({
      name: 'greeter',
      version: '1.0.0',
      files: { 'bin/greet.js': GREET },
      bin: { greet: 'bin/greet.js' },
    });
    registry.publish({ name: 'helper', version: '2.0.0', files: { 'index.js': HELPER } });
    harness = await createCliHarness({
      files: {
        'package.json': `${JSON.stringify({ name: 'app', version: '1.0.0', scripts: { test: 'greet && node test.js' }, devDependencies: { greeter: '1.0.0' } }, null, 2)}\n`,
        'package-lock.json': lockfileFor({ name: 'app', version: '1.0.0' }, [greeter]),
        'test.js':
          "const assert = require('node:assert');\nassert.equal(require('./twice.js')(3), 6);\nconsole.log('twice ok');\n",
        'twice.js': 'module.exports = (n) => n + n + 1;\n',
      },
      config: { sandbox: { network: 'registries' } },
      env: { npm_config_registry: registry.url },
    });
    harness.model.enqueue(
      {
        type: 'tool_calls',
        calls: [
          { name: 'read_file', arguments: { path: 'package.json' } },
          { name: 'read_file', arguments: { path: 'twice.js' } },
        ],
      },
      {
        type: 'tool_calls',
        calls: [
          {
            name: 'edit_file',
            arguments: {
              path: 'package.json',
              old_string: '"greeter": "1.0.0"',
              new_string: '"greeter": "1.0.0",\n    "helper": "2.0.0"',
            },
          },
          {
            name: 'write_file',
            arguments: { path: 'twice.js', content: "module.exports = require('helper').twice;\n" },
          },
        ],
      },
      {
        type: 'tool_calls',
        calls: [
          {
            name: 'finish',
            arguments: { summary: 'twice() uses helper.', pr_title: 'Use helper', pr_body: 'Uses helper.' },
          },
        ],
      },
    );

    const run = await harness.run('make twice correct with the helper package', { json: true });

    const payloads = run.out.map(
      (line) => JSON.parse(line).payload as { type: string; [key: string]: unknown },
    );
    const environments = payloads.filter((payload) => payload.type === 'environment');
    expect(environments.map((payload) => [payload.status, payload.cached])).toEqual([
      ['ready', false],
      ['ready', false],
    ]);
    expect(environments[1]?.commands).toEqual(['npm install --no-audit --no-fund']);
    const test = payloads.find((payload) => payload.type === 'middleware_step' && payload.name === 'test');
    expect(test).toMatchObject({ status: 'passed' });
    expect(run.exitCode).toBe(0);
    expect(registry.requests.some((request) => request.path === '/helper/-/helper-2.0.0.tgz')).toBe(true);
    // The refreshed environment served this run only: the cache holds the first key alone.
    expect((await harness.command(['cache', 'ls'])).out.at(-1)).toMatch(/^1 environment\(s\)/);
    const branch = harness.repo.git('for-each-ref', '--format=%(refname:short)', 'refs/heads/baton/');
    expect(harness.repo.git('diff', '--name-only', `main..${branch}`).split('\n').sort()).toEqual([
      'package-lock.json',
      'package.json',
      'twice.js',
    ]);
  }, 240_000);
});
