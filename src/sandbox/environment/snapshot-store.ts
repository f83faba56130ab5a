import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What a snapshot holds: the files a setup created, and how it was made. */
export interface SnapshotMeta {
  key: string;
  repo: string;
  commands: string[];
  /** Workspace-relative paths the setup created (directories and files), as stored under `tree/`. */
  paths: string[];
  sizeBytes: number;
  fileCount: number;
  createdAt: string;
}

export interface SnapshotEntry extends SnapshotMeta {
  /** Host directory whose `tree/<path>` are the snapshot's files. */
  directory: string;
  lastUsedAt: string;
  /** True while a live run uses it (it is then never evicted). */
  inUse: boolean;
}

const KEY = /^[0-9a-f]{32}$/;

async function treeSize(path: string): Promise<{ bytes: number; files: number }> {
  const info = await lstat(path);
  if (!info.isDirectory()) return { bytes: info.size, files: 1 };
  let bytes = 0;
  let files = 0;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = await treeSize(join(path, entry.name));
    bytes += child.bytes;
    files += child.files;
  }
  return { bytes, files };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A build older than this was left by a process that died mid-setup (a setup is bounded by its timeout). */
const ABANDONED_BUILD_MS = 6 * 3_600_000;

async function removeAbandonedBuilds(building: string): Promise<void> {
  for (const name of await readdir(building).catch(() => [] as string[])) {
    const path = join(building, name);
    const info = await stat(path).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > ABANDONED_BUILD_MS)
      await rm(path, { recursive: true, force: true });
  }
}

/**
 * The environment cache on the host: `entries/<key>/{meta.json,tree/}`. An entry appears with one
 * rename once complete, so a reader never sees half a snapshot; `meta.json`'s mtime is its last use;
 * `users/<pid>-<id>` marks a run that has it mounted, so eviction leaves it alone.
 */
export function createSnapshotStore(root: string) {
  const entries = join(root, 'entries');
  const building = join(root, 'building');
  const entryDir = (key: string) => join(entries, key);

  const read = async (key: string): Promise<SnapshotEntry | undefined> => {
    if (!KEY.test(key)) return undefined;
    const directory = entryDir(key);
    try {
      const metaPath = join(directory, 'meta.json');
      const [text, info] = await Promise.all([readFile(metaPath, 'utf8'), stat(metaPath)]);
      const meta = JSON.parse(text) as SnapshotMeta;
      const users = await readdir(join(directory, 'users')).catch(() => [] as string[]);
      const inUse = users.some((name) => alive(Number(name.split('-')[0])));
      return { ...meta, directory, lastUsedAt: info.mtime.toISOString(), inUse };
    } catch {
      return undefined;
    }
  };

  return {
    root,
    treePath: (key: string, path: string) => join(entryDir(key), 'tree', path),
    get: read,

    /** Marks the entry used by a run (and now as its last use); the returned function releases it. */
    async acquire(key: string, user: string): Promise<() => Promise<void>> {
      const marker = join(entryDir(key), 'users', `${process.pid}-${user}`);
      await mkdir(join(entryDir(key), 'users'), { recursive: true });
      await writeFile(marker, '');
      const now = new Date();
      await utimes(join(entryDir(key), 'meta.json'), now, now).catch(() => undefined);
      return () => rm(marker, { force: true });
    },

    /** A fresh directory to build a snapshot in; `tree/` inside receives the files. */
    async startBuild(key: string): Promise<string> {
      const directory = join(building, `${key}-${randomBytes(6).toString('hex')}`);
      await mkdir(join(directory, 'tree'), { recursive: true });
      return directory;
    },

    /** Completes a build: measures it, writes its meta, publishes it under its key (first one wins). */
    async commit(directory: string, meta: Omit<SnapshotMeta, 'sizeBytes' | 'fileCount' | 'createdAt'>) {
      const size = await treeSize(join(directory, 'tree'));
      const full: SnapshotMeta = {
        ...meta,
        sizeBytes: size.bytes,
        fileCount: size.files,
        createdAt: new Date().toISOString(),
      };
      await writeFile(join(directory, 'meta.json'), `${JSON.stringify(full, null, 2)}\n`);
      await mkdir(entries, { recursive: true });
      try {
        await rename(directory, entryDir(meta.key));
      } catch {
        // Another worker published the same key first; its snapshot is as good as this one.
        await rm(directory, { recursive: true, force: true });
      }
      return full;
    },

    async discardBuild(directory: string): Promise<void> {
      await rm(directory, { recursive: true, force: true });
    },

    async list(): Promise<SnapshotEntry[]> {
      const keys = await readdir(entries).catch(() => [] as string[]);
      const found = await Promise.all(keys.map(read));
      return found
        .filter((entry): entry is SnapshotEntry => entry !== undefined)
        .sort((a, b) => b.lastUsedAt.localeCompare(a.lastUsedAt));
    },

    async remove(key: string): Promise<void> {
      if (!KEY.test(key)) return;
      // Renamed away first, so no run can pick it up half deleted.
      const doomed = join(building, `removed-${key}-${randomBytes(4).toString('hex')}`);
      await mkdir(building, { recursive: true });
      await rename(entryDir(key), doomed).catch(() => undefined);
      await rm(doomed, { recursive: true, force: true });
    },

    /**
     * Least recently used entries go until the cache fits `budgetBytes`; entries in use stay.
     * `all` removes every unused entry. Returns what was removed.
     */
    async prune(options: { budgetBytes?: number; all?: boolean }): Promise<SnapshotEntry[]> {
      await removeAbandonedBuilds(building);
      const list = await this.list();
      let total = list.reduce((sum, entry) => sum + entry.sizeBytes, 0);
      const removed: SnapshotEntry[] = [];
      for (const entry of [...list].reverse()) {
        const over = options.all || (options.budgetBytes !== undefined && total > options.budgetBytes);
        if (!over) break;
        if (entry.inUse) continue;
        await this.remove(entry.key);
        total -= entry.sizeBytes;
        removed.push(entry);
      }
      return removed;
    },
  };
}

export type SnapshotStore = ReturnType<typeof createSnapshotStore>;
