import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SandboxInfo } from 'e2b';
import { SandboxNotFoundError, Sandbox as SdkSandbox } from 'e2b';
import type { Logger } from '../../observability/logger.ts';
import type { Counter } from '../../observability/metrics.ts';
import { assertBranchName, type RepoCache, withoutCredentials } from '../../repo-cache/index.ts';
import type { ReconcileReport, Sandbox, SandboxCreateOptions, SandboxProvider } from '../types.ts';
import { type E2BConnection, sdkOptions } from './e2b-connection.ts';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from './e2b-errors.ts';
import { createE2BSandbox } from './e2b-sandbox.ts';
import { ADOPT_SCRIPT, makeStartBundle, sendAndClone } from './e2b-workspace.ts';

/** Metadata keys on every sandbox Baton creates. */
export const E2B_METADATA = {
  instance: 'baton-instance',
  branch: 'baton-branch',
  thread: 'baton-thread',
  turn: 'baton-turn',
  sandbox: 'baton-sandbox',
} as const;

/**
 * What the store knows of a thread: whether a turn of it is queued or running, and when its last
 * turn ended (a sandbox's metadata names the turn that created it, which a resumed sandbox outlives).
 */
export type ThreadState = (threadKey: string) => Promise<{ active: boolean; lastEndedAt?: number } | null>;

export interface E2BSandboxProviderOptions {
  repoCache: RepoCache;
  connection: E2BConnection;
  template: string;
  /** This deployment's name in the metadata. */
  instance: string;
  /** 0: sandboxes are killed at a turn's end instead of paused. */
  keepPausedMs: number;
  threadState?: ThreadState;
  /** The host environment `limits.envAllowlist` copies from. */
  hostEnv?: Readonly<Record<string, string | undefined>>;
  /** Counts sandboxes found running for a turn that had ended. */
  orphans?: Counter;
  retry?: RetryPolicy;
  /** A ripgrep binary for the sandbox (linux x64), uploaded with the repository; absent: the template's own. */
  rgPath?: string;
  now?: () => number;
  log?: Logger;
}

const DEFAULT_LIFETIME_MS = 60 * 60_000;

export function createE2BSandboxProvider(options: E2BSandboxProviderOptions): SandboxProvider {
  const connection = sdkOptions(options.connection);
  const retry = options.retry ?? DEFAULT_RETRY;
  const now = options.now ?? Date.now;
  const hostEnv = options.hostEnv ?? {};
  const call = <T>(doing: string, operation: () => Promise<T>) => withRetry(doing, retry, operation);
  // Read once, now: every cold sandbox gets the same binary, ready when its upload starts.
  const ripgrepBlob = options.rgPath
    ? readFile(options.rgPath).then((binary) => new Blob([binary]))
    : undefined;
  ripgrepBlob?.catch((error: unknown) => options.log?.warn({ err: error }, 'ripgrep binary unreadable'));
  const ripgrep = ripgrepBlob ? () => ripgrepBlob : undefined;

  const kill = (sandboxId: string) => call('kill a sandbox', () => SdkSandbox.kill(sandboxId, connection));
  const listOwn = (metadata: Record<string, string>) =>
    call('list sandboxes', async () => {
      const paginator = SdkSandbox.list({
        ...connection,
        query: { metadata: { [E2B_METADATA.instance]: options.instance, ...metadata } },
      });
      const found: SandboxInfo[] = [];
      while (paginator.hasNext) found.push(...(await paginator.nextItems()));
      return found;
    });
  const isGone = (sandboxId: string) =>
    SdkSandbox.getInfo(sandboxId, connection).then(
      () => false,
      (error: unknown) => error instanceof SandboxNotFoundError,
    );

  const stateOf = async (info: SandboxInfo) => {
    const thread = info.metadata[E2B_METADATA.thread];
    return thread ? ((await options.threadState?.(thread)) ?? null) : null;
  };
  /** Whether a paused sandbox may still serve its thread's next turn. */
  const withinKeep = async (info: SandboxInfo): Promise<boolean> => {
    const state = await stateOf(info);
    return state?.lastEndedAt !== undefined && now() - state.lastEndedAt <= options.keepPausedMs;
  };

  const create = async (createOptions: SandboxCreateOptions): Promise<Sandbox> => {
    const { repo, branch, baseRef, signal, limits, labels } = createOptions;
    assertBranchName(branch);
    signal?.throwIfAborted();
    const start = await options.repoCache.resolveStart({ repo, branch, baseRef, signal });
    const lifetimeMs = limits.lifetimeMs ?? DEFAULT_LIFETIME_MS;
    // Tells this sandbox apart from the branch's others when they are swept.
    const nonce = randomBytes(6).toString('hex');
    const metadata: Record<string, string> = {
      [E2B_METADATA.instance]: options.instance,
      [E2B_METADATA.branch]: branch,
      [E2B_METADATA.sandbox]: nonce,
      ...(labels ? { [E2B_METADATA.thread]: labels.thread, [E2B_METADATA.turn]: labels.turn } : {}),
    };
    const log = options.log?.child({ branch });

    let boots = 0;
    /** A new sandbox with the workspace; `alongside` runs while E2B creates it. */
    const boot = async (alongside?: () => Promise<void>) => {
      // The bundle is made on the host while E2B starts the sandbox: neither waits for the other.
      const [created, bundle, beside] = await Promise.allSettled([
        call('create a sandbox', () =>
          SdkSandbox.create(options.template, {
            ...connection,
            metadata,
            timeoutMs: lifetimeMs,
            // E2B opens the internet by default; the agent phase has none unless configured.
            allowInternetAccess: limits.network === 'on',
          }),
        ),
        makeStartBundle({
          repoCache: options.repoCache,
          repo,
          id: `${nonce}-${++boots}`,
          branch,
          baseRef,
          start,
          signal,
        }),
        alongside?.(),
      ]);
      if (beside.status === 'rejected') log?.warn({ err: beside.reason }, 'E2B sweep of the branch failed');
      if (created.status === 'rejected') {
        if (bundle.status === 'fulfilled')
          await rm(dirname(bundle.value.path), { recursive: true, force: true });
        throw created.reason;
      }
      const sandbox = created.value;
      try {
        if (bundle.status === 'rejected') throw bundle.reason;
        await sendAndClone({
          sandbox,
          bundle: bundle.value,
          originUrl: withoutCredentials(repo.url),
          ripgrep,
          branch,
          baseRef,
        });
      } catch (error) {
        await kill(sandbox.sandboxId).catch(() => undefined);
        throw error;
      }
      log?.info({ sandbox: sandbox.sandboxId, start: start.commit, from: start.from }, 'E2B sandbox ready');
      return sandbox;
    };

    /** Kills the branch's other sandboxes: left running by an earlier attempt, or paused past use. */
    const sweep = async (keep?: string) => {
      for (const info of await listOwn({ [E2B_METADATA.branch]: branch })) {
        if (info.metadata[E2B_METADATA.sandbox] === nonce || info.sandboxId === keep) continue;
        if (info.state === 'running') options.orphans?.inc({ reason: 'superseded' });
        await kill(info.sandboxId);
      }
    };

    /** The thread's paused sandbox, resumed, when it is at the start commit. */
    const adopt = async () => {
      for (const info of await listOwn({ [E2B_METADATA.branch]: branch })) {
        if (info.state !== 'paused') continue;
        const resumed = await call('resume a sandbox', () =>
          SdkSandbox.connect(info.sandboxId, { ...connection, timeoutMs: lifetimeMs }),
        );
        const [fits] = await Promise.all([
          resumed.commands
            .run(ADOPT_SCRIPT, { envs: { BATON_START: start.commit, BATON_BRANCH: branch } })
            .then(
              () => true,
              () => false,
            ),
          sweep(info.sandboxId),
        ]);
        if (fits) {
          log?.info({ sandbox: info.sandboxId }, 'E2B sandbox resumed for the next turn');
          return resumed;
        }
        await kill(info.sandboxId);
      }
      return undefined;
    };

    // Only a thread whose last turn ended within the keep time can have a sandbox to resume; the
    // store says so without a call to E2B, so a cold start does not wait for a listing.
    const threadState = labels ? await options.threadState?.(labels.thread) : undefined;
    const mayResume =
      options.keepPausedMs > 0 &&
      threadState?.lastEndedAt !== undefined &&
      now() - threadState.lastEndedAt <= options.keepPausedMs;
    let initial = mayResume ? await adopt() : undefined;
    initial ??= await boot(labels ? () => sweep() : undefined);
    return createE2BSandbox({
      initial,
      branch,
      baseCommit: start.commit,
      limits,
      hostEnv,
      withheld: [options.connection.apiKey],
      requestTimeoutMs: options.connection.requestTimeoutMs,
      exportsDir: options.repoCache.layout.exports(initial.sandboxId),
      boot,
      isGone,
      lastCheckpoint: createOptions.lastCheckpoint,
      pause: async (sandbox) => {
        await call('pause a sandbox', () => sandbox.pause());
      },
      resume: (sandbox) =>
        call('resume a sandbox', () =>
          SdkSandbox.connect(sandbox.sandboxId, { ...connection, timeoutMs: lifetimeMs }),
        ),
      release: async (sandbox) => {
        if (labels && options.keepPausedMs > 0) {
          try {
            await call('pause a sandbox', () => sandbox.pause());
            return;
          } catch (error) {
            log?.warn({ err: error, sandbox: sandbox.sandboxId }, 'E2B pause failed; killing the sandbox');
          }
        }
        await kill(sandbox.sandboxId).catch((error: unknown) =>
          log?.warn({ err: error, sandbox: sandbox.sandboxId }, 'E2B kill failed; its lifetime ends it'),
        );
      },
      log,
    });
  };

  /**
   * At worker start: a running sandbox whose turn has ended (or is unknown) was left by a process
   * that died; a paused one past its keep time will not be resumed. Both are killed.
   */
  const reconcile = async (): Promise<ReconcileReport> => {
    const report: ReconcileReport = { orphans: 0, expired: 0 };
    for (const info of await listOwn({})) {
      const state = await stateOf(info);
      if (info.state === 'running') {
        // A turn of the thread still works (on a live worker, or about to be taken over): not ours to end.
        if (state?.active) continue;
        report.orphans += 1;
        options.orphans?.inc({ reason: 'turn_ended' });
      } else {
        if (state?.active || (await withinKeep(info))) continue;
        report.expired += 1;
      }
      await kill(info.sandboxId);
    }
    if (report.orphans || report.expired) options.log?.info(report, 'E2B sandboxes reconciled');
    return report;
  };

  return { kind: 'e2b', create, reconcile };
}
