import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BatonServer, type ServerRole, startServer } from '../../src/app/compose-server.ts';
import { readEnvironment } from '../../src/app/environment.ts';
import { type ConfigInput, parseConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { startFakeGitHub } from '../fakes/github-server.ts';
import { startFakeLinear } from '../fakes/linear-server.ts';
import { startFakeOpenAI } from '../fakes/openai-server.ts';
import { appMentionEvent, startFakeSlack } from '../fakes/slack-server.ts';
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
  logLines(): string[];
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
    ...options.config,
  });
  const env: Record<string, string | undefined> = {
    ...HOST_SECRETS,
    PATH: process.env.PATH,
    OPENAI_BASE_URL: model.baseUrl,
    BATON_DATA_DIR: dataDir,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
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
  const log = createLogger({
    level: 'debug',
    secrets: Object.values(HOST_SECRETS),
    destination: pino.destination({ dest: logPath, sync: true }),
  });
  const server = await startServer({
    config,
    configDir: data.path,
    cwd: data.path,
    environment: readEnvironment(env),
    role: options.role ?? 'all',
    log,
    announce: () => undefined,
  });
  const base = `http://127.0.0.1:${server.port}`;
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
    logLines() {
      return readFileSync(logPath, 'utf8').split('\n').filter(Boolean);
    },
    async close() {
      await server.stop();
      await model.close();
      await slack.close();
      await github?.close();
      await linear?.close();
      repo?.cleanup();
      data.cleanup();
    },
  };
}
