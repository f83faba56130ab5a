import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SlackEvent } from '@slack/types';
import { type BatonServer, type ServerRole, startServer } from '../../src/app/compose-server.ts';
import { createSecretRegistryFromEnvironment, readEnvironment } from '../../src/app/environment.ts';
import type { StartedTelemetry } from '../../src/app/telemetry.ts';
import { type ConfigInput, parseConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/observability/logger.ts';
import type { Item } from '../../src/runs/items.ts';
import type { RunSummary } from '../../src/store/run-queries.ts';
import { startFakeGitHub } from '../fakes/github-server.ts';
import { startFakeLinear } from '../fakes/linear-server.ts';
import { startFakeOpenAI } from '../fakes/openai-server.ts';
import { appMentionEvent, buttonActionPayload, messageEvent, startFakeSlack } from '../fakes/slack-server.ts';
import { createFixtureRepo, createTempDir, type FixtureRepo } from '../fixtures/git-repo.ts';
import { calculatorProject } from '../fixtures/projects/calculator.ts';

export const REPO = 'acme/calculator';
export const CHANNEL = 'C0BATON';
export const USER = 'U0ANA';
export const GITHUB_WEBHOOK_SECRET = 'github-webhook-secret-0123456789';

/** Host secrets that must never reach the sandbox, a log line, a message or a PR. */
export const HOST_SECRETS = {
  OPENAI_API_KEY: 'sk-test-host-openai-key-0123456789abcdef',
  GITHUB_TOKEN_UNUSED: 'ghp_hostgithubtoken0123456789abcdefABCDEF',
};

export interface ServerHarness {
  model: Awaited<ReturnType<typeof startFakeOpenAI>>;
  slack: Awaited<ReturnType<typeof startFakeSlack>>;
  github?: Awaited<ReturnType<typeof startFakeGitHub>>;
  linear?: Awaited<ReturnType<typeof startFakeLinear>>;
  /** The local repository when the repo is not on the fake GitHub. */
  repo?: FixtureRepo;
  server: BatonServer;
  url(path: string): string;
  env: Record<string, string | undefined>;
  dataDir: string;
  /** Posts a message in the channel as the user and delivers the signed app_mention for it. */
  mention(
    text: string,
    options?: { user?: string; threadTs?: string },
  ): Promise<{ ts: string; status: number }>;
  /** Messages Baton posted in a thread (the status message and replies). */
  botMessages(threadTs: string): { ts: string; text: string; edits: number }[];
  /**
   * Delivers one event as Slack would in the harness's mode: a signed POST to /slack/events (`status`
   * is the HTTP answer; `retryNum` sets `X-Slack-Retry-Num`), or an envelope over the Socket Mode
   * connection (resolves once the app acked it; `status` is then undefined).
   */
  deliver(
    event: SlackEvent,
    options?: { eventId?: string; retryNum?: number },
  ): Promise<{ status: number | undefined; eventId: string }>;
  /** A person replies in a thread without mentioning Baton: the message in the fake, then its `message` event. */
  threadReply(
    threadTs: string,
    text: string,
    options?: { user?: string },
  ): Promise<{ ts: string; status: number | undefined }>;
  /** Presses Cancel on the thread's status message (its button carries the turn id). */
  pressCancel(threadTs: string, options?: { user?: string }): Promise<{ turnId: string; status?: number }>;
  /** The runs the dashboard API lists, newest first. */
  runs(): Promise<RunSummary[]>;
  /** One run and its items, from the dashboard API. */
  run(turnId: string): Promise<RunSummary & { items: Item[] }>;
  logLines(): string[];
  /** Stops Baton (the store closes, so the database files are complete) and leaves the fakes and data up. */
  stopServer(): Promise<void>;
  close(): Promise<void>;
}

/** Polls until the condition holds; fails with `what` after the bound. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The whole product in-process: `baton start --role all` wired to loopback fakes of Slack, OpenAI
 * and (optionally) GitHub and Linear, on a throwaway data directory with the embedded database.
 */
export async function createServerHarness(
  options: {
    config?: ConfigInput;
    github?: boolean;
    linear?: boolean;
    role?: ServerRole;
    extraEnv?: Record<string, string>;
    /** `socket`: only the app-level token (no signing secret), so Slack events arrive over Socket Mode. */
    slackMode?: 'http' | 'socket';
    telemetry?: StartedTelemetry;
  } = {},
): Promise<ServerHarness> {
  const model = await startFakeOpenAI();
  const slack = await startFakeSlack();
  const github = options.github ? await startFakeGitHub() : undefined;
  const linear = options.linear ? await startFakeLinear() : undefined;
  const data = createTempDir('baton-server-');
  const dataDir = join(data.path, 'data');
  mkdirSync(dataDir, { recursive: true });
  let repo: FixtureRepo | undefined;
  let repoUrl: string;
  if (github) {
    await github.createRepo({ owner: 'acme', name: 'calculator', files: calculatorProject });
    repoUrl = github.gitUrl(REPO);
  } else {
    repo = createFixtureRepo(calculatorProject);
    repoUrl = repo.path;
  }
  const config = parseConfig({
    model: { name: 'gpt-test', prices: { 'gpt-test': { inputPerMillion: 2, outputPerMillion: 8 } } },
    repos: [{ name: REPO, url: repoUrl }],
    server: { port: 0, host: '127.0.0.1', publicBaseUrl: 'https://baton.example.test' },
    // GitHub's waits in milliseconds instead of seconds, and no pacing: the fake has no limits.
    github: { retryUnitMs: 1, writeIntervalMs: 0 },
    ...options.config,
  });
  const env: Record<string, string | undefined> = {
    ...HOST_SECRETS,
    PATH: process.env.PATH,
    OPENAI_BASE_URL: model.baseUrl,
    BATON_DATA_DIR: dataDir,
    SLACK_BOT_TOKEN: slack.botToken,
    ...(options.slackMode === 'socket'
      ? { SLACK_APP_TOKEN: slack.appToken }
      : { SLACK_SIGNING_SECRET: slack.signingSecret }),
    SLACK_API_URL: slack.apiUrl,
    ...(github
      ? {
          GITHUB_API_URL: github.apiUrl,
          GITHUB_APP_ID: String(github.appId),
          GITHUB_APP_PRIVATE_KEY: github.privateKeyPem,
          GITHUB_WEBHOOK_SECRET,
        }
      : {}),
    ...(linear
      ? {
          LINEAR_API_KEY: linear.apiKey,
          LINEAR_API_URL: linear.apiUrl,
          LINEAR_WEBHOOK_SECRET: linear.webhookSecret,
        }
      : {}),
    ...options.extraEnv,
  };
  const logPath = join(data.path, 'baton.log');
  const { pino } = await import('pino');
  const environment = readEnvironment(env);
  // As `baton start` does: one registry for the logger and everything the server masks.
  const secrets = createSecretRegistryFromEnvironment(environment, config);
  const log = createLogger({
    level: 'debug',
    secrets,
    destination: pino.destination({ dest: logPath, sync: true }),
  });
  const server = await startServer({
    config,
    configDir: data.path,
    cwd: data.path,
    environment,
    role: options.role ?? 'all',
    log,
    secrets,
    announce: () => undefined,
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
  });
  const base = `http://127.0.0.1:${server.port}`;
  let stopping: Promise<void> | undefined;
  const stopServer = () => {
    stopping ??= server.stop();
    return stopping;
  };
  const socket = options.slackMode === 'socket';
  if (socket) await waitFor('the Socket Mode connection', () => slack.socketConnectionCount() === 1, 10_000);
  const deliver: ServerHarness['deliver'] = async (event, deliveryOptions = {}) => {
    const envelope = slack.envelope(
      event,
      deliveryOptions.eventId ? { eventId: deliveryOptions.eventId } : {},
    );
    if (socket) {
      await slack.socketDeliver(
        envelope,
        deliveryOptions.retryNum !== undefined
          ? { retryAttempt: deliveryOptions.retryNum, retryReason: 'timeout' }
          : {},
      );
      return { status: undefined, eventId: envelope.event_id };
    }
    const delivered = await slack.deliverEvent(
      `${base}/slack/events`,
      envelope,
      deliveryOptions.retryNum !== undefined
        ? { retryNum: deliveryOptions.retryNum, retryReason: 'http_timeout' }
        : {},
    );
    return { status: delivered.status, eventId: envelope.event_id };
  };
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${base}${path}`);
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    model,
    slack,
    github,
    linear,
    repo,
    server,
    env,
    dataDir,
    url: (path) => `${base}${path}`,
    async mention(text, mentionOptions = {}) {
      const user = mentionOptions.user ?? USER;
      const message = slack.userSays({
        channel: CHANNEL,
        user,
        text: `<@${slack.botUserId}> ${text}`,
        threadTs: mentionOptions.threadTs,
      });
      const event = appMentionEvent({
        user,
        text: message.text ?? '',
        channel: CHANNEL,
        ts: message.ts,
        threadTs: mentionOptions.threadTs,
        team: slack.teamId,
      });
      const delivered = await slack.deliverEvent(`${base}/slack/events`, event);
      return { ts: message.ts, status: delivered.status };
    },
    botMessages(threadTs) {
      return slack
        .messages(CHANNEL)
        .filter(
          (message) => message.user === slack.botUserId && (message.thread_ts ?? message.ts) === threadTs,
        )
        .map((message) => ({
          ts: message.ts,
          text: `${message.text ?? ''} ${JSON.stringify(message.blocks ?? [])}`,
          edits: message.edits.length,
        }));
    },
    deliver,
    async threadReply(threadTs, text, replyOptions = {}) {
      const user = replyOptions.user ?? USER;
      const message = slack.userSays({ channel: CHANNEL, user, text, threadTs });
      const delivered = await deliver(
        messageEvent({ user, text, channel: CHANNEL, ts: message.ts, threadTs, team: slack.teamId }),
      );
      return { ts: message.ts, status: delivered.status };
    },
    async pressCancel(threadTs, pressOptions = {}) {
      const found = slack
        .thread(CHANNEL, threadTs)
        .filter((message) => message.user === slack.botUserId)
        .map((message) => ({ ts: message.ts, turnId: cancelButtonValue(message.blocks) }))
        .find((candidate) => candidate.turnId !== undefined);
      if (!found?.turnId) throw new Error(`no Cancel button in thread ${threadTs}`);
      const payload = buttonActionPayload({
        actionId: 'baton_cancel',
        value: found.turnId,
        user: pressOptions.user ?? USER,
        channel: CHANNEL,
        messageTs: found.ts,
        threadTs,
        team: slack.teamId,
      });
      if (socket) {
        await slack.socketSend({ type: 'interactive', payload });
        return { turnId: found.turnId };
      }
      const delivered = await slack.deliverAction(`${base}/slack/events`, payload);
      return { turnId: found.turnId, status: delivered.status };
    },
    async runs() {
      return (await api<{ runs: RunSummary[] }>('/api/runs')).runs;
    },
    run: (turnId) => api(`/api/runs/${encodeURIComponent(turnId)}`),
    logLines() {
      return readFileSync(logPath, 'utf8').split('\n').filter(Boolean);
    },
    stopServer,
    async close() {
      await stopServer();
      // Bolt's app.stop() does not wait for the socket to close; closing the fake first would make it reconnect.
      if (socket) await waitFor('the socket to close', () => slack.socketConnectionCount() === 0, 10_000);
      await model.close();
      await slack.close();
      await github?.close();
      await linear?.close();
      repo?.cleanup();
      data.cleanup();
    },
  };
}

/** The turn id on a status message's Cancel button (action_id `baton_cancel`), if it has one. */
function cancelButtonValue(blocks: unknown[] | undefined): string | undefined {
  for (const block of blocks ?? []) {
    const elements = (block as { elements?: unknown }).elements;
    if (!Array.isArray(elements)) continue;
    for (const element of elements as { action_id?: unknown; value?: unknown }[]) {
      if (element.action_id === 'baton_cancel' && typeof element.value === 'string') return element.value;
    }
  }
  return undefined;
}
