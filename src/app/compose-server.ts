import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Config, RepoConfig } from '../config/schema.ts';
import { BatonError, describeError } from '../observability/errors.ts';
import type { Logger } from '../observability/logger.ts';
import { createMasker } from '../observability/redact.ts';
import type { SecretRegistry } from '../observability/secret-registry.ts';
import { createRepoCache } from '../repo-cache/index.ts';
import { createTurnQueue } from '../runs/queue.ts';
import { createEnvironmentPrebuilder } from '../sandbox/environment/prepare-repo.ts';
import { openStore } from '../store/index.ts';
import { withMaskedWrites } from '../store/masking-store.ts';
import { composeGateway } from './compose-gateway.ts';
import { composeIntegrations } from './compose-integrations.ts';
import { composeRunner } from './compose-runner.ts';
import { composeWorker } from './compose-worker.ts';
import { createSecretRegistryFromEnvironment, type Environment } from './environment.ts';
import { createReporterFactory } from './reporter-factory.ts';
import { startSandboxReconciler } from './sandbox-reconciler.ts';
import { type StartedTelemetry, startTelemetry } from './telemetry.ts';
import { startWorkerEndpoint } from './worker-endpoint.ts';

export type ServerRole = 'gateway' | 'worker' | 'all';

export interface ServerOptions {
  config: Config;
  configDir: string;
  cwd: string;
  environment: Environment;
  role: ServerRole;
  log: Logger;
  announce: (line: string) => void;
  workerId?: string;
  fetch?: typeof fetch;
  /** Spans and metrics; default: from the environment (tracing only with an OTLP endpoint). */
  telemetry?: StartedTelemetry;
  /** The registry of secret values; the logger should mask with the same one. Built from the environment when absent. */
  secrets?: SecretRegistry;
}

export interface BatonServer {
  /** The gateway's port, when this process serves HTTP. */
  port?: number;
  /** A worker-only process's own port for /metrics, /healthz and /readyz. */
  workerPort?: number;
  stop(): Promise<void>;
}

/**
 * `baton start`: the store and queue, then the gateway (every front door), the worker (runs the
 * turns), or both. Several workers on one Postgres server share the queue. With both, the worker
 * starts taking turns only once the gateway listens; a failure at any step closes what was opened
 * before it, so the process can exit instead of serving half.
 */
export async function startServer(options: ServerOptions): Promise<BatonServer> {
  const { config, environment, log } = options;
  const dataDir = resolve(options.cwd, environment.dataDir ?? config.sandbox.dataDir);
  const opened = createShutdownList(log);
  const secrets = options.secrets ?? createSecretRegistryFromEnvironment(environment, config);
  try {
    const database = await openStore({
      databaseUrl: environment.databaseUrl,
      dataDir: resolve(dataDir, 'db'),
      // Embedded PGlite on a worker thread: its statements must not hold up the gateway's acks.
      offThread: true,
    }).catch((error: unknown) => {
      throw storeOpenError(error, environment.databaseUrl, resolve(dataDir, 'db'));
    });
    const { sql } = database;
    const store = withMaskedWrites(database.store, createMasker(secrets));
    opened.add('store', () => store.close());
    const queue = createTurnQueue({
      sql,
      log,
      heartbeatSeconds: config.runs.heartbeatSeconds,
      schema: config.runs.queueSchema,
    });
    await queue.start();
    opened.add('queue', () => queue.stop());
    for (const name of secrets.tooShort()) {
      log.warn(
        { secret: name },
        `${name} is shorter than ${secrets.minLength} characters, so Baton cannot mask it`,
      );
    }
    const telemetry =
      options.telemetry ?? startTelemetry(environment, { queueDepth: () => store.countQueued() });
    opened.add('telemetry', () => telemetry.shutdown());
    const repoCache = createRepoCache({
      dataDir,
      hostEnv: environment.host,
      log: log.child({ component: 'repo-cache' }),
    });
    const integrations = composeIntegrations({
      config,
      environment,
      repoCache,
      log,
      secrets,
      fetch: options.fetch,
      tracer: telemetry.tracer,
    });
    const reporterFor = createReporterFactory({
      config,
      integrations,
      store,
      secrets,
      log,
      metrics: telemetry.metrics,
    });

    const runner =
      options.role === 'gateway'
        ? undefined
        : await composeRunner({
            config,
            configDir: options.configDir,
            cwd: options.cwd,
            environment,
            secrets,
            log,
            store,
            sql,
            repoCache,
            publish: integrations.publish,
            remoteBranch: integrations.remoteBranch,
            pullRequestsFor: (repo) =>
              integrations.isGitHubRepo(repo) ? integrations.github?.pullRequests : undefined,
            repoAuthFor: async (repo) =>
              integrations.github && integrations.isGitHubRepo(repo)
                ? integrations.github.repoAuth(repo.name)
                : undefined,
            fetch: options.fetch,
            telemetry,
          });
    if (runner) opened.add('runner', () => runner.close());

    let port: number | undefined;
    if (options.role !== 'worker') {
      const composed = composeGateway({
        config,
        environment,
        dataDir,
        store,
        sql,
        queue,
        integrations,
        reporterFor,
        secrets,
        log: log.child({ role: 'gateway' }),
        announce: options.announce,
        telemetry,
      });
      if (composed.slack) {
        const slack = composed.slack;
        await slack.start();
        opened.add('slack', () => slack.stop());
      }
      port = await composed.gateway.start();
      opened.add('gateway', () => composed.gateway.stop());
      options.announce(`Gateway: listening on http://${config.server.host}:${port} (dashboard at /runs)`);
    }

    let workerPort: number | undefined;
    if (options.role === 'worker') {
      const endpoint = await startWorkerEndpoint({
        port: environment.workerPort ?? config.server.workerPort,
        host: config.server.host,
        sql,
        queue,
        metrics: telemetry.metrics,
        log: log.child({ role: 'worker', component: 'endpoint' }),
      });
      workerPort = endpoint.port;
      opened.add('endpoint', () => endpoint.stop());
      options.announce(
        `Worker endpoint: /metrics and /healthz on http://${config.server.host}:${workerPort}`,
      );
    }

    if (runner) {
      const worker = composeWorker({
        config,
        store,
        queue,
        deps: runner.deps,
        integrations,
        reporterFor,
        githubApiUrl: environment.githubApiUrl,
        workerId: options.workerId ?? `${hostname()}:${process.pid}`,
        log: log.child({ role: 'worker' }),
        telemetry,
      });
      const reconciler = await startSandboxReconciler({
        provider: runner.deps.provider,
        log: log.child({ component: 'sandbox' }),
        announce: options.announce,
      });
      opened.add('reconciler', async () => reconciler.stop());
      await worker.start();
      opened.add('worker', () => worker.stop());
      options.announce(`Worker: on (${config.runs.workerConcurrency} runs at a time)`);
      if (config.sandbox.prebuildIntervalMs > 0 && config.repos.length > 0) {
        const prebuilder = createEnvironmentPrebuilder({
          provider: runner.deps.provider,
          repos: () => config.repos,
          authFor: (repo) => runner.deps.repoAuthFor?.(repo as RepoConfig) ?? Promise.resolve(undefined),
          limits: config.sandbox,
          intervalMs: config.sandbox.prebuildIntervalMs,
          log: log.child({ role: 'prebuild' }),
        });
        prebuilder.start();
        opened.add('prebuilder', () => prebuilder.stop());
      }
    }
    return { port, workerPort, stop: () => opened.closeAll() };
  } catch (error) {
    await opened.closeAll();
    throw error;
  }
}

/** A store that will not open names the setting that points at it. */
function storeOpenError(error: unknown, databaseUrl: string | undefined, embeddedDir: string): BatonError {
  if (error instanceof BatonError && error.hint) return error;
  return new BatonError({
    code: 'store_open_failed',
    message: `the database could not be opened: ${describeError(error)}`,
    hint: databaseUrl
      ? 'check DATABASE_URL: the server, that the database exists, and that the user may connect to it'
      : `check the embedded database in ${embeddedDir} (BATON_DATA_DIR or sandbox.dataDir)`,
    cause: error,
  });
}

/** The order things stop in: intake first, so no new work arrives while the worker winds down. */
const STOP_ORDER = [
  'gateway',
  'slack',
  'endpoint',
  'prebuilder',
  'reconciler',
  'worker',
  'runner',
  'queue',
  'store',
  'telemetry',
] as const;
type Part = (typeof STOP_ORDER)[number];

/** What has been opened so far, closed in STOP_ORDER; a part that fails to close does not keep the rest open. */
function createShutdownList(log: Logger) {
  const parts = new Map<Part, () => Promise<void>>();
  return {
    add(part: Part, close: () => Promise<void>) {
      parts.set(part, close);
    },
    async closeAll() {
      for (const part of STOP_ORDER) {
        const close = parts.get(part);
        if (!close) continue;
        parts.delete(part);
        await close().catch((error: unknown) => log.error({ err: error, part }, 'stop-failed'));
      }
    },
  };
}
