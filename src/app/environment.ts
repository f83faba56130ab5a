import type { Secrets } from '../config/schema.ts';

/** Everything Baton reads from the environment, in one place (the composition root's input). */
export interface Environment {
  secrets: Secrets;
  configPath?: string;
  dataDir?: string;
  databaseUrl?: string;
  openaiBaseUrl?: string;
  logLevel?: string;
  /** Overrides server.port. */
  port?: number;
  slackApiUrl?: string;
  githubApiUrl?: string;
  /** The App's numeric id, or its Client ID (`Iv23…`). */
  githubAppId?: number | string;
  linearApiUrl?: string;
  /** OTLP/HTTP endpoint; tracing is off without it. The SDK reads the other `OTEL_*` variables itself. */
  otlpEndpoint?: string;
  /** Overrides server.workerPort: where a worker-only process serves /metrics and /healthz. */
  workerPort?: number;
  /** The host environment the sandbox's allowlist copies from. */
  host: Record<string, string | undefined>;
}

const nonEmpty = (value: string | undefined) => (value?.trim() ? value : undefined);

export function readEnvironment(env: Record<string, string | undefined>): Environment {
  return {
    secrets: {
      openaiApiKey: nonEmpty(env.OPENAI_API_KEY),
      githubToken: nonEmpty(env.GITHUB_TOKEN),
      githubAppPrivateKey: nonEmpty(env.GITHUB_APP_PRIVATE_KEY),
      slackBotToken: nonEmpty(env.SLACK_BOT_TOKEN),
      slackSigningSecret: nonEmpty(env.SLACK_SIGNING_SECRET),
      slackAppToken: nonEmpty(env.SLACK_APP_TOKEN),
      linearApiKey: nonEmpty(env.LINEAR_API_KEY),
      linearWebhookSecret: nonEmpty(env.LINEAR_WEBHOOK_SECRET),
      githubWebhookSecret: nonEmpty(env.GITHUB_WEBHOOK_SECRET),
      e2bApiKey: nonEmpty(env.E2B_API_KEY),
    },
    configPath: nonEmpty(env.BATON_CONFIG),
    dataDir: nonEmpty(env.BATON_DATA_DIR),
    databaseUrl: nonEmpty(env.DATABASE_URL),
    openaiBaseUrl: nonEmpty(env.OPENAI_BASE_URL),
    logLevel: nonEmpty(env.LOG_LEVEL),
    port: nonEmpty(env.PORT) ? Number(env.PORT) : undefined,
    slackApiUrl: nonEmpty(env.SLACK_API_URL),
    githubApiUrl: nonEmpty(env.GITHUB_API_URL),
    githubAppId: appIdOf(nonEmpty(env.GITHUB_APP_ID)),
    linearApiUrl: nonEmpty(env.LINEAR_API_URL),
    otlpEndpoint:
      nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT),
    workerPort: nonEmpty(env.WORKER_PORT) ? Number(env.WORKER_PORT) : undefined,
    host: env,
  };
}

/**
 * The secret values to mask in every output: Baton's own, and the host variables named as setup
 * secrets (`repos[].setupSecrets`, e.g. NPM_TOKEN) when the configuration is given.
 */
export function secretValues(
  environment: Environment,
  config?: { repos: readonly { setupSecrets?: readonly string[] }[] },
): string[] {
  const own = Object.values(environment.secrets).filter(
    (value): value is string => typeof value === 'string',
  );
  const setup = (config?.repos ?? []).flatMap((repo) =>
    (repo.setupSecrets ?? []).flatMap((name) => {
      const value = environment.host[name];
      return value ? [value] : [];
    }),
  );
  return [...new Set([...own, ...setup])];
}

/** A numeric App id stays a number; anything else (a Client ID, `Iv23…`) is kept as it is. */
function appIdOf(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}
