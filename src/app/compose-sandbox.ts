import { rgPath as bundledRgPath } from '@vscode/ripgrep';
import type { Config } from '../config/schema.ts';
import { BatonError } from '../observability/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { BatonMetrics } from '../observability/metrics.ts';
import type { RepoCache } from '../repo-cache/index.ts';
import { createE2BSandboxProvider, type ThreadState } from '../sandbox/e2b/index.ts';
import type { BuildLocks } from '../sandbox/environment/build-locks.ts';
import { createLocalSandboxProvider, type LocalSandboxProvider } from '../sandbox/index.ts';
import type { SandboxProvider } from '../sandbox/types.ts';
import type { Store } from '../store/types.ts';
import type { Environment } from './environment.ts';

/** What the E2B provider needs to know of a thread, from the store. */
export function threadStateFrom(store: Store): ThreadState {
  return async (threadKey) => {
    const thread = await store.getThreadByKey(threadKey);
    if (!thread) return null;
    const turns = await store.listTurns(thread.id);
    const ended = turns.flatMap((turn) => (turn.completedAt ? [Date.parse(turn.completedAt)] : []));
    return {
      active: turns.some((turn) => turn.status === 'queued' || turn.status === 'running'),
      lastEndedAt: ended.length ? Math.max(...ended) : undefined,
    };
  };
}

/** The configured sandbox provider: local bubblewrap, or E2B with the key from the environment. */
export function composeSandboxProvider(options: {
  config: Config;
  environment: Environment;
  dataDir: string;
  repoCache: RepoCache;
  store: Store;
  spares: number;
  metrics?: BatonMetrics;
  /** Environment builds one at a time per key: across workers on Postgres, else in this process. */
  buildLocks: BuildLocks;
  log: Logger;
}): { provider: SandboxProvider; local?: LocalSandboxProvider } {
  const { config, environment } = options;
  const log = options.log.child({ component: 'sandbox' });
  if (config.sandbox.provider === 'local') {
    const local = createLocalSandboxProvider({
      dataDir: options.dataDir,
      repoCache: options.repoCache,
      hostEnv: environment.host,
      log,
      spares: options.spares,
      uid: config.sandbox.uid,
      gid: config.sandbox.gid,
      etcExtra: config.sandbox.etcExtra,
      environment: {
        setupAllowHosts: config.sandbox.setupAllowHosts,
        setupTimeoutMs: config.sandbox.setupTimeoutMs,
        environmentCacheMb: config.sandbox.environmentCacheMb,
        locks: options.buildLocks,
      },
    });
    return { provider: local, local };
  }
  const apiKey = environment.secrets.e2bApiKey;
  if (!apiKey) {
    throw new BatonError({
      code: 'e2b_key_missing',
      message: 'sandbox.provider is e2b but E2B_API_KEY is not set',
      hint: 'set E2B_API_KEY, or use sandbox.provider: local',
    });
  }
  const e2b = config.sandbox.e2b;
  return {
    provider: createE2BSandboxProvider({
      repoCache: options.repoCache,
      connection: {
        apiKey,
        apiUrl: environment.e2bApiUrl ?? e2b.apiUrl,
        sandboxUrl: environment.e2bSandboxUrl ?? e2b.sandboxUrl,
        domain: environment.e2bDomain ?? e2b.domain,
        requestTimeoutMs: e2b.requestTimeoutMs,
      },
      template: e2b.template,
      instance: e2b.instance,
      keepPausedMs: e2b.keepPausedMinutes * 60_000,
      threadState: threadStateFrom(options.store),
      hostEnv: environment.host,
      // E2B sandboxes are linux x64: the bundled binary fits only when the host is the same.
      rgPath:
        e2b.uploadRipgrep && process.platform === 'linux' && process.arch === 'x64'
          ? bundledRgPath
          : undefined,
      orphans: options.metrics?.e2bOrphans,
      log,
    }),
  };
}
