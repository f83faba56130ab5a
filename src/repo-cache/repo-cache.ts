import { join } from 'node:path';
import type { Logger } from '../observability/logger.ts';
import type { ChangeExport, RepoSource } from '../sandbox/types.ts';
import type { HostEnv } from './host-git.ts';
import { type ImportChangesResult, importChanges } from './import-changes.ts';
import { dataLayout } from './layout.ts';
import { createMirrorManager } from './mirror.ts';
import { type PushBranchOptions, type PushBranchResult, pushBranch } from './push-branch.ts';
import { resolveStart, type StartPoint } from './resolve-start.ts';
import { createStartBundle } from './start-bundle.ts';

export interface RepoCacheOptions {
  /** Host directory that holds the mirrors (and, through the same layout, every provider's files). */
  dataDir: string;
  /** The host environment git runs with (PATH, HOME, proxies); credentials come per repository. */
  hostEnv?: HostEnv;
  /** A mirror fetched less than this long ago is not fetched again. Default 30 s. */
  mirrorStaleMs?: number;
  now?: () => number;
  log?: Logger;
}

/**
 * The host's repository cache: one bare mirror per repository, fetched with the host's credentials,
 * the run's bundles imported into it after verification, and pushes from it. Every sandbox provider
 * starts workspaces from it and every publisher pushes from it; nothing in it ever enters a sandbox
 * except what a provider copies out (objects, or a bundle without credentials).
 */
export interface RepoCache {
  readonly dataDir: string;
  readonly hostEnv: HostEnv;
  readonly layout: ReturnType<typeof dataLayout>;
  mirrorPath(repo: Pick<RepoSource, 'name'>): string;
  /** The mirror's host path, cloned or refreshed as needed. */
  ensure(repo: RepoSource, signal?: AbortSignal): Promise<string>;
  /** Where a workspace for `branch` starts: Baton's imported work, the remote branch, or the base. */
  resolveStart(options: {
    repo: RepoSource;
    branch: string;
    baseRef: string;
    signal?: AbortSignal;
  }): Promise<StartPoint & { mirrorPath: string }>;
  /** Verifies a run's bundle (only base..branch, tip as reported) and keeps it under refs/baton/. */
  importChanges(options: {
    repo: Pick<RepoSource, 'name'>;
    exported: ChangeExport;
    signal?: AbortSignal;
  }): Promise<ImportChangesResult>;
  /**
   * A bundle of a start point for a sandbox that cannot borrow the mirror's objects: objects and
   * two scratch refs only (the start commit, the base branch), at `layout.outgoing(id)`.
   */
  startBundle(options: {
    repo: Pick<RepoSource, 'name'>;
    id: string;
    commit: string;
    baseCommit?: string;
    signal?: AbortSignal;
  }): Promise<{ path: string; tipRef: string; baseRef?: string }>;
  /** Pushes the branch's imported work to the remote; default and protected branches refused. */
  push(
    options: Omit<PushBranchOptions, 'mirrorPath' | 'hostEnv'> & { repo: Pick<RepoSource, 'name'> },
  ): Promise<PushBranchResult>;
}

export function createRepoCache(options: RepoCacheOptions): RepoCache {
  const hostEnv = options.hostEnv ?? {};
  const layout = dataLayout(options.dataDir);
  const mirrors = createMirrorManager({
    mirrorPath: layout.mirror,
    hostEnv,
    staleMs: options.mirrorStaleMs ?? 30_000,
    now: options.now ?? Date.now,
    log: options.log,
  });
  return {
    dataDir: options.dataDir,
    hostEnv,
    layout,
    mirrorPath: (repo) => layout.mirror(repo.name),
    ensure: (repo, signal) => mirrors.ensure(repo, signal),
    async resolveStart({ repo, branch, baseRef, signal }) {
      const mirrorPath = await mirrors.ensure(repo, signal);
      const start = await resolveStart({ mirrorPath, branch, baseRef, hostEnv, signal });
      return { ...start, mirrorPath };
    },
    importChanges: ({ repo, exported, signal }) =>
      importChanges({ mirrorPath: layout.mirror(repo.name), exported, hostEnv, signal }),
    async startBundle({ repo, id, commit, baseCommit, signal }) {
      const path = join(layout.outgoing(id), 'start.bundle');
      const refs = await createStartBundle({
        mirrorPath: layout.mirror(repo.name),
        commit,
        baseCommit,
        target: path,
        hostEnv,
        signal,
      });
      return { path, ...refs };
    },
    push: ({ repo, ...push }) => pushBranch({ ...push, mirrorPath: layout.mirror(repo.name), hostEnv }),
  };
}
