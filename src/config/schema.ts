import { z } from 'zod';

/** A shell command run inside the sandbox, e.g. `npm test`. */
const command = z.string().min(1);

const price = z.strictObject({
  inputPerMillion: z.number().nonnegative(),
  cachedInputPerMillion: z.number().nonnegative().optional(),
  outputPerMillion: z.number().nonnegative(),
});

export const modelSchema = z.strictObject({
  /** `chat-completions` works with any OpenAI-compatible server; `responses` is OpenAI's Responses API. */
  api: z.enum(['chat-completions', 'responses']).default('chat-completions'),
  name: z.string().min(1).default('gpt-4.1'),
  /** Overridden by OPENAI_BASE_URL. */
  baseUrl: z.url().optional(),
  timeoutMs: z.number().int().positive().default(120_000),
  maxRetries: z.number().int().min(0).max(10).default(2),
  /**
   * Longest quiet gap between two streamed events. Reasoning models can think for a minute
   * before their first token, so the default leaves room for that.
   */
  streamStallMs: z.number().int().positive().default(90_000),
  /** Fresh attempts after a stream is cut or stalls once the answer has started (with backoff). */
  streamRetries: z.number().int().min(0).max(5).default(2),
  /** Sent as `reasoning_effort` / `reasoning.effort` only when set; a server that refuses it is asked again without. */
  reasoningEffort: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
  /** Sent as `parallel_tool_calls` only when set. */
  parallelToolCalls: z.boolean().optional(),
  contextWindowTokens: z.number().int().positive().default(128_000),
  maxOutputTokens: z.number().int().positive().default(8_000),
  /** USD per million tokens, by model name. Unknown models cost 0 and `baton doctor` says so. */
  prices: z.record(z.string(), price).default({}),
});

export const repoSchema = z.strictObject({
  /** `owner/name` on GitHub, or any short name for a local repository. */
  name: z.string().min(1),
  /** Where the host fetches from: a local path, or an https URL (credentials are added by the host). */
  url: z.string().min(1),
  defaultBranch: z.string().min(1).default('main'),
  /** Overrides detection from package.json scripts, Makefile or pyproject. `false` turns the step off. */
  lint: z.union([command, z.literal(false)]).optional(),
  test: z.union([command, z.literal(false)]).optional(),
  /**
   * Commands that install the repository's dependencies, replacing detection (npm ci, uv sync, …);
   * `false`: no setup. Unset: the repository's `.baton/setup.sh`, else detected from its lockfiles.
   */
  setup: z.union([z.array(command).min(1), z.literal(false)]).optional(),
  /** Host variables (e.g. NPM_TOKEN) that only the setup phase receives, for private registries. */
  setupSecrets: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'))
    .optional(),
  /** Branches that must never receive a push besides the default branch. */
  protectedBranches: z.array(z.string()).default([]),
});

/** The E2B cloud sandbox (`sandbox.provider: e2b`); E2B_API_KEY comes from the environment. */
export const e2bSchema = z.strictObject({
  /** Template (or snapshot) new sandboxes start from. */
  template: z.string().min(1).default('base'),
  /** REST API base URL for self-hosted E2B; E2B_API_URL overrides. Default: https://api.<domain>. */
  apiUrl: z.url().optional(),
  /** envd base URL used for every sandbox (a proxy in front of them); E2B_SANDBOX_URL overrides. */
  sandboxUrl: z.url().optional(),
  /** E2B_DOMAIN overrides. */
  domain: z.string().min(1).default('e2b.app'),
  /** A paused sandbox is resumed by the thread's next turn within this long, then killed. 0: never paused. */
  keepPausedMinutes: z.number().int().min(0).default(30),
  /** Names this deployment in every sandbox's metadata, so its workers find (and reconcile) only their own. */
  instance: z.string().min(1).default('baton'),
  /** One API or envd request's limit. */
  requestTimeoutMs: z.number().int().positive().default(60_000),
  /** Send Baton's ripgrep (linux x64) with the repository, for the search tools; false when the template has rg. */
  uploadRipgrep: z.boolean().default(true),
});

export const sandboxSchema = z.strictObject({
  provider: z.enum(['local', 'e2b']).default('local'),
  /** Host directory for repository mirrors, workspaces and run output. */
  dataDir: z.string().default('.baton'),
  commandTimeoutMs: z.number().int().positive().default(120_000),
  memoryMb: z.number().int().positive().default(4096),
  /** Bytes of stdout+stderr kept per command; the rest is saved to a file the agent can page through. */
  outputCapBytes: z.number().int().positive().default(1_000_000),
  /**
   * The agent's network: `off`; `registries` (only the setup allowlist, through Baton's egress proxy,
   * so it can add a dependency); `on` (unfiltered). The setup phase always has the allowlist.
   */
  network: z.enum(['off', 'registries', 'on']).default('off'),
  /** Hosts the setup may reach besides the registries read from the host's package managers (host, host:port, *.domain). */
  setupAllowHosts: z
    .array(z.string().regex(/^(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$/, 'host, host:port or *.domain'))
    .default([]),
  /** Wall-clock limit of each setup command. */
  setupTimeoutMs: z.number().int().positive().default(900_000),
  /** Size budget of the environment cache; the least recently used snapshots go beyond it. */
  environmentCacheMb: z.number().int().positive().default(20_480),
  /** How often a worker looks for a new environment key on each configured repository's default branch; 0: never. */
  prebuildIntervalMs: z.number().int().min(0).default(300_000),
  /** Host environment variables copied into the sandbox. Nothing else enters it. */
  envAllowlist: z.array(z.string()).default(['LANG', 'LC_ALL', 'TZ']),
  /**
   * uid/gid of sandboxed commands. When Baton runs as root, bubblewrap is started as this host
   * uid (no account needed; it owns the workspaces); otherwise Baton's own uid, seen inside as this.
   */
  uid: z.number().int().min(1).max(4_294_967_294).default(65532),
  gid: z.number().int().min(1).max(4_294_967_294).default(65532),
  /** Extra host paths under /etc shown read-only in the sandbox's own minimal /etc. */
  etcExtra: z.array(z.string().startsWith('/etc/')).default([]),
  /** Lifetime of a cloud sandbox. */
  lifetimeMs: z.number().int().positive().default(3_600_000),
  e2b: e2bSchema.default(e2bSchema.parse({})),
});

export const budgetsSchema = z.strictObject({
  maxSteps: z.number().int().positive().default(60),
  maxTokens: z.number().int().positive().default(3_000_000),
  maxCostUsd: z.number().positive().default(10),
  maxWallClockMs: z
    .number()
    .int()
    .positive()
    .default(45 * 60_000),
});

export const middlewareEntrySchema = z.strictObject({
  /** A built-in (`lint`, `test`, `secret-scan`, `commit`, `push`, `open-pr`) or a module path exporting a middleware factory. */
  name: z.string().min(1),
  options: z.record(z.string(), z.unknown()).default({}),
});

export const agentSchema = z.strictObject({
  /** Characters of one tool result that reach the model; the rest is saved in the workspace. */
  toolOutputLimit: z.number().int().min(1000).default(10_000),
  /** Compact the history when the prompt passes this fraction of the context window. */
  compactAtFraction: z.number().gt(0).lt(1).default(0.8),
  /** Rounds in which lint/test failures go back to the agent before they are reported. */
  fixRounds: z.number().int().min(0).max(5).default(2),
  subagentMaxSteps: z.number().int().positive().default(20),
});

export const policiesSchema = z.strictObject({
  fetchUrl: z
    .object({
      enabled: z.boolean().default(false),
      /** Host names the `fetch_url` tool may reach. Private and loopback addresses are always refused. */
      allowHosts: z.array(z.string()).default([]),
    })
    .default({ enabled: false, allowHosts: [] }),
});

export const gitSchema = z.strictObject({
  authorName: z.string().default('Baton'),
  authorEmail: z.string().default('baton@localhost'),
  /** Baton's own branches; never empty, so a run cannot name the default branch. */
  branchPrefix: z.string().min(1).default('baton/'),
});

export const serverSchema = z.strictObject({
  /** PORT overrides. One HTTP server: Slack events, webhooks, dashboard, health and metrics. */
  port: z.number().int().min(0).max(65535).default(3000),
  host: z.string().default('0.0.0.0'),
  /** WORKER_PORT overrides. A `--role worker` process serves /metrics, /healthz and /readyz here; 0 picks a free port. */
  workerPort: z.number().int().min(0).max(65535).default(9464),
  /** The URL people reach the dashboard at, for "View run" links. Unset: no links. */
  publicBaseUrl: z.url().optional(),
  /**
   * Who may open the dashboard. `auto`: Sign in with Slack when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET
   * are set, else the static DASHBOARD_TOKEN, else nobody but this machine (loopback only).
   */
  dashboardAuth: z.enum(['auto', 'slack', 'proxy', 'token', 'none']).default('auto'),
  /** With `dashboardAuth: proxy`: the header the reverse proxy sets to the signed-in person (oauth2-proxy: X-Forwarded-Email). */
  dashboardProxyHeader: z.string().min(1).default('x-forwarded-email'),
});

export const dashboardSchema = z.object({
  /** People (Slack user ids, or the proxy's identities) who see and control every run. */
  admins: z.array(z.string()).default([]),
  /** Besides their own runs, the runs of these channels and repositories are visible to these people. */
  access: z
    .array(
      z.object({
        users: z.array(z.string()).min(1),
        channels: z.array(z.string()).default([]),
        repos: z.array(z.string()).default([]),
      }),
    )
    .default([]),
  /** Sign in with Slack: where the browser is sent to authorize. */
  slackAuthorizeUrl: z.url().default('https://slack.com/openid/connect/authorize'),
  /** Sign in with Slack: the Web API for openid.connect.token and userInfo; unset: SLACK_API_URL, else Slack. */
  slackApiUrl: z.url().optional(),
  /** With `dashboardAuth: proxy`: peer addresses whose identity header is believed; other peers get 403. */
  trustedProxies: z.array(z.string()).default(['127.0.0.1', '::1']),
  /** A sign-in lasts this long. */
  sessionHours: z.number().int().positive().max(720).default(12),
});

export const slackSchema = z.strictObject({
  /** Empty list: any team / channel / user may ask. */
  allowedTeams: z.array(z.string()).default([]),
  allowedChannels: z.array(z.string()).default([]),
  /** User ids (U…) and user group ids (S…); a member of an allowed group may ask. */
  allowedUsers: z.array(z.string()).default([]),
  allowedUserGroups: z.array(z.string()).default([]),
  /** Channel id → repository name, used when a message names no repository. */
  channelRepos: z.record(z.string(), z.string()).default({}),
  /** A reaction (name without colons) on the request that cancels its run. */
  cancelReaction: z.string().default('octagonal_sign'),
  /** The status message is refreshed at least this often while a run works. */
  statusRefreshMs: z.number().int().positive().default(60_000),
});

export const runsSchema = z.strictObject({
  /** Runs one worker process executes at once. */
  workerConcurrency: z.number().int().positive().default(2),
  /** Active runs per requester, and in all; more wait in the queue and say their position. */
  maxPerRequester: z.number().int().positive().default(2),
  maxGlobal: z.number().int().positive().default(8),
  /** A worker that has not reported for this long is presumed dead; its run moves to another worker. */
  heartbeatSeconds: z.number().int().min(10).default(10),
  /** The Postgres schema pg-boss keeps the queue in; one per Baton installation sharing a database. */
  queueSchema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lowercase Postgres identifier (letters, digits, underscores)')
    .default('pgboss'),
  /** Final replies that failed: how they are retried by the worker until delivered. */
  finals: z
    .object({
      /** How often a worker looks for final replies that are due again. */
      sweepMs: z.number().int().positive().default(5_000),
      /** First wait after a failed final reply; doubled each attempt up to `retryMaxMs`. */
      retryBaseMs: z.number().int().positive().default(5_000),
      retryMaxMs: z.number().int().positive().default(600_000),
      /** Attempts before a final reply is recorded as undelivered (shown, counted, never dropped). */
      maxAttempts: z.number().int().positive().default(8),
      /** A process that claimed a final and did not confirm it within this long is presumed dead. */
      leaseSeconds: z.number().int().positive().default(120),
    })
    .default({ sweepMs: 5_000, retryBaseMs: 5_000, retryMaxMs: 600_000, maxAttempts: 8, leaseSeconds: 120 }),
});

export const githubSchema = z.strictObject({
  /**
   * GitHub App id, or the App's Client ID (`Iv23…`) (GITHUB_APP_ID overrides); with
   * GITHUB_APP_PRIVATE_KEY it replaces a plain GITHUB_TOKEN.
   */
  appId: z
    .union([
      z.number().int().positive(),
      z.string().regex(/^Iv[0-9A-Za-z._-]+$/, 'a Client ID starts with Iv'),
    ])
    .optional(),
  /** The App's login, whose PRs are Baton's and whose comments are ignored. */
  botLogin: z.string().default('baton[bot]'),
  /** The word that addresses Baton in a comment or review. */
  mention: z.string().default('@baton'),
  /** Ask installation tokens for the `workflows` permission, so changes under .github/workflows can be pushed. */
  workflowsPermission: z.boolean().default(false),
  /** Retries of a GitHub 5xx answer, with backoff (1, 4, 9 … retry units). */
  serverErrorRetries: z.number().int().min(0).default(3),
  /** Milliseconds one second of a GitHub wait lasts (Retry-After, backoff); 1000 but in tests. */
  retryUnitMs: z.number().int().positive().default(1000),
  /** Pause between content-creating GitHub requests (GitHub asks for at least a second). */
  writeIntervalMs: z.number().int().min(0).default(1000),
});

export const linearSchema = z.strictObject({
  /** Team keys whose issues may start runs; empty: every team. */
  allowedTeams: z.array(z.string()).default([]),
  /** Adding this label to an issue starts a run. */
  triggerLabel: z.string().default('baton'),
  mention: z.string().default('@baton'),
  /** Repository by team key, project id or label name; the first match wins in that order. */
  teamRepos: z.record(z.string(), z.string()).default({}),
  projectRepos: z.record(z.string(), z.string()).default({}),
  labelRepos: z.record(z.string(), z.string()).default({}),
  /** Workflow state the issue moves to when the pull request is open (e.g. "In Review"); unset: unchanged. */
  reviewState: z.string().optional(),
});

export const configSchema = z.strictObject({
  github: githubSchema.default(githubSchema.parse({})),
  linear: linearSchema.default(linearSchema.parse({})),
  server: serverSchema.default(serverSchema.parse({})),
  slack: slackSchema.default(slackSchema.parse({})),
  dashboard: dashboardSchema.default(dashboardSchema.parse({})),
  runs: runsSchema.default(runsSchema.parse({})),
  model: modelSchema.default(modelSchema.parse({})),
  repos: z.array(repoSchema).default([]),
  sandbox: sandboxSchema.default(sandboxSchema.parse({})),
  budgets: budgetsSchema.default(budgetsSchema.parse({})),
  middleware: z
    .array(middlewareEntrySchema)
    .default(
      [
        { name: 'lint' },
        { name: 'test' },
        { name: 'commit' },
        { name: 'secret-scan' },
        { name: 'push' },
        { name: 'open-pr' },
      ].map((entry) => middlewareEntrySchema.parse(entry)),
    ),
  agent: agentSchema.default(agentSchema.parse({})),
  policies: policiesSchema.default(policiesSchema.parse({})),
  git: gitSchema.default(gitSchema.parse({})),
  log: z
    .object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info') })
    .default({
      level: 'info',
    }),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type ModelConfig = Config['model'];
export type RepoConfig = Config['repos'][number];
export type SandboxConfig = Config['sandbox'];
export type E2BConfig = Config['sandbox']['e2b'];
export type BudgetsConfig = Config['budgets'];
export type MiddlewareEntry = Config['middleware'][number];
export type AgentConfig = Config['agent'];
export type PoliciesConfig = Config['policies'];
export type GitConfig = Config['git'];
export type ServerConfig = Config['server'];
export type SlackConfig = Config['slack'];
export type RunsConfig = Config['runs'];
export type GitHubConfig = Config['github'];
export type LinearConfig = Config['linear'];
export type DashboardConfig = Config['dashboard'];

/** Secrets come only from the environment, never from the YAML file. */
export interface Secrets {
  openaiApiKey?: string;
  githubToken?: string;
  githubAppPrivateKey?: string;
  slackBotToken?: string;
  slackSigningSecret?: string;
  slackAppToken?: string;
  linearApiKey?: string;
  linearWebhookSecret?: string;
  githubWebhookSecret?: string;
  e2bApiKey?: string;
  /** Sign in with Slack (OpenID Connect) for the dashboard. */
  slackClientSecret?: string;
  /** The static dashboard token for small setups. */
  dashboardToken?: string;
  /** Signs dashboard session cookies; unset: a random one per process (sign-ins end on restart). */
  dashboardSessionSecret?: string;
}
