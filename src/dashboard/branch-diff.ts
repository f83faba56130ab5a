import { existsSync } from 'node:fs';
import { type HostEnv, tryHostGit } from '../repo-cache/host-git.ts';
import type { Item } from '../runs/items.ts';
import type { ThreadRecord } from '../store/types.ts';

export interface FileDiff {
  path: string;
  patch: string;
  added: number;
  removed: number;
}

export type BranchDiff =
  | { type: 'diff'; source: 'mirror' | 'checkpoint'; base: string; files: FileDiff[]; truncated: boolean }
  | { type: 'unavailable'; reason: string };

export interface BranchDiffOptions {
  /** The host's bare mirror of a repository, when this process keeps one. */
  mirrorPath(repo: string): string | undefined;
  defaultBranch(repo: string): string | undefined;
  hostEnv: HostEnv;
  /** Larger diffs are cut, with a note; the browser should not choke on a vendored directory. */
  maxBytes?: number;
}

export type BranchDiffSource = (thread: ThreadRecord, items: readonly Item[]) => Promise<BranchDiff>;

/** Splits `git diff` output into one patch per file. */
export function splitPatch(patch: string): FileDiff[] {
  const files: FileDiff[] = [];
  for (const chunk of patch.split(/^(?=diff --git )/m)) {
    if (!chunk.startsWith('diff --git ')) continue;
    const header = /^diff --git a\/(.+?) b\/(.+)$/m.exec(chunk);
    const lines = chunk.split('\n');
    files.push({
      path: header?.[2] ?? header?.[1] ?? 'unknown',
      patch: chunk.replace(/\n$/, ''),
      added: lines.filter((line) => line.startsWith('+') && !line.startsWith('+++')).length,
      removed: lines.filter((line) => line.startsWith('-') && !line.startsWith('---')).length,
    });
  }
  return files;
}

/**
 * The branch's changes against its base, computed on the host from the repository's mirror (read-only:
 * `git diff` writes nothing). A gateway without the mirror falls back to the run's latest checkpoint.
 */
export function createBranchDiff(options: BranchDiffOptions): BranchDiffSource {
  const maxBytes = options.maxBytes ?? 2_000_000;
  const cut = (text: string) =>
    text.length > maxBytes ? { text: text.slice(0, maxBytes), truncated: true } : { text, truncated: false };

  return async (thread, items) => {
    const mirror = options.mirrorPath(thread.repo);
    const base = options.defaultBranch(thread.repo);
    if (mirror && base && existsSync(mirror)) {
      const git = { cwd: mirror, hostEnv: options.hostEnv };
      const resolve = async (ref: string) => {
        const found = await tryHostGit(
          ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`],
          git,
        );
        return found.exitCode === 0 ? found.stdout.trim() : undefined;
      };
      const tip =
        (await resolve(`refs/baton/${thread.branch}`)) ?? (await resolve(`refs/heads/${thread.branch}`));
      const baseCommit = await resolve(`refs/heads/${base}`);
      if (tip && baseCommit) {
        const diff = await tryHostGit(
          [
            '--no-optional-locks',
            'diff',
            '--no-color',
            '--no-ext-diff',
            '--no-textconv',
            '-M',
            `${baseCommit}...${tip}`,
            '--',
          ],
          git,
        );
        if (diff.exitCode === 0) {
          const { text, truncated } = cut(diff.stdout);
          return { type: 'diff', source: 'mirror', base, files: splitPatch(text), truncated };
        }
      }
    }
    const checkpoint = [...items]
      .reverse()
      .find((item) => item.payload.type === 'checkpoint' && item.payload.scope !== 'subagent');
    if (checkpoint?.payload.type === 'checkpoint') {
      const { text, truncated } = cut(checkpoint.payload.patch);
      return {
        type: 'diff',
        source: 'checkpoint',
        base: checkpoint.payload.baseCommit.slice(0, 12),
        files: splitPatch(text),
        truncated,
      };
    }
    return {
      type: 'unavailable',
      reason: `No commits on ${thread.branch} yet${mirror ? '' : ', and this gateway keeps no mirror of the repository'}.`,
    };
  };
}
