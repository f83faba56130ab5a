import { execFile } from 'node:child_process';
import { cp, lstat, mkdir, readFile, realpath, rename, writeFile } from 'node:fs/promises';
import { dirname, join, posix, sep } from 'node:path';
import { maskSecretForms } from './secret-forms.ts';

/** Never part of a snapshot: git's own directory and Baton's scratch directory. */
const NEVER = ['.git', '.baton'];

/**
 * The paths a setup created, from `git status --porcelain -z --ignored` run in the sandbox:
 * untracked (`??`) and ignored (`!!`) entries, directories as one entry each.
 */
export function createdPaths(porcelain: string): string[] {
  const paths: string[] = [];
  for (const record of porcelain.split('\0')) {
    if (!record.startsWith('?? ') && !record.startsWith('!! ')) continue;
    const path = posix.normalize(record.slice(3)).replace(/\/+$/, '');
    if (!path || path === '.' || path.startsWith('..') || posix.isAbsolute(path)) continue;
    if (NEVER.some((name) => path === name || path.startsWith(`${name}/`))) continue;
    paths.push(path);
  }
  return [...new Set(paths)].sort();
}

/**
 * The host path of a workspace path, refused when any component on the way is a symlink or leaves
 * the workspace: setup ran untrusted code, which may have planted a link to a host directory.
 */
export async function safeWorkspacePath(workspaceDir: string, path: string): Promise<string | undefined> {
  const root = await realpath(workspaceDir);
  let current = root;
  for (const part of path.split('/')) {
    current = join(current, part);
    const info = await lstat(current).catch(() => undefined);
    if (!info || info.isSymbolicLink()) return undefined;
  }
  return current.startsWith(`${root}${sep}`) ? current : undefined;
}

/** Where a path's parent is once resolved, provided it stays inside the workspace (for restores). */
export async function safeRestoreTarget(workspaceDir: string, path: string): Promise<string | undefined> {
  const root = await realpath(workspaceDir);
  const parent = join(root, dirname(path));
  await mkdir(parent, { recursive: true });
  const resolved = await realpath(parent);
  if (resolved !== root && !resolved.startsWith(`${root}${sep}`)) return undefined;
  const target = join(resolved, posix.basename(path));
  const existing = await lstat(target).catch(() => undefined);
  return existing?.isSymbolicLink() ? undefined : target;
}

function run(command: string, args: readonly string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout }),
    );
  });
}

/**
 * Rewrites every file under `paths` that holds a form of a setup secret (an `.npmrc` with a token),
 * so the snapshot never does. ripgrep finds them fast even in a large node_modules.
 */
export async function scrubSecrets(options: {
  rgPath: string;
  roots: readonly string[];
  forms: readonly string[];
}): Promise<string[]> {
  if (options.forms.length === 0 || options.roots.length === 0) return [];
  const patterns = options.forms.flatMap((form) => ['-e', form]);
  const found = await run(options.rgPath, [
    '--files-with-matches',
    '--fixed-strings',
    '--no-ignore',
    '--hidden',
    '--no-follow',
    '--binary',
    '--null',
    ...patterns,
    '--',
    ...options.roots,
  ]);
  const files = found.stdout.split('\0').filter(Boolean);
  for (const file of files) {
    const text = await readFile(file, 'latin1');
    await writeFile(file, maskSecretForms(text, options.forms), 'latin1');
  }
  return files;
}

/** Moves a created path into the snapshot being built (same filesystem: one rename). */
export async function moveIntoSnapshot(source: string, treeDir: string, path: string): Promise<void> {
  const destination = join(treeDir, path);
  await mkdir(dirname(destination), { recursive: true });
  await rename(source, destination);
}

/** A full copy with the filesystem's copy-on-write where it has it (the fallback without overlays). */
export async function copyTree(source: string, destination: string): Promise<void> {
  const reflink = await run('cp', ['-a', '--reflink=auto', source, destination]);
  if (reflink.code !== 0) await cp(source, destination, { recursive: true, verbatimSymlinks: true });
}
