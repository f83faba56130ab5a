import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeSlack } from '../fakes/slack-server.ts';
import { createTempDir } from '../fixtures/git-repo.ts';
import { createFreshDatabase } from './process-harness.ts';

const root = join(import.meta.dirname, '../..');
const executable = join(root, 'src/cli/baton.mjs');
const temp = createTempDir('baton-start-');
afterAll(() => temp.cleanup());

interface Exit {
  code: number | null;
  stderr: string[];
}

/** Each test gets an empty working directory: no .env, no config/baton.yaml, data of its own. */
function workDir(name: string): string {
  const dir = join(temp.path, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function baseEnv(dir: string): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, BATON_DATA_DIR: join(dir, 'data') };
}

/** What a failure is allowed once it is known: its line is printed, then the process must be gone. */
const EXIT_AFTER_LINE_MS = 5_000;
/** Reaching the failure takes loading the code, and past the store opening it; a busy machine is slow. */
const LINE_WITHIN_MS = 45_000;

/**
 * The real `baton start` (the package's bin). It must print its `baton: …` line and then exit
 * within EXIT_AFTER_LINE_MS: a start that reports its failure and serves on is what this catches.
 * It is killed otherwise.
 */
async function startAndExpectExit(options: {
  cwd: string;
  env: Record<string, string>;
  args?: string[];
}): Promise<Exit> {
  const child = spawn(process.execPath, [executable, 'start', ...(options.args ?? [])], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let deadline: NodeJS.Timeout | undefined;
  let lineSeen = false;
  const exited = new Promise<number | null>((resolve, reject) => {
    const arm = (ms: number, what: string) => {
      deadline = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`baton start was still running ${ms} ms after ${what}:\n${stderr}`));
      }, ms);
    };
    arm(LINE_WITHIN_MS, 'it was started, with no error line');
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!lineSeen && /^baton: /m.test(stderr)) {
        lineSeen = true;
        clearTimeout(deadline);
        arm(EXIT_AFTER_LINE_MS, 'its error line');
      }
    });
    child.once('exit', (code) => {
      clearTimeout(deadline);
      resolve(code);
    });
  });
  const code = await exited;
  return { code, stderr: stderr.trim().split('\n') };
}

describe('baton start refuses to start on a bad setting, says which, and exits', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('PORT=abc', async () => {
    const dir = workDir('port-abc');
    const exit = await startAndExpectExit({
      cwd: dir,
      env: { ...baseEnv(dir), PORT: 'abc' },
    });
    expect(exit.code).toBe(1);
    expect(exit.stderr.at(-1)).toMatch(
      /^baton: Invalid environment: PORT: expected a port number from 0 to 65535, got "abc" \(.*\.env\.example/,
    );
  });

  it('a port in use', async () => {
    const dir = workDir('port-in-use');
    const listening = createServer();
    cleanups.push(() => new Promise<void>((resolve) => listening.close(() => resolve())));
    const port = await new Promise<number>((resolve) => {
      listening.listen(0, '0.0.0.0', () => resolve((listening.address() as { port: number }).port));
    });
    const exit = await startAndExpectExit({
      cwd: dir,
      env: { ...baseEnv(dir), PORT: String(port) },
    });
    expect(exit.code).toBe(1);
    expect(exit.stderr.at(-1)).toBe(
      `baton: Port ${port} is already in use on 0.0.0.0 (PORT / server.port) (set PORT or server.port to a free port, or stop what listens on ${port})`,
    );
  });

  it('a worker endpoint port in use (--role worker)', async () => {
    const dir = workDir('worker-port-in-use');
    const listening = createServer();
    cleanups.push(() => new Promise<void>((resolve) => listening.close(() => resolve())));
    const port = await new Promise<number>((resolve) => {
      listening.listen(0, '0.0.0.0', () => resolve((listening.address() as { port: number }).port));
    });
    const exit = await startAndExpectExit({
      cwd: dir,
      env: { ...baseEnv(dir), WORKER_PORT: String(port) },
      args: ['--role', 'worker'],
    });
    expect(exit.code).toBe(1);
    expect(exit.stderr.at(-1)).toBe(
      `baton: Port ${port} is already in use on 0.0.0.0 (WORKER_PORT / server.workerPort) (set WORKER_PORT or server.workerPort to a free port, or stop what listens on ${port})`,
    );
  });

  it('a GitHub App key that is not a key', async () => {
    const dir = workDir('bad-key');
    const exit = await startAndExpectExit({
      cwd: dir,
      env: {
        ...baseEnv(dir),
        GITHUB_APP_ID: '12345',
        GITHUB_APP_PRIVATE_KEY:
          '-----BEGIN RSA PRIVATE KEY-----\\nbm90IGEga2V5\\n-----END RSA PRIVATE KEY-----',
      },
    });
    expect(exit.code).toBe(1);
    expect(exit.stderr.at(-1)).toMatch(
      /^baton: Invalid environment: GITHUB_APP_PRIVATE_KEY: the PEM text is not a private key Node can read/,
    );
  });

  it('a GitHub App key given as a file name', async () => {
    const dir = workDir('key-path');
    const exit = await startAndExpectExit({
      cwd: dir,
      env: { ...baseEnv(dir), GITHUB_APP_ID: '12345', GITHUB_APP_PRIVATE_KEY: '/etc/baton/app.pem' },
    });
    expect(exit.code).toBe(1);
    expect(exit.stderr.at(-1)).toMatch(
      /^baton: Invalid environment: GITHUB_APP_PRIVATE_KEY: expected the PEM text .*not a file name/,
    );
  });

  it('an unknown configuration key, named with its path', async () => {
    const dir = workDir('unknown-key');
    const config = join(dir, 'baton.yaml');
    writeFileSync(config, 'server:\n  prot: 8080\n');
    const exit = await startAndExpectExit({
      cwd: dir,
      env: baseEnv(dir),
      args: ['--config', config],
    });
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain(`baton: Invalid ${config}:`);
    expect(exit.stderr.map((line) => line.trim())).toContainEqual(
      expect.stringMatching(/^server\.prot: unknown key \(.*unknown keys are refused/),
    );
  });

  it('a value in .env is read, and the real environment wins over it', async () => {
    const dir = workDir('dotenv');
    writeFileSync(join(dir, '.env'), 'PORT=not-a-port\nLOG_LEVEL=loud\n');
    const exit = await startAndExpectExit({
      cwd: dir,
      env: { ...baseEnv(dir), PORT: '3999' },
    });
    expect(exit.code).toBe(1);
    expect(exit.stderr[0]).toBe(
      `Environment: read ${join(dir, '.env')} (variables set in the environment win over it)`,
    );
    // PORT came from the real environment; LOG_LEVEL only from the file.
    expect(exit.stderr.at(-1)).toMatch(
      /^baton: Invalid environment: LOG_LEVEL: expected one of .*got "loud"/,
    );
  });
});

// These reach the store, the queue and the sandbox pool first, which takes seconds (each on a
// database of its own). What is bounded is the exit once the failure or the signal is there.
describe('baton start past the store', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it.each([
    [
      'a database that does not exist',
      'postgresql://postgres@127.0.0.1:5432/baton_no_such_database',
      /database "baton_no_such_database" does not exist.*check DATABASE_URL/,
    ],
  ])('%s', async (name, url, line) => {
    const dir = workDir(name.replaceAll(' ', '-'));
    const exit = await startAndExpectExit({
      cwd: dir,
      env: { ...baseEnv(dir), DATABASE_URL: url, PORT: '0' },
    });
    expect(exit.code).toBe(1);
    expect(exit.stderr.at(-1)).toMatch(line);
  });

  it('a failure after the store opened (Slack refuses the bot token): closes everything, no worker ever starts', async () => {
    const slack = await startFakeSlack();
    cleanups.push(() => slack.close());
    const dir = workDir('slack-refused');
    // On a Postgres server: the embedded database's first start alone takes seconds on a busy machine.
    const database = await createFreshDatabase();
    cleanups.push(() => database.drop());
    const exit = await startAndExpectExit({
      cwd: dir,
      env: {
        ...baseEnv(dir),
        DATABASE_URL: database.url,
        PORT: '0',
        SLACK_API_URL: slack.apiUrl,
        SLACK_BOT_TOKEN: 'xoxb-not-the-right-token',
        SLACK_SIGNING_SECRET: slack.signingSecret,
      },
    });
    // Here the store, the queue and the sandbox pool were open: the process exits only if they close.
    expect(exit.code).toBe(1);
    expect(exit.stderr.at(-1)).toMatch(
      /^baton: Slack refused the bot token: .*invalid_auth.*SLACK_BOT_TOKEN/,
    );
    expect(exit.stderr.join('\n')).not.toContain('Worker: on');
  });
  it('stops when npm exec, which does not pass SIGTERM on, is terminated', async () => {
    const dir = workDir('npx');
    const database = await createFreshDatabase();
    // npm exec runs the bin through `sh -c`; the server is a grandchild of this test.
    const npx = spawn('npx', ['--no-install', 'baton', 'start'], {
      cwd: root,
      env: { ...baseEnv(dir), DATABASE_URL: database.url, PORT: '0', npm_config_update_notifier: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let serverPid: number | undefined;
    npx.stdout?.on('data', (chunk: Buffer) => {
      serverPid ??= Number(/"pid":(\d+)/.exec(chunk.toString())?.[1]) || undefined;
    });
    // The pipe closes only when every process holding it (npm, sh and the server) has exited.
    const closed = new Promise<void>((resolve) => npx.stderr?.once('close', () => resolve()));
    const running = new Promise<void>((resolve) => {
      npx.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('Baton is running (all).')) resolve();
      });
    });
    await Promise.race([running, closed]);
    expect(stderr).toContain('Baton is running (all).');

    npx.kill('SIGTERM');
    const outcome = await Promise.race([
      closed.then(() => 'exited' as const),
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 15_000)),
    ]);
    if (outcome !== 'exited' && serverPid) process.kill(serverPid, 'SIGKILL');
    await database.drop();
    expect(outcome, stderr).toBe('exited');
    expect(stderr).toContain('Baton is stopping (the process that started it ended)...');
  });

  it('a SIGTERM before it is up lets the start finish, then stops cleanly with exit code 0', async () => {
    const dir = workDir('sigterm-at-start');
    const database = await createFreshDatabase();
    const child = spawn(process.execPath, [executable, 'start'], {
      cwd: dir,
      env: { ...baseEnv(dir), DATABASE_URL: database.url, PORT: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let signalled = false;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // The gateway announces the front doors while it is being put together, before it listens
      // and before the worker starts.
      if (!signalled && stderr.includes('Linear webhooks are off')) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    const code = await exited;
    clearTimeout(timer);
    await database.drop();
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('Baton is stopping (SIGTERM)...');
  });
});
