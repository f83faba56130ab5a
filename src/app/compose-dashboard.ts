import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.ts';
import { createDashboardAuth, type SignInMethod } from '../dashboard/auth/dashboard-auth.ts';
import { createSlackOidc } from '../dashboard/auth/slack-oidc.ts';
import { createBranchDiff } from '../dashboard/branch-diff.ts';
import { createPullRequestState } from '../dashboard/pull-request-state.ts';
import type { OriginLink } from '../dashboard/render-run.ts';
import { createDashboardRoutes, type DashboardOptions } from '../dashboard/routes.ts';
import type { RouteTable } from '../gateway/route-table.ts';
import { BatonError } from '../observability/errors.ts';
import type { Logger } from '../observability/logger.ts';
import { dataLayout } from '../repo-cache/index.ts';
import { queuedRequestOf } from '../runs/queued-request.ts';
import { createRunQueries, type RunSummary } from '../store/run-queries.ts';
import type { SqlClient } from '../store/sql-client.ts';
import type { Store } from '../store/types.ts';
import type { Integrations } from './compose-integrations.ts';
import type { Environment } from './environment.ts';
import { originLink } from './origin-link.ts';

/** Which sign-in the settings ask for, checked: a chosen method without its credentials is a start-up error. */
export function dashboardSignIn(config: Config, environment: Environment): SignInMethod {
  const { secrets } = environment;
  const slack =
    environment.slackClientId && secrets.slackClientSecret
      ? ({
          type: 'slack',
          oidc: createSlackOidc({
            clientId: environment.slackClientId,
            clientSecret: secrets.slackClientSecret,
            authorizeUrl: config.dashboard.slackAuthorizeUrl,
            apiUrl: config.dashboard.slackApiUrl ?? environment.slackApiUrl,
          }),
          allowedTeams: config.slack.allowedTeams,
        } as const)
      : undefined;
  const token = secrets.dashboardToken
    ? ({ type: 'token', token: secrets.dashboardToken } as const)
    : undefined;
  const missing = (what: string) =>
    new BatonError({
      code: 'config_dashboard_auth_incomplete',
      message: `server.dashboardAuth is ${config.server.dashboardAuth} but ${what} is not set`,
      hint: 'set it in the environment, or choose another server.dashboardAuth (auto picks what is configured)',
    });
  // With the host's network shared, a sandboxed command reaches 127.0.0.1 too: loopback is no boundary.
  const loopback = (): SignInMethod => {
    if (config.sandbox.network === 'on')
      throw new BatonError({
        code: 'config_dashboard_auth_incomplete',
        message:
          'the dashboard has no sign-in, and sandbox.network is on, so sandboxed commands could reach it on loopback',
        hint: 'set DASHBOARD_TOKEN, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, or server.dashboardAuth: proxy',
      });
    return { type: 'loopback' };
  };
  switch (config.server.dashboardAuth) {
    case 'auto':
      return slack ?? token ?? loopback();
    case 'slack':
      if (!slack) throw missing('SLACK_CLIENT_ID and SLACK_CLIENT_SECRET');
      return slack;
    case 'token':
      if (!token) throw missing('DASHBOARD_TOKEN');
      return token;
    case 'proxy':
      return {
        type: 'proxy',
        header: config.server.dashboardProxyHeader,
        trustedProxies: config.dashboard.trustedProxies,
      };
    case 'none':
      return loopback();
  }
}

const SIGN_IN_ANNOUNCEMENTS: Record<SignInMethod['type'], string> = {
  slack: 'Dashboard: Sign in with Slack',
  proxy: 'Dashboard: signed in by the reverse proxy',
  token: 'Dashboard: signed in with DASHBOARD_TOKEN',
  loopback:
    'Dashboard: no sign-in configured, so it answers only on loopback. Set SLACK_CLIENT_ID + SLACK_CLIENT_SECRET (Sign in with Slack), server.dashboardAuth: proxy, or DASHBOARD_TOKEN.',
};

export interface DashboardCompositionOptions {
  config: Config;
  environment: Environment;
  dataDir: string;
  store: Store;
  sql: SqlClient;
  integrations: Integrations;
  intake: DashboardOptions['intake'];
  afterSubmit: DashboardOptions['afterSubmit'];
  redact: (text: string) => string;
  log: Logger;
  announce: (line: string) => void;
}

/** The dashboard's routes, behind the configured sign-in. */
export function composeDashboard(routes: RouteTable, options: DashboardCompositionOptions): void {
  const { config, environment, log } = options;
  const method = dashboardSignIn(config, environment);
  if (!environment.secrets.dashboardSessionSecret && method.type !== 'loopback' && method.type !== 'proxy')
    log.warn(
      'DASHBOARD_SESSION_SECRET is not set: sign-ins end when this process restarts and are not shared between gateways',
    );
  const auth = createDashboardAuth({
    method,
    sessionSecret: environment.secrets.dashboardSessionSecret ?? randomBytes(32).toString('hex'),
    sessionHours: config.dashboard.sessionHours,
    publicBaseUrl: config.server.publicBaseUrl,
    log: log.child({ component: 'dashboard-auth' }),
  });
  const origins = new Map<string, OriginLink>();
  const layout = dataLayout(options.dataDir);
  const repoOf = (name: string) => config.repos.find((repo) => repo.name === name);
  const dashboard = createDashboardRoutes({
    store: options.store,
    queries: createRunQueries(options.sql),
    auth,
    config: config.dashboard,
    intake: options.intake,
    afterSubmit: options.afterSubmit,
    originLink: async (run: RunSummary) => {
      const cached = origins.get(run.thread.id);
      if (cached) return cached;
      const found = await originOf(run, options.integrations, log);
      if (origins.size > 5000) origins.clear();
      origins.set(run.thread.id, found);
      return found;
    },
    branchDiff: createBranchDiff({
      mirrorPath: (repo) => (repoOf(repo) ? layout.mirror(repo) : undefined),
      defaultBranch: (repo) => repoOf(repo)?.defaultBranch,
      hostEnv: environment.host,
    }),
    pullRequestState: options.integrations.github
      ? createPullRequestState({
          octokitFor: options.integrations.github.client.octokitFor,
          webHost: options.integrations.github.webHost,
        })
      : undefined,
    redact: options.redact,
    log: log.child({ component: 'dashboard' }),
  });
  routes.register('/runs', dashboard.pages, { prefix: true });
  routes.register('/api/runs', dashboard.api, { prefix: true });
  routes.register('/assets/dashboard.js', dashboard.script);
  routes.register('/auth', auth.routes, { prefix: true });
  options.announce(SIGN_IN_ANNOUNCEMENTS[method.type]);
}

async function originOf(run: RunSummary, integrations: Integrations, log: Logger): Promise<OriginLink> {
  const kind = typeof run.thread.origin.kind === 'string' ? run.thread.origin.kind : 'unknown';
  try {
    const request = queuedRequestOf(run.turn.id, run.turn.request);
    const found = await originLink(request, integrations, log);
    if (request.origin.kind === 'linear' && integrations.linear) {
      // The issue's own URL (it carries the workspace); one API call, cached by the caller.
      const issue = await integrations.linear.getIssue(request.origin.issueId).catch(() => undefined);
      return { label: found.originLabel, url: issue?.url };
    }
    return { label: found.originLabel, url: found.originUrl };
  } catch {
    return { label: kind === 'cli' ? 'command line' : kind };
  }
}
