import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import type { Secrets } from '../config/schema.ts';
import { BatonError } from '../observability/errors.ts';
import {
  createSecretRegistry,
  pemSecretLines,
  type SecretRegistry,
} from '../observability/secret-registry.ts';

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
  /** Sign in with Slack: the app's client id (with SLACK_CLIENT_SECRET). */
  slackClientId?: string;
  githubApiUrl?: string;
  /** The App's numeric id, or its Client ID (`Iv23…`). */
  githubAppId?: number | string;
  linearApiUrl?: string;
  /** E2B endpoints: override sandbox.e2b.apiUrl, sandboxUrl and domain. */
  e2bApiUrl?: string;
  e2bSandboxUrl?: string;
  e2bDomain?: string;
  /** OTLP/HTTP endpoint; tracing is off without it. The SDK reads the other `OTEL_*` variables itself. */
  otlpEndpoint?: string;
  /** Overrides server.workerPort: where a worker-only process serves /metrics and /healthz. */
  workerPort?: number;
  /** The host environment the sandbox's allowlist copies from. */
  host: Record<string, string | undefined>;
}

/** An empty or blank variable is the same as an unset one (`.env.example` leaves them all empty). */
const optional = <Schema extends z.ZodType>(schema: Schema) =>
  z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    schema.optional(),
  );

const text = optional(z.string());

const url = (what: string) =>
  optional(
    z.string().refine((value) => /^https?:\/\//i.test(value) && URL.canParse(value), {
      error: (issue) => `expected an http(s) URL such as ${what}, got ${JSON.stringify(issue.input)}`,
    }),
  );

const integer = (what: string, min: number, max: number) =>
  optional(
    z
      .string()
      .trim()
      .refine((value) => /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max, {
        error: (issue) => `expected ${what}, got ${JSON.stringify(issue.input)}`,
      })
      .transform(Number),
  );

/** Read at start, so a bad key stops Baton at once rather than at the first pull request. */
function privateKeyProblem(value: string): string | undefined {
  if (!value.includes('-----BEGIN')) {
    return "expected the PEM text of the App's private key (with its BEGIN/END lines), not a file name or a fragment";
  }
  try {
    // Keys pasted into environment variables often carry literal `\n`.
    createPrivateKey(value.includes('\\n') ? value.replace(/\\n/g, '\n') : value);
    return undefined;
  } catch (error) {
    return `the PEM text is not a private key Node can read (${(error as Error).message}); paste the whole file GitHub generated`;
  }
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Each variable's rule; the issue messages name the variable and what was expected. */
const environmentSchema = z.object({
  OPENAI_API_KEY: text,
  GITHUB_TOKEN: text,
  GITHUB_APP_PRIVATE_KEY: optional(
    z.string().superRefine((value, context) => {
      const problem = privateKeyProblem(value);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }),
  ),
  SLACK_BOT_TOKEN: text,
  SLACK_SIGNING_SECRET: text,
  SLACK_APP_TOKEN: text,
  LINEAR_API_KEY: text,
  LINEAR_WEBHOOK_SECRET: text,
  GITHUB_WEBHOOK_SECRET: text,
  E2B_API_KEY: text,
  SLACK_CLIENT_ID: text,
  SLACK_CLIENT_SECRET: text,
  DASHBOARD_TOKEN: text,
  DASHBOARD_SESSION_SECRET: text,
  BATON_CONFIG: text,
  BATON_DATA_DIR: text,
  DATABASE_URL: optional(
    z.string().refine((value) => /^postgres(ql)?:\/\/./.test(value) && URL.canParse(value), {
      error: 'expected a postgres:// or postgresql:// URL',
    }),
  ),
  OPENAI_BASE_URL: url('https://api.openai.com/v1'),
  LOG_LEVEL: optional(
    z.enum(LOG_LEVELS, {
      error: (issue) => `expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(issue.input)}`,
    }),
  ),
  PORT: integer('a port number from 0 to 65535', 0, 65_535),
  SLACK_API_URL: url('https://slack.com/api/'),
  GITHUB_API_URL: url('https://api.github.com'),
  GITHUB_APP_ID: optional(
    z
      .string()
      .trim()
      .refine((value) => /^[1-9]\d*$/.test(value) || /^Iv[0-9A-Za-z._-]+$/.test(value), {
        error: (issue) =>
          `expected the App's numeric id or its Client ID (Iv…), got ${JSON.stringify(issue.input)}`,
      })
      // A numeric App id stays a number; a Client ID (`Iv23…`) is kept as it is.
      .transform((value) => (/^\d+$/.test(value) ? Number(value) : value)),
  ),
  LINEAR_API_URL: url('https://api.linear.app/graphql'),
  E2B_API_URL: url('https://api.e2b.app'),
  E2B_SANDBOX_URL: url('https://sandbox.e2b.example'),
  E2B_DOMAIN: text,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url('http://collector:4318/v1/traces'),
  OTEL_EXPORTER_OTLP_ENDPOINT: url('http://collector:4318'),
  WORKER_PORT: integer('a port number from 0 to 65535', 0, 65_535),
});

/** Every variable Baton reads (the documentation test checks each is in .env.example and the README). */
export const ENVIRONMENT_VARIABLES: readonly string[] = Object.keys(environmentSchema.shape);

/**
 * Parses the environment once, at start. A bad value stops Baton with every bad variable named
 * (`PORT: expected a port number from 0 to 65535, got "abc"`) instead of becoming NaN somewhere.
 */
export function readEnvironment(env: Record<string, string | undefined>): Environment {
  const result = environmentSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new BatonError({
      code: 'environment_invalid',
      message: `Invalid environment: ${lines.join('; ')}`,
      hint: 'Fix or unset the variables named above; .env.example describes each one.',
    });
  }
  const values = result.data;
  return {
    secrets: {
      openaiApiKey: values.OPENAI_API_KEY,
      githubToken: values.GITHUB_TOKEN,
      githubAppPrivateKey: values.GITHUB_APP_PRIVATE_KEY,
      slackBotToken: values.SLACK_BOT_TOKEN,
      slackSigningSecret: values.SLACK_SIGNING_SECRET,
      slackAppToken: values.SLACK_APP_TOKEN,
      linearApiKey: values.LINEAR_API_KEY,
      linearWebhookSecret: values.LINEAR_WEBHOOK_SECRET,
      githubWebhookSecret: values.GITHUB_WEBHOOK_SECRET,
      e2bApiKey: values.E2B_API_KEY,
      slackClientSecret: values.SLACK_CLIENT_SECRET,
      dashboardToken: values.DASHBOARD_TOKEN,
      dashboardSessionSecret: values.DASHBOARD_SESSION_SECRET,
    },
    slackClientId: values.SLACK_CLIENT_ID,
    configPath: values.BATON_CONFIG,
    dataDir: values.BATON_DATA_DIR,
    databaseUrl: values.DATABASE_URL,
    openaiBaseUrl: values.OPENAI_BASE_URL,
    logLevel: values.LOG_LEVEL,
    port: values.PORT,
    slackApiUrl: values.SLACK_API_URL,
    githubApiUrl: values.GITHUB_API_URL,
    githubAppId: values.GITHUB_APP_ID,
    linearApiUrl: values.LINEAR_API_URL,
    e2bApiUrl: values.E2B_API_URL,
    e2bSandboxUrl: values.E2B_SANDBOX_URL,
    e2bDomain: values.E2B_DOMAIN,
    otlpEndpoint: values.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? values.OTEL_EXPORTER_OTLP_ENDPOINT,
    workerPort: values.WORKER_PORT,
    host: env,
  };
}

/** Where each secret comes from, by the variable an operator sets. */
const SECRET_VARIABLES: Readonly<Record<keyof Secrets, string>> = {
  openaiApiKey: 'OPENAI_API_KEY',
  githubToken: 'GITHUB_TOKEN',
  githubAppPrivateKey: 'GITHUB_APP_PRIVATE_KEY',
  slackBotToken: 'SLACK_BOT_TOKEN',
  slackSigningSecret: 'SLACK_SIGNING_SECRET',
  slackAppToken: 'SLACK_APP_TOKEN',
  linearApiKey: 'LINEAR_API_KEY',
  linearWebhookSecret: 'LINEAR_WEBHOOK_SECRET',
  githubWebhookSecret: 'GITHUB_WEBHOOK_SECRET',
  e2bApiKey: 'E2B_API_KEY',
  slackClientSecret: 'SLACK_CLIENT_SECRET',
  dashboardToken: 'DASHBOARD_TOKEN',
  dashboardSessionSecret: 'DASHBOARD_SESSION_SECRET',
};

/** The password of a database URL, as written and decoded; none when the URL has none or does not parse. */
function databasePasswords(databaseUrl: string | undefined): string[] {
  if (!databaseUrl) return [];
  try {
    const password = new URL(databaseUrl).password;
    return password ? [...new Set([password, decodeURIComponent(password)])] : [];
  } catch {
    return [];
  }
}

/**
 * The registry of every secret value Baton holds, seeded from the environment: each secret
 * variable, each line of the App's private key, the database password. Tokens minted later (GitHub
 * installation tokens) are added by whoever mints them.
 */
export function createSecretRegistryFromEnvironment(
  environment: Environment,
  config?: { repos: readonly { setupSecrets?: readonly string[] }[] },
): SecretRegistry {
  const registry = createSecretRegistry();
  for (const [key, variable] of Object.entries(SECRET_VARIABLES) as [keyof Secrets, string][]) {
    const value = environment.secrets[key];
    if (value === undefined) continue;
    if (key === 'githubAppPrivateKey') {
      registry.add(variable, value);
      registry.add(variable, value.replace(/\\n/g, '\n').trim());
      for (const line of pemSecretLines(value)) registry.add(`${variable} (a line of the key)`, line);
    } else {
      registry.add(variable, value);
    }
  }
  for (const password of databasePasswords(environment.databaseUrl)) {
    registry.add('DATABASE_URL password', password);
  }
  // The host variables a repository's setup phase receives (`repos[].setupSecrets`, e.g. NPM_TOKEN).
  for (const name of new Set((config?.repos ?? []).flatMap((repo) => repo.setupSecrets ?? []))) {
    const value = environment.host[name];
    if (value) registry.add(`${name} (setup secret)`, value);
  }
  return registry;
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
