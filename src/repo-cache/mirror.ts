import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../observability/logger.ts';
import type { RepoSource } from '../sandbox/types.ts';
import { type HostEnv, hostGit, withoutCredentials } from './host-git.ts';
import { createKeyedMutex } from './keyed-mutex.ts';

/**
 * Refs the mirror follows from the remote. Baton's own imported work lives under `refs/baton/`,
 * outside these refspecs, so `fetch --prune` never deletes work that was not pushed yet.
 */
export const MIRROR_REFSPECS = ['+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'] as const;
export const WORK_REF_PREFIX = 'refs/baton/';
const FETCHED_MARKER = 'baton-fetched-at';

export interface MirrorManagerOptions {
  mirrorPath: (repoName: string) => string;
  hostEnv: HostEnv;
  /** A mirror fetched less than this long ago is used as it is. */
  staleMs: number;
  now: () => number;
  log?: Logger;
}

/** Keeps one bare mirror per repository on the host, cloned once and refreshed when stale. */
export function createMirrorManager(options: MirrorManagerOptions) {
  const locks = createKeyedMutex();

  const markFetched = async (path: string) => {
    const marker = join(path, FETCHED_MARKER);
    const moment = new Date(options.now());
    await writeFile(marker, '');
    await utimes(marker, moment, moment);
  };

  const clone = async (repo: RepoSource, path: string, signal?: AbortSignal) => {
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.tmp-${randomBytes(4).toString('hex')}`;
    try {
      await hostGit(['clone', '--mirror', '--quiet', '--', withoutCredentials(repo.url), temporary], {
        hostEnv: options.hostEnv,
        auth: repo.auth,
        signal,
        code: 'sandbox_repo_unreachable',
        retryable: true,
      });
      await hostGit(['config', '--replace-all', 'remote.origin.fetch', MIRROR_REFSPECS[0]], {
        cwd: temporary,
        hostEnv: options.hostEnv,
      });
      await hostGit(['config', '--add', 'remote.origin.fetch', MIRROR_REFSPECS[1]], {
        cwd: temporary,
        hostEnv: options.hostEnv,
      });
      await markFetched(temporary);
      await rename(temporary, path);
    } finally {
      await rm(temporary, { recursive: true, force: true });
    }
    options.log?.info({ repo: repo.name, mirror: path }, 'mirror cloned');
  };

  const refresh = async (repo: RepoSource, path: string, signal?: AbortSignal) => {
    try {
      // The URL is given explicitly, so a changed configuration needs no edit of the mirror's config.
      await hostGit(['fetch', '--prune', '--quiet', '--', withoutCredentials(repo.url), ...MIRROR_REFSPECS], {
        cwd: path,
        hostEnv: options.hostEnv,
        auth: repo.auth,
        signal,
        code: 'sandbox_repo_unreachable',
        retryable: true,
      });
      await markFetched(path);
    } catch (error) {
      if (signal?.aborted) throw error;
      // A remote that is briefly down should not stop the run: the last fetched state is still good work.
      options.log?.warn(
        { err: error, repo: repo.name },
        'mirror refresh failed; using the last fetched state',
      );
    }
  };

  return {
    /** The mirror's host path, cloned or refreshed as needed. One clone or fetch per mirror at a time. */
    ensure(repo: RepoSource, signal?: AbortSignal): Promise<string> {
      const path = options.mirrorPath(repo.name);
      return locks.run(path, async () => {
        const fetchedAt = await stat(join(path, FETCHED_MARKER)).then(
          (info) => info.mtimeMs,
          () => undefined,
        );
        if (fetchedAt === undefined) {
          const exists = await stat(join(path, 'HEAD')).then(
            () => true,
            () => false,
          );
          if (exists) await refresh(repo, path, signal);
          else await clone(repo, path, signal);
        } else if (options.now() - fetchedAt >= options.staleMs) {
          await refresh(repo, path, signal);
        }
        return path;
      });
    },
  };
}
