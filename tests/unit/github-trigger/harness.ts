import { Octokit } from '@octokit/rest';
import { type Config, configSchema } from '../../../src/config/schema.ts';
import { createGateway, createRouteTable, type Gateway } from '../../../src/gateway/index.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { createBatonMetrics } from '../../../src/observability/metrics.ts';
import { createIntake, type Intake } from '../../../src/runs/intake.ts';
import { threadBranch } from '../../../src/runs/run-turn.ts';
import { openStore } from '../../../src/store/open-store.ts';
import type { SqlClient } from '../../../src/store/sql-client.ts';
import { getThreadByBranch } from '../../../src/store/thread-by-branch.ts';
import type { Store } from '../../../src/store/types.ts';
import type { SubmitResult, SubmittedRequest } from '../../../src/triggers/github/index.ts';
import { createGitHubWebhookHandler } from '../../../src/triggers/github/index.ts';
import { type FakeGitHub, startFakeGitHub } from '../../fakes/github-server.ts';
import { deliverWebhook } from '../../fakes/github-webhooks.ts';

export const REPO = 'acme/widgets';
export const SECRET = 'webhook-secret-for-tests';
export const SLACK_THREAD_KEY = 'slack:T1:C1:1700000000.000100';
export const RECEIVED_AT = '2030-01-02T03:04:05.000Z';

/**
 * S2's real intake (dedupe claimed atomically in the store, then thread and turn), wrapped to
 * record what the trigger submitted and what the intake answered.
 */
export function createRecordingIntake(intake: Intake) {
  const submitted: SubmittedRequest[] = [];
  const results: SubmitResult[] = [];
  return {
    submitted,
    results,
    async submit(request: SubmittedRequest): Promise<SubmitResult> {
      const result = await intake.submit(request);
      results.push(result);
      if (result.type !== 'duplicate') submitted.push(request);
      return result;
    },
    cancel: intake.cancel,
  };
}

export interface TriggerHarness {
  github: FakeGitHub;
  store: Store;
  sql: SqlClient;
  config: Config;
  intake: ReturnType<typeof createRecordingIntake>;
  afterSubmitted: SubmittedRequest[];
  /** The Baton branch the Slack thread owns, with an open PR. */
  batonBranch: string;
  batonPull: number;
  /** A person's PR on an ordinary branch. */
  otherPull: number;
  url: string;
  octokitFor: (repo: string) => Octokit;
  deliver(
    event: string,
    payload: unknown,
    options?: Parameters<typeof deliverWebhook>[3],
  ): ReturnType<typeof deliverWebhook>;
  /** REST requests the handler made to GitHub since the last call. */
  takeGitHubRequests(): { method: string; path: string }[];
  close(): Promise<void>;
}

export async function startTriggerHarness(
  options: { secret?: string | undefined } = {},
): Promise<TriggerHarness> {
  const github = await startFakeGitHub();
  github.createRepo({ owner: 'acme', name: 'widgets', files: { 'src/widget.ts': 'export const a = 1;\n' } });
  const token = github.createPersonalToken();
  const octokitFor = () => new Octokit({ baseUrl: github.apiUrl, auth: token });
  for (const [login, level] of [
    ['alice', 'write'],
    ['adam', 'admin'],
    ['maya', 'maintain'],
    ['rita', 'read'],
    ['tom', 'triage'],
  ] as const) {
    github.setPermission(REPO, login, level);
  }

  const config = configSchema.parse({ repos: [{ name: REPO, url: github.gitUrl(REPO) }] });
  const batonBranch = threadBranch(config.git.branchPrefix, SLACK_THREAD_KEY);
  github.commitFiles(REPO, { branch: batonBranch, files: { 'src/widget.ts': 'export const alpha = 1;\n' } });
  const batonPull = github.addPullRequest(REPO, {
    head: batonBranch,
    title: 'Rename a',
    user: 'baton[bot]',
  }).number;
  github.commitFiles(REPO, { branch: 'feature/manual', files: { 'docs.md': 'hello\n' } });
  const otherPull = github.addPullRequest(REPO, {
    head: 'feature/manual',
    title: 'Docs',
    user: 'alice',
  }).number;

  const { store, sql } = await openStore();
  await store.upsertThread({
    key: SLACK_THREAD_KEY,
    origin: { kind: 'slack', teamId: 'T1', channelId: 'C1', threadTs: '1700000000.000100' },
    repo: REPO,
    branch: batonBranch,
  });

  const queued: string[] = [];
  const intake = createRecordingIntake(
    createIntake({
      store,
      queue: { send: async (turnId) => void queued.push(turnId) },
      config: config.runs,
      branchPrefix: config.git.branchPrefix,
      log: createSilentLogger(),
    }),
  );
  const afterSubmitted: SubmittedRequest[] = [];
  const routes = createRouteTable();
  routes.register(
    '/webhooks/github',
    createGitHubWebhookHandler({
      secret: 'secret' in options ? options.secret : SECRET,
      config,
      intake,
      store: { getThreadByBranch: (branch) => getThreadByBranch(sql, branch) },
      octokitFor,
      log: createSilentLogger(),
      clock: () => new Date(RECEIVED_AT),
      afterSubmit: (request) => {
        afterSubmitted.push(request);
      },
    }),
  );
  const gateway: Gateway = createGateway({
    port: 0,
    host: '127.0.0.1',
    log: createSilentLogger(),
    routes,
    readiness: {},
    metrics: createBatonMetrics(),
  });
  const port = await gateway.start();
  const url = `http://127.0.0.1:${port}/webhooks/github`;
  let seen = github.requests.length;

  return {
    github,
    store,
    sql,
    config,
    intake,
    afterSubmitted,
    batonBranch,
    batonPull,
    otherPull,
    url,
    octokitFor,
    deliver: (event, payload, deliverOptions = { secret: SECRET }) =>
      deliverWebhook(url, event, payload, deliverOptions),
    takeGitHubRequests() {
      const fresh = github.requests.slice(seen).filter((request) => request.kind === 'rest');
      seen = github.requests.length;
      return fresh.map((request) => ({ method: request.method, path: request.path }));
    },
    async close() {
      await gateway.stop({ graceMs: 0 });
      await store.close();
      await github.close();
    },
  };
}
