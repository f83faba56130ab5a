import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../../observability/logger.ts';
import type { HostEnv } from '../../repo-cache/host-git.ts';
import type { SandboxUser } from './sandbox-user.ts';
import { prepareCheckout } from './workspace.ts';

const SPARE_NAME = /^([0-9a-f]{40}|[0-9a-f]{64})-[0-9a-f]+$/;

/*
 * Why a pool: a checkout writes every file of the tree (10,000 files ≈ a plain clone), so no
 * per-request copy can be much faster than `git clone`. Instead a complete checkout is prepared
 * in the background after each create, and the next create claims it with one rename. A spare is
 * an independent checkout (no hardlinks, no shared files), never seen by any sandbox before it is
 * claimed. The pool lives on disk, `spares/<repo>/<commit>-<random>`: a rename either wins or finds
 * nothing, so several processes may share it. A spare at an older commit is still useful: moving
 * it to the new commit only rewrites the files that changed.
 */
export function createSparePool(options: {
  sparesDir: (repoName: string) => string;
  hostEnv: HostEnv;
  user: SandboxUser;
  /** Spares kept ready per repository; 0 turns the pool off. */
  size: number;
  log?: Logger;
}) {
  const refills = new Map<string, Promise<void>>();

  const readySpares = async (repoName: string) => {
    const names = await readdir(options.sparesDir(repoName)).catch(() => [] as string[]);
    return names.flatMap((name) => {
      const match = SPARE_NAME.exec(name);
      return match?.[1] ? [{ name, commit: match[1] }] : [];
    });
  };

  const prepare = async (repoName: string, mirrorPath: string, commit: string, originUrl: string) => {
    const directory = options.sparesDir(repoName);
    await mkdir(directory, { recursive: true });
    const suffix = randomBytes(6).toString('hex');
    const temporary = join(directory, `.prep-${suffix}`);
    try {
      await prepareCheckout({
        mirrorPath,
        commit,
        directory: temporary,
        originUrl,
        hostEnv: options.hostEnv,
        user: options.user,
      });
      await rename(temporary, join(directory, `${commit}-${suffix}`));
    } finally {
      await rm(temporary, { recursive: true, force: true });
    }
  };

  return {
    /** Moves a ready spare to `destination`; prefers one at `commit`. Returns its commit, or undefined. */
    async claim(repoName: string, commit: string, destination: string): Promise<string | undefined> {
      if (options.size === 0) return undefined;
      const spares = await readySpares(repoName);
      spares.sort((a, b) => Number(b.commit === commit) - Number(a.commit === commit));
      await mkdir(dirname(destination), { recursive: true });
      for (const spare of spares) {
        try {
          await rename(join(options.sparesDir(repoName), spare.name), destination);
          return spare.commit;
        } catch {
          // Another create (or process) took it first.
        }
      }
      return undefined;
    },

    /** Starts preparing a spare in the background when the pool is short; one refill per repository at a time. */
    refill(repoName: string, mirrorPath: string, commit: string, originUrl: string): void {
      if (options.size === 0 || refills.has(repoName)) return;
      const run = (async () => {
        while ((await readySpares(repoName)).length < options.size) {
          await prepare(repoName, mirrorPath, commit, originUrl);
        }
      })()
        .catch((error: unknown) =>
          options.log?.warn({ err: error, repo: repoName }, 'spare workspace not prepared'),
        )
        .finally(() => refills.delete(repoName));
      refills.set(repoName, run);
    },

    /** Resolves when no refill is running (tests and benchmarks wait for a quiet pool). */
    async idle(): Promise<void> {
      while (refills.size > 0) await Promise.all(refills.values());
    },
  };
}
