import { dirname, resolve } from 'node:path';
import { resolveMiddlewares } from '../../middleware/registry.ts';
import { loadPrompts } from '../agent/prompts.ts';
import type { Config } from '../config/schema.ts';
import { createModelClient } from '../model/create-model-client.ts';
import type { ModelClient } from '../model/types.ts';
import {
  instrumentMiddlewares,
  instrumentModel,
  instrumentProvider,
  instrumentToolRegistry,
  type Telemetry,
} from '../observability/instrument-turn.ts';
import type { Logger } from '../observability/logger.ts';
import { createMasker } from '../observability/redact.ts';
import type { SecretRegistry } from '../observability/secret-registry.ts';
import { quarantineChanges, type RepoCache } from '../repo-cache/index.ts';
import type { Item } from '../runs/items.ts';
import type { Publisher, TurnDependencies } from '../runs/run-turn.ts';
import {
  type BuildLocks,
  createPostgresBuildLocks,
  createProcessBuildLocks,
} from '../sandbox/environment/build-locks.ts';
import type { SandboxProvider } from '../sandbox/types.ts';
import { openStore } from '../store/index.ts';
import { withMaskedWrites } from '../store/masking-store.ts';
import type { SqlClient } from '../store/sql-client.ts';
import type { Store } from '../store/types.ts';
import { createToolRegistry } from '../tools/registry.ts';
import { composeSandboxProvider } from './compose-sandbox.ts';
import type { Environment } from './environment.ts';

export interface RunnerOptions {
  config: Config;
  /** Where the configuration file lives: custom middleware paths are resolved against it. */
  configDir: string;
  /** The data directory (relative to it) and the repositories are resolved against the working directory. */
  cwd: string;
  environment: Environment;
  /** Every secret value Baton holds (the logger masks with the same one). */
  secrets: SecretRegistry;
  log: Logger;
  publish: Publisher;
  /** The host's repository cache, shared with the publishers. */
  repoCache: RepoCache;
  /** A store the caller already opened (the server shares it with the queue); else one is opened. */
  store?: Store;
  /** The store's SQL client when the caller opened it: on a Postgres server it makes environment builds single-flight across workers. */
  sql?: SqlClient;
  pullRequestsFor?: TurnDependencies['pullRequestsFor'];
  remoteBranch?: TurnDependencies['remoteBranch'];
  repoAuthFor?: TurnDependencies['repoAuthFor'];
  onItem?: (item: Item) => void;
  /** Seams for tests: a provider or fetch other than the defaults. */
  provider?: SandboxProvider;
  /** Spare workspaces kept ready (a long-running server wants one; a one-shot CLI run none). */
  spares?: number;
  fetch?: typeof fetch;
  /** When given, the model, tools, middleware and sandbox report spans and metrics to it. */
  telemetry?: Telemetry;
  /** A model other than the configured endpoint (`baton replay` plays a recording). */
  model?: ModelClient;
}

export interface Runner {
  deps: TurnDependencies;
  dataDir: string;
  close(): Promise<void>;
}

/** Builds everything a turn needs from configuration and environment. The only place that wires SDKs. */
export async function composeRunner(options: RunnerOptions): Promise<Runner> {
  const { config, environment, log } = options;
  // Decorates a part when telemetry is on; otherwise the part is used as it is, at no cost.
  const instrumented = <T>(part: T, decorate: (part: T, telemetry: Telemetry) => T): T =>
    options.telemetry ? decorate(part, options.telemetry) : part;
  const dataDir = resolve(options.cwd, environment.dataDir ?? config.sandbox.dataDir);
  const opened = options.store
    ? undefined
    : await openStore({ databaseUrl: environment.databaseUrl, dataDir: resolve(dataDir, 'db') });
  const ownStore = opened?.store;
  // A store the caller passed is already masked (the server masks the one it shares).
  const store = options.store ?? withMaskedWrites(ownStore as Store, createMasker(options.secrets));
  const sql = options.sql ?? opened?.sql;
  const buildLocks: BuildLocks =
    sql?.kind === 'postgres' ? createPostgresBuildLocks(sql) : createProcessBuildLocks();
  const composed = options.provider
    ? { provider: options.provider, local: undefined }
    : composeSandboxProvider({
        config,
        environment,
        dataDir,
        repoCache: options.repoCache,
        store,
        spares: options.spares ?? 1,
        metrics: options.telemetry?.metrics,
        buildLocks,
        log,
      });
  const provider = instrumented(composed.provider, instrumentProvider);
  const model = instrumented(
    options.model ??
      createModelClient({
        config: config.model,
        apiKey: environment.secrets.openaiApiKey,
        baseUrl: environment.openaiBaseUrl ?? config.model.baseUrl,
        log: log.child({ component: 'model' }),
      }),
    instrumentModel,
  );
  const middlewares = instrumented(
    await resolveMiddlewares(config.middleware, { baseDir: options.configDir }),
    instrumentMiddlewares,
  );
  // A tool the policy turns off is not offered at all, rather than offered and refused.
  const hidden = config.policies.fetchUrl.enabled ? [] : ['fetch_url'];
  const main = instrumented(createToolRegistry({ exclude: hidden }), instrumentToolRegistry);
  const deps: TurnDependencies = {
    config,
    provider,
    model,
    registries: {
      main,
      explorer: instrumented(
        createToolRegistry({ include: ['read_file', 'list_files', 'glob', 'grep', 'view_diff', 'finish'] }),
        instrumentToolRegistry,
      ),
      writer: instrumented(
        createToolRegistry({ exclude: ['task', 'ask', 'reply', ...hidden] }),
        instrumentToolRegistry,
      ),
    },
    middlewares,
    store,
    prompts: await loadPrompts(),
    publish: options.publish,
    quarantine: ({ exported, repo, signal }) =>
      quarantineChanges({
        dataDir,
        mirrorPath: options.repoCache.mirrorPath(repo),
        exported,
        hostEnv: environment.host,
        signal,
      }),
    secrets: options.secrets,
    pullRequestsFor: options.pullRequestsFor,
    remoteBranch: options.remoteBranch,
    repoAuthFor: options.repoAuthFor,
    log,
    fetch: options.fetch,
    onItem: options.onItem,
  };
  return {
    deps,
    dataDir,
    async close() {
      await composed.local?.idle();
      await ownStore?.close();
    },
  };
}

export function configDirOf(configPath: string): string {
  return dirname(resolve(configPath));
}
