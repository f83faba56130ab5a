import type { Config } from '../config/schema.ts';
import { createGateway, createRouteTable, type Gateway } from '../gateway/index.ts';
import { describeError } from '../observability/errors.ts';
import { instrumentIntake } from '../observability/instrument-dispatch.ts';
import type { Telemetry } from '../observability/instrument-turn.ts';
import type { Logger } from '../observability/logger.ts';
import { createBatonMetrics } from '../observability/metrics.ts';
import { type KnownSecrets, redactSecrets } from '../observability/redact.ts';
import { defaultTracer } from '../observability/tracing.ts';
import { createIntake, type Intake, type SubmitResult } from '../runs/intake.ts';
import { createKnownThreads } from '../runs/known-threads.ts';
import type { TurnQueue } from '../runs/queue.ts';
import type { QueuedRequest } from '../runs/queued-request.ts';
import type { SqlClient } from '../store/sql-client.ts';
import { getThreadByBranch } from '../store/thread-by-branch.ts';
import type { Store } from '../store/types.ts';
import { createGitHubWebhookHandler } from '../triggers/github/index.ts';
import { createLinearWebhookHandler } from '../triggers/linear/index.ts';
import {
  createSlackTrigger,
  describeSlackSetup,
  SLACK_EVENTS_PATH,
  type SlackTrigger,
  slackModeOf,
} from '../triggers/slack/index.ts';
import { composeDashboard } from './compose-dashboard.ts';
import type { Integrations } from './compose-integrations.ts';
import type { Environment } from './environment.ts';
import type { createReporterFactory } from './reporter-factory.ts';

export interface GatewayCompositionOptions {
  config: Config;
  environment: Environment;
  /** Where the worker keeps repository mirrors: the dashboard's diffs read them. */
  dataDir: string;
  store: Store;
  sql: SqlClient;
  queue: TurnQueue;
  integrations: Integrations;
  reporterFor: ReturnType<typeof createReporterFactory>;
  secrets: KnownSecrets;
  log: Logger;
  /** Also shown on stdout at start: what is on and what to set for what is off. */
  announce: (line: string) => void;
  telemetry?: Telemetry;
}

export interface GatewayComposition {
  gateway: Gateway;
  intake: Intake;
  slack?: SlackTrigger;
}

/** The gateway role: one HTTP server with every front door, the dashboard, health and metrics. */
export function composeGateway(options: GatewayCompositionOptions): GatewayComposition {
  const { config, environment, store, log } = options;
  const { secrets } = environment;
  const telemetry = options.telemetry ?? { tracer: defaultTracer(), metrics: createBatonMetrics() };
  const { metrics } = telemetry;
  const routes = createRouteTable();
  // Channel chatter in threads Baton does not own is answered from memory, with no statement.
  const knownThreads = createKnownThreads({
    sql: options.sql,
    authoritative: options.sql.kind === 'pglite',
    prefix: 'slack:',
  });
  const intake = knownThreads.wrap(
    instrumentIntake(
      createIntake({
        store,
        queue: options.queue,
        config: config.runs,
        branchPrefix: config.git.branchPrefix,
        log,
      }),
      telemetry,
    ),
  );

  /** After the ack: the requester sees at once that Baton has the request (👀 and a status message). */
  const afterSubmit = (request: QueuedRequest, result: Exclude<SubmitResult, { type: 'duplicate' }>) => {
    if (result.type !== 'queued') return;
    const reporter = options.reporterFor(request, result.turnId);
    reporter.acknowledge?.({ position: result.position }).catch((error: unknown) => {
      log.warn({ turnId: result.turnId, error: describeError(error) }, 'acknowledge failed');
    });
  };

  let slack: SlackTrigger | undefined;
  const mode = slackModeOf(secrets);
  if (mode && secrets.slackBotToken) {
    slack = createSlackTrigger({
      config,
      botToken: secrets.slackBotToken,
      signingSecret: secrets.slackSigningSecret,
      appToken: secrets.slackAppToken,
      apiUrl: environment.slackApiUrl,
      intake,
      store: knownThreads,
      log: log.child({ component: 'slack-trigger' }),
      metrics,
      afterSubmit,
    });
    if (slack.requestListener) {
      const listener = slack.requestListener;
      routes.register(SLACK_EVENTS_PATH, (request, response) => listener(request, response));
    }
    options.announce(
      `Slack: on (${mode === 'http' ? `HTTP events at ${SLACK_EVENTS_PATH}` : 'Socket Mode'})`,
    );
  } else {
    options.announce(describeSlackSetup(secrets));
  }

  const github = options.integrations.github;
  if (github && secrets.githubWebhookSecret) {
    routes.register(
      '/webhooks/github',
      createGitHubWebhookHandler({
        secret: secrets.githubWebhookSecret,
        config,
        intake,
        store: { getThreadByBranch: (branch) => getThreadByBranch(options.sql, branch) },
        octokitFor: github.client.octokitFor,
        log: log.child({ component: 'github-webhook' }),
        afterSubmit,
      }),
    );
    options.announce('GitHub: webhooks on at /webhooks/github');
  } else {
    options.announce(
      'GitHub webhooks are off: set GITHUB_WEBHOOK_SECRET and GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY (or GITHUB_TOKEN).',
    );
  }

  const linear = options.integrations.linear;
  if (linear && secrets.linearWebhookSecret) {
    routes.register(
      '/webhooks/linear',
      createLinearWebhookHandler({
        secret: secrets.linearWebhookSecret,
        config,
        intake: { submit: intake.submit, cancel: (target, by) => intake.cancel(target, by.id) },
        log: log.child({ component: 'linear-webhook' }),
        afterSubmit: async ({ request, result, agentSessionId }) => {
          if (agentSessionId) {
            await linear
              .agentActivity(agentSessionId, { type: 'thought', body: 'On it: the run is queued.' })
              .catch((error: unknown) =>
                log.warn({ error: describeError(error) }, 'first agent activity failed'),
              );
          }
          if (result.type !== 'duplicate') afterSubmit(request, result);
        },
        askForRepo: async (issueId, repos, context) => {
          const body = context.unknownRepo
            ? `${context.unknownRepo} is not configured for Baton. Configured repositories: ${repos.join(', ')}. Reply with repo:owner/name.`
            : `Which repository should Baton work in? Reply with repo:owner/name — one of: ${repos.join(', ')}.`;
          await linear.comment(issueId, body);
        },
      }),
    );
    options.announce('Linear: webhooks on at /webhooks/linear');
  } else {
    options.announce('Linear webhooks are off: set LINEAR_API_KEY and LINEAR_WEBHOOK_SECRET.');
  }

  composeDashboard(routes, {
    config,
    environment,
    dataDir: options.dataDir,
    store,
    sql: options.sql,
    integrations: options.integrations,
    intake,
    afterSubmit,
    redact: (text) => redactSecrets(text, options.secrets),
    log,
    announce: options.announce,
  });
  routes.register('/', (_request, response) => {
    response.writeHead(302, { location: '/runs' });
    response.end();
  });

  const gateway = createGateway({
    port: environment.port ?? config.server.port,
    host: config.server.host,
    log: log.child({ component: 'gateway' }),
    routes,
    readiness: {
      store: () => options.sql.query('SELECT 1'),
      queue: async () => {
        if (!(await options.queue.ready())) throw new Error('the queue is not ready');
      },
    },
    metrics,
    tracer: telemetry.tracer,
  });
  return { gateway, intake, slack };
}
