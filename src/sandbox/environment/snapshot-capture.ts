import { appendFile, chmod, lstat, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { giveToSandbox, type SandboxUser } from '../local/sandbox-user.ts';
import type { ExecResult } from '../types.ts';
import { mountOverlay } from './overlay.ts';
import {
  copyTree,
  createdPaths,
  moveIntoSnapshot,
  safeRestoreTarget,
  safeWorkspacePath,
  scrubSecrets,
} from './snapshot-files.ts';
import type { SnapshotEntry, SnapshotStore } from './snapshot-store.ts';

type SandboxedCommand = (cmd: string) => Promise<ExecResult>;

const LIST_CREATED = 'git status --porcelain=v1 -z --ignored --untracked-files=normal';

/** An exclude line that matches exactly one path from the root (gitignore specials escaped). */
function excludeLine(path: string): string {
  return `/${path.replace(/([\\*?[\]!# ])/g, '\\$1')}`;
}

const EXCLUDE_HEADER = '\n# The environment Baton set up, never committed\n';

/** Keeps the environment out of every commit, also in repositories that do not ignore node_modules. */
async function excludeInSandbox(exec: SandboxedCommand, paths: readonly string[]): Promise<void> {
  const lines = [EXCLUDE_HEADER.trim(), ...paths.map(excludeLine)].map(
    (line) => `'${line.replaceAll("'", `'\\''`)}'`,
  );
  await exec(`printf '\\n%s\\n' ${lines.join(' ')} >> .git/info/exclude`);
}

async function listCreated(exec: SandboxedCommand): Promise<string[] | string> {
  const status = await exec(LIST_CREATED);
  if (status.exitCode !== 0) return `git status failed (exit ${status.exitCode})`;
  return createdPaths(status.stdout);
}

/**
 * After a successful setup: the files it created (untracked or ignored) move into a new snapshot,
 * with every form of the setup secrets scrubbed first. Returns why nothing was cached, if so; the
 * files then stay where they are.
 */
export async function captureSnapshot(options: {
  store: SnapshotStore;
  key: string;
  repo: string;
  commands: string[];
  workspaceDir: string;
  rgPath: string;
  secretForms: readonly string[];
  exec: SandboxedCommand;
  move: true;
}): Promise<string | undefined> {
  const paths = await listCreated(options.exec);
  if (typeof paths === 'string') return paths;
  if (paths.length === 0) return 'the setup created no files';
  await excludeInSandbox(options.exec, paths);
  const sources: string[] = [];
  for (const path of paths) {
    const source = await safeWorkspacePath(options.workspaceDir, path);
    if (!source) return `${path} is reached through a symlink`;
    sources.push(source);
  }
  await scrubSecrets({ rgPath: options.rgPath, roots: sources, forms: options.secretForms });
  const build = await options.store.startBuild(options.key);
  const moved: { source: string; path: string }[] = [];
  try {
    for (const [index, path] of paths.entries()) {
      await moveIntoSnapshot(sources[index] as string, join(build, 'tree'), path);
      moved.push({ source: sources[index] as string, path });
    }
    await options.store.commit(build, {
      key: options.key,
      repo: options.repo,
      commands: options.commands,
      paths,
    });
    return undefined;
  } catch (error) {
    for (const { source, path } of moved)
      await rename(join(build, 'tree', path), source).catch(() => undefined);
    await options.store.discardBuild(build);
    return `the snapshot could not be written: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * A snapshot into a fresh workspace: each directory as an overlay (its upper layer is the run's
 * own, so the run's writes never reach the snapshot), files and non-overlay hosts as copies.
 */
export async function restoreSnapshot(options: {
  entry: SnapshotEntry;
  store: SnapshotStore;
  workspaceDir: string;
  upperRoot: string;
  overlays: boolean;
  /** Set when Baton is root: what the host creates here goes to the sandbox's uid. */
  owner?: SandboxUser;
  /**
   * True only while no sandboxed command has touched the workspace: the host then writes git's
   * exclude file itself (after that, `.git` is untrusted and the setup already wrote it in the sandbox).
   */
  fresh: boolean;
}): Promise<{ mounted: string[] }> {
  const mounted: string[] = [];
  const { entry } = options;
  if (options.fresh)
    await appendFile(
      join(options.workspaceDir, '.git', 'info', 'exclude'),
      `${EXCLUDE_HEADER}${entry.paths.map(excludeLine).join('\n')}\n`,
    );
  if (options.overlays) {
    await mkdir(options.upperRoot, { recursive: true });
    await writeFile(join(options.upperRoot, 'owner'), String(process.pid));
  }
  for (const [index, path] of entry.paths.entries()) {
    const source = options.store.treePath(entry.key, path);
    const info = await lstat(source);
    const target = await safeRestoreTarget(options.workspaceDir, path);
    if (!target) continue;
    if (info.isDirectory() && options.overlays) {
      const layer = join(options.upperRoot, String(index));
      const upper = join(layer, 'upper');
      // The merged root is the upper directory, made by the host, and the sandbox creates entries in
      // it. overlayfs copies its owner and mode into the root inode at mount time and checks access
      // against that copy (a later chown shows in `ls` but not in the check), so both are set first:
      // the snapshot root's mode, and the sandbox's uid when Baton is root.
      await mkdir(upper, { recursive: true });
      await chmod(upper, info.mode & 0o7777);
      if (options.owner) await giveToSandbox(upper, options.owner);
      const result = await mountOverlay({ lower: source, upper, work: join(layer, 'work'), target });
      if (result.ok) {
        mounted.push(target);
        continue;
      }
    }
    await copyTree(source, target);
    if (options.owner) await giveToSandbox(target, options.owner);
  }
  return { mounted };
}
