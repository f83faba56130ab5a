import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Config, RepoConfig } from '../config/schema.ts';
import type { Logger } from '../observability/logger.ts';
import { createTurnQueue } from '../runs/queue.ts';
import { createEnvironmentPrebuilder } from '../sandbox/environment/prepare-repo.ts';
import { openStore } from '../store/index.ts';
import { composeGateway } from './compose-gateway.ts';
import { composeIntegrations } from './compose-integrations.ts';
import { composeRunner } from './compose-runner.ts';
import { composeWorker } from './compose-worker.ts';
import { type Environment, secretValues } from './environment.ts';
import { createReporterFactory } from './reporter-factory.ts';
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
 * turns), or both. Several workers on one Postgres server share the queue.
 */
export async function startServer(options: ServerOptions): Promise<BatonServer> {
  const { config, environment, log } = options;
  const dataDir = resolve(options.cwd, environment.dataDir ?? config.sandbox.dataDir);
  const { store, sql } = await openStore({
    databaseUrl: environment.databaseUrl,
    dataDir: resolve(dataDir, 'db'),
    // Embedded PGlite on a worker thread: its statements must not hold up the gateway's acks.
    offThread: true,
  });
  const queue = createTurnQueue({
    sql,
    log,
    heartbeatSeconds: config.runs.heartbeatSeconds,
    schema: config.runs.queueSchema,
  });
  await queue.start();
  const secrets = secretValues(environment, config);
  const telemetry =
    options.telemetry ?? startTelemetry(environment, { queueDepth: () => store.countQueued() });
  const integrations = composeIntegrations({
    config,
    environment,
    dataDir,
    log,
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
  const stops: (() => Promise<void>)[] = [];
  let port: number | undefined;

  if (options.role !== 'gateway') {
    const runner = await composeRunner({
      config,
      configDir: options.configDir,
      cwd: options.cwd,
      environment,
      log,
      store,
      sql,
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
    await worker.start();
    options.announce(`Worker: on (${config.runs.workerConcurrency} runs at a time)`);
    const prebuilder =
      config.sandbox.prebuildIntervalMs > 0 && config.repos.length > 0
        ? createEnvironmentPrebuilder({
            provider: runner.deps.provider,
            repos: () => config.repos,
            authFor: (repo) => runner.deps.repoAuthFor?.(repo as RepoConfig) ?? Promise.resolve(undefined),
            limits: config.sandbox,
            intervalMs: config.sandbox.prebuildIntervalMs,
            log: log.child({ role: 'prebuild' }),
          })
        : undefined;
    prebuilder?.start();
    stops.push(async () => {
      await prebuilder?.stop();
      await worker.stop();
      await runner.close();
    });
  }

  if (options.role !== 'worker') {
    const composed = composeGateway({
      config,
      environment,
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
    await composed.slack?.start();
    port = await composed.gateway.start();
    options.announce(`Gateway: listening on http://${config.server.host}:${port} (dashboard at /runs)`);
    stops.unshift(async () => {
      await composed.gateway.stop();
      await composed.slack?.stop();
    });
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
    options.announce(`Worker endpoint: /metrics and /healthz on http://${config.server.host}:${workerPort}`);
    stops.unshift(() => endpoint.stop());
  }

  return {
    port,
    workerPort,
    async stop() {
      for (const stop of stops) await stop();
      await queue.stop();
      await store.close();
      await telemetry.shutdown();
    },
  };
}
