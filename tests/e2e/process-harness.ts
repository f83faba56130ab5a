import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ServerRole } from '../../src/app/compose-server.ts';
import type { ConfigInput } from '../../src/config/index.ts';
import type { RunSummary } from '../../src/dashboard/render.ts';
import type { Item } from '../../src/runs/items.ts';
import { createPostgresClient } from '../../src/store/index.ts';
import type { FakeGitHub } from '../fakes/github-server.ts';
import type { FakeOpenAI } from '../fakes/openai-server.ts';
import { appMentionEvent, type FakeSlack } from '../fakes/slack-server.ts';
import { CHANNEL, HOST_SECRETS, USER, waitFor } from './server-harness.ts';

const entry = join(import.meta.dirname, '../fixtures/baton-process.ts');
const serverUrl = process.env.BATON_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** One `baton start` child process (tests/fixtures/baton-process.ts). */
export interface BatonProcess {
  child: ChildProcess;
  pid: number;
  /** The gateway's port, when the process serves HTTP. */
  port?: number;
  /** A worker-only process's /metrics and /healthz port. */
  workerPort?: number;
  /** The worker id it claims turns under, as `baton start` names it: `hostname:pid`. */
  workerId: string;
  dataDir: string;
  exited: Promise<void>;
  /** SIGKILL: no cleanup, no goodbye. */
  crash(): Promise<void>;
  /** SIGTERM and wait (bounded; SIGKILL after it). */
  stop(): Promise<void>;
}

export interface BatonProcessOptions {
  role: ServerRole;
  dataDir: string;
  config: ConfigInput;
  model: FakeOpenAI;
  slack: FakeSlack;
  databaseUrl?: string;
  /** A fake GitHub the repositories live on (the App's id and key go in the environment). */
  github?: FakeGitHub;
}

/** Starts `baton start --role <role>` in a child process and waits until it is ready. */
export async function spawnBaton(options: BatonProcessOptions): Promise<BatonProcess> {
  mkdirSync(options.dataDir, { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...HOST_SECRETS,
      OPENAI_BASE_URL: options.model.baseUrl,
      SLACK_BOT_TOKEN: options.slack.botToken,
      SLACK_SIGNING_SECRET: options.slack.signingSecret,
      SLACK_API_URL: options.slack.apiUrl,
      BATON_DATA_DIR: options.dataDir,
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...(options.github
        ? {
            GITHUB_API_URL: options.github.apiUrl,
            GITHUB_APP_ID: String(options.github.appId),
            GITHUB_APP_PRIVATE_KEY: options.github.privateKeyPem,
          }
        : {}),
      BATON_TEST_ROLE: options.role,
      BATON_TEST_CONFIG: JSON.stringify(options.config),
      BATON_TEST_LOG: join(options.dataDir, 'baton.log'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ pid: number; port?: number; workerPort?: number }>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const event = JSON.parse(line) as { event: string; pid: number; port?: number; workerPort?: number };
        if (event.event === 'ready') resolve(event);
      }
    });
    void exited.then(() =>
      reject(new Error(`baton (${options.role}) exited before it was ready: ${stderr}`)),
    );
  });
  const stop = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    child,
    pid: ready.pid,
    port: ready.port,
    workerPort: ready.workerPort,
    workerId: `${hostname()}:${ready.pid}`,
    dataDir: options.dataDir,
    exited,
    crash: () => stop('SIGKILL'),
    async stop() {
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await stop('SIGTERM');
      clearTimeout(timer);
    },
  };
}

/** A database of its own on the test server (the queue's pg-boss schema included), dropped by `drop`. */
export async function createFreshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = createPostgresClient({ connectionString: serverUrl, maxConnections: 1 });
  const name = `baton_e2e_${randomUUID().replaceAll('-', '')}`;
  await admin.exec(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}

/** Posts a message in the channel and delivers its signed app_mention to the gateway. */
export async function mention(
  slack: FakeSlack,
  gatewayPort: number,
  text: string,
): Promise<{ ts: string; status: number }> {
  const message = slack.userSays({ channel: CHANNEL, user: USER, text: `<@${slack.botUserId}> ${text}` });
  const event = appMentionEvent({
    user: USER,
    text: message.text ?? '',
    channel: CHANNEL,
    ts: message.ts,
    team: slack.teamId,
  });
  const delivered = await slack.deliverEvent(`http://127.0.0.1:${gatewayPort}/slack/events`, event);
  return { ts: message.ts, status: delivered.status };
}

/** One run and its items, from the gateway's dashboard API. */
export async function fetchRun(
  gatewayPort: number,
  turnId?: string,
): Promise<RunSummary & { items: Item[] }> {
  const base = `http://127.0.0.1:${gatewayPort}`;
  const getJson = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${base}${path}`);
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  const id = turnId ?? (await getJson<{ runs: RunSummary[] }>('/api/runs')).runs[0]?.turn.id;
  if (!id) throw new Error('the dashboard lists no run');
  return getJson(`/api/runs/${encodeURIComponent(id)}`);
}

/** Waits until the model has received `count` requests (the last one may still be unanswered). */
export function modelRequestsReached(model: FakeOpenAI, count: number, timeoutMs = 60_000) {
  return waitFor(`model request ${count}`, () => model.modelRequests().length >= count, timeoutMs);
}
