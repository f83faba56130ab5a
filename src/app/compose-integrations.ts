import type { WebClient } from '@slack/web-api';
import type { PullRequestService } from '../../middleware/types.ts';
import type { Config, RepoConfig } from '../config/schema.ts';
import {
  createGitHubAuth,
  createGitHubClient,
  createGitHubPublisher,
  createGitHubPullRequests,
  createGitHubRemoteBranchReader,
  type GitHubClient,
  repoAuthFor,
} from '../integrations/github/index.ts';
import { createLinearClient, type LinearClient } from '../integrations/linear/index.ts';
import { createSlackWebClient } from '../integrations/slack/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { SecretRegistry } from '../observability/secret-registry.ts';
import { slackSpanName, tracedFetch, traceMethods } from '../observability/traced-clients.ts';
import type { Tracer } from '../observability/tracing.ts';
import type { RepoCache } from '../repo-cache/index.ts';
import { createLocalPublisher, createLocalRemoteBranchReader } from '../runs/publish-local.ts';
import type { Publisher, RemoteBranchReader } from '../runs/turn-dependencies.ts';
import type { Environment } from './environment.ts';

const DEFAULT_GITHUB_API = 'https://api.github.com';

/** The clients for the services Baton talks to; each is absent when its credentials are. */
export interface Integrations {
  slack?: WebClient;
  github?: {
    client: GitHubClient;
    webHost: string;
    pullRequests: PullRequestService;
    publisher: Publisher;
    remoteBranch: RemoteBranchReader;
    repoAuth: (repo: string) => Promise<{ username: string; password: string }>;
  };
  linear?: LinearClient;
  /** Pushes a repository on GitHub with the App's token; any other (a path, another host) as it is. */
  publish: Publisher;
  /** Reads a branch on its remote: GitHub's API for repositories there, `git ls-remote` for others. */
  remoteBranch: RemoteBranchReader;
  isGitHubRepo(repo: RepoConfig): boolean;
}

/** github.com's web host is the API host without `api.`; GitHub Enterprise serves both on one host. */
function webHostOf(apiUrl: string): string {
  const host = new URL(apiUrl).host;
  return host === 'api.github.com' ? 'github.com' : host;
}

export function composeIntegrations(options: {
  config: Config;
  environment: Environment;
  repoCache: RepoCache;
  log: Logger;
  /** Tokens minted at runtime (installation tokens, the App's JWT) are added here, so they are masked too. */
  secrets: SecretRegistry;
  fetch?: typeof fetch;
  /** Outbound Slack, GitHub and Linear calls become client spans. */
  tracer?: Tracer;
}): Integrations {
  const { config, environment, log, tracer } = options;
  const { secrets } = environment;
  const slackFetch = tracer
    ? tracedFetch(options.fetch ?? fetch, tracer, 'slack', slackSpanName)
    : options.fetch;
  const slack = secrets.slackBotToken
    ? createSlackWebClient({
        token: secrets.slackBotToken,
        apiUrl: environment.slackApiUrl,
        log: log.child({ component: 'slack' }),
        ...(slackFetch ? { fetch: slackFetch } : {}),
      })
    : undefined;
  const linearClient = secrets.linearApiKey
    ? createLinearClient({
        apiKey: secrets.linearApiKey,
        apiUrl: environment.linearApiUrl,
        log: log.child({ component: 'linear' }),
      })
    : undefined;
  const linear = linearClient && tracer ? traceMethods(linearClient, tracer, 'linear') : linearClient;
  const githubFetch = tracer ? tracedFetch(options.fetch ?? fetch, tracer, 'github') : options.fetch;

  const apiUrl = environment.githubApiUrl ?? DEFAULT_GITHUB_API;
  const webHost = webHostOf(apiUrl);
  const appId = environment.githubAppId ?? config.github.appId;
  const hasApp = appId !== undefined && secrets.githubAppPrivateKey !== undefined;
  const githubLog = log.child({ component: 'github' });
  let github: Integrations['github'];
  if (hasApp || secrets.githubToken) {
    const auth = createGitHubAuth({
      apiUrl,
      appId: hasApp ? appId : undefined,
      privateKey: hasApp ? secrets.githubAppPrivateKey?.replace(/\\n/g, '\n') : undefined,
      token: hasApp ? undefined : secrets.githubToken,
      workflows: config.github.workflowsPermission,
      onSecret: (name, value) => options.secrets.add(name, value),
      fetch: githubFetch,
      log: githubLog,
    });
    const client = createGitHubClient({
      auth,
      apiUrl,
      log: githubLog,
      serverErrorRetries: config.github.serverErrorRetries,
      retryUnitMs: config.github.retryUnitMs,
      writeIntervalMs: config.github.writeIntervalMs,
      fetch: githubFetch,
    });
    github = {
      client,
      webHost,
      pullRequests: createGitHubPullRequests({ client, log: githubLog }),
      publisher: createGitHubPublisher({
        repoCache: options.repoCache,
        auth,
        client,
        log: githubLog,
      }),
      remoteBranch: createGitHubRemoteBranchReader({ client }),
      repoAuth: repoAuthFor(auth),
    };
  }
  const isGitHubRepo = (repo: RepoConfig) => {
    try {
      return new URL(repo.url).host === webHost;
    } catch {
      return false;
    }
  };
  const local = createLocalPublisher({ repoCache: options.repoCache, log });
  const localRemote = createLocalRemoteBranchReader({ hostEnv: environment.host });
  return {
    slack,
    github,
    linear,
    isGitHubRepo,
    publish: (input) => (github && isGitHubRepo(input.repo) ? github.publisher(input) : local(input)),
    remoteBranch: (input) =>
      github && isGitHubRepo(input.repo) ? github.remoteBranch(input) : localRemote(input),
  };
}
