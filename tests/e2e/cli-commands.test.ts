import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type CliIo, main } from '../../src/cli/main.ts';
import { startFakeOpenAI } from '../fakes/openai-server.ts';
import { createTempDir } from '../fixtures/git-repo.ts';
import { type CliHarness, createCliHarness } from './cli-harness.ts';

const exec = promisify(execFile);
const temp = createTempDir('baton-cli-');
afterAll(() => temp.cleanup());

function captureIo(
  env: Record<string, string | undefined> = {},
): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    out: (line) => lines.push(line),
    err: (line) => errors.push(line),
    env: { PATH: process.env.PATH, BATON_DATA_DIR: join(temp.path, 'data'), ...env },
    cwd: temp.path,
    stdin: new PassThrough(),
  };
}

describe('the baton executable', () => {
  it('prints the commands with --help through the package bin', async () => {
    const { stdout } = await exec('node', ['src/cli/baton.mjs', '--help'], {
      cwd: join(import.meta.dirname, '../..'),
    });
    expect(stdout).toMatch(/baton run --repo <path> "task"/);
    expect(stdout).toMatch(/baton doctor/);
  });

  it('refuses an unknown command, a missing --repo or task, and a path that is not a git repository', async () => {
    const io = captureIo();
    expect(await main(['deploy'], io)).toBe(2);
    expect(io.errors.at(-1)).toMatch(/unknown command "deploy"/);
    expect(await main(['run', 'fix it'], io)).toBe(1);
    expect(io.errors.at(-1)).toMatch(/missing --repo <path>/);
    expect(await main(['run', '--repo', temp.path], io)).toBe(1);
    expect(io.errors.at(-1)).toMatch(/missing the task/);
    expect(await main(['run', '--repo', temp.path, 'fix it'], io)).toBe(1);
    expect(io.errors.at(-1)).toMatch(/is not a git repository.*run `git init`/);
  });

  it('stops at start with the path of a bad configuration key', async () => {
    const configPath = join(temp.path, 'bad.yaml');
    writeFileSync(configPath, 'sandbox:\n  network: sometimes\n');
    const io = captureIo();
    expect(await main(['run', '--repo', temp.path, '--config', configPath, 'fix it'], io)).toBe(1);
    expect(io.errors.at(-1)).toMatch(/sandbox\.network/);
  });
});

describe('baton run asking a question without a terminal', () => {
  let harness: CliHarness;
  afterEach(async () => harness?.close());

  it('ends the turn with the question when stdin is not a TTY', async () => {
    harness = await createCliHarness();
    harness.model.enqueue({
      type: 'tool_calls',
      calls: [{ name: 'ask', arguments: { question: 'Should add() accept strings?' } }],
    });
    const run = await harness.run('make add better');
    expect(run.exitCode).toBe(1);
    const output = run.out.join('\n');
    expect(output).toContain('Baton asks: Should add() accept strings?');
    expect(output).toContain('Result: waiting');
    expect(harness.model.requests).toHaveLength(1);
  });
});

describe('baton doctor', () => {
  it('passes with a reachable model endpoint and a price for the model', async () => {
    const model = await startFakeOpenAI();
    try {
      const configPath = join(temp.path, 'good.yaml');
      writeFileSync(
        configPath,
        'model:\n  name: gpt-test\n  prices:\n    gpt-test: { inputPerMillion: 1, outputPerMillion: 2 }\n',
      );
      const io = captureIo({
        OPENAI_BASE_URL: model.baseUrl,
        OPENAI_API_KEY: 'sk-test-doctor-0123456789abcdef',
      });
      const code = await main(['doctor', '--config', configPath], io);
      expect(io.lines.filter((line) => line.startsWith('FAIL'))).toEqual([]);
      expect(code).toBe(0);
      expect(io.lines.join('\n')).toMatch(/ok\s+model endpoint: .*\/models reachable/);
      expect(io.lines.join('\n')).toMatch(/ok\s+sandbox: bubblewrap works/);
    } finally {
      await model.close();
    }
  });

  it('prints one line per problem with its fix', async () => {
    const configPath = join(temp.path, 'doctor-bad.yaml');
    writeFileSync(
      configPath,
      'model:\n  name: unpriced\nrepos:\n  - name: gone\n    url: /nonexistent/repo\n',
    );
    const io = captureIo({ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' });
    expect(await main(['doctor', '--config', configPath], io)).toBe(1);
    const failures = io.lines.filter((line) => line.startsWith('FAIL'));
    expect(failures).toEqual([
      expect.stringMatching(/model endpoint: cannot reach .*set OPENAI_BASE_URL/),
      expect.stringMatching(/model prices: no price for unpriced.*add model\.prices\.unpriced/),
      expect.stringMatching(/repo gone: \/nonexistent\/repo is not a git repository/),
    ]);
  });
});
