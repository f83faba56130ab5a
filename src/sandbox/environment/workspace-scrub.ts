import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { ExecResult } from '../types.ts';
import { maskSecretForms } from './secret-forms.ts';
import { safeWorkspacePath } from './snapshot-files.ts';

/*
 * After a setup that was given setup secrets, whatever it did (succeeded or failed), the whole
 * workspace — tracked files it changed, untracked and ignored files, and `.git` itself (a
 * `git config` without --global) — is searched for every form of those secrets before anything else
 * runs there. Tracked files are put back as committed; other files are masked in place; a file
 * whose name holds a secret is removed. What is left after that is a reason to stop: the agent never
 * starts with a secret in reach.
 */

export interface WorkspaceScrub {
  /** What was cleaned, for the environment item: `.npmrc (restored from git)`, names masked. */
  scrubbed: string[];
  /** Set when the workspace could not be made clean: the agent must not start. */
  failure?: string;
}

type SandboxedCommand = (cmd: string) => Promise<ExecResult>;

const READ_WRITE = constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK;

function run(
  command: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 2) : 0, stdout, stderr }),
    );
  });
}

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** Workspace-relative paths of the files that hold a form (content) or whose path does (name). */
async function search(
  rgPath: string,
  workspaceDir: string,
  forms: readonly string[],
): Promise<{ content: string[]; names: string[] } | string> {
  const common = ['--no-ignore', '--hidden', '--no-follow', '--null', '--no-messages'];
  const found = await run(rgPath, [
    '--files-with-matches',
    '--fixed-strings',
    '--binary',
    ...common,
    ...forms.flatMap((form) => ['-e', form]),
    '--',
    workspaceDir,
  ]);
  // rg: 0 found, 1 nothing found, 2 an error (a file it could not read): then nobody knows it is clean.
  if (found.code > 1) return `the workspace could not be searched for setup secrets (rg exit ${found.code})`;
  const listed = await run(rgPath, ['--files', ...common, '--', workspaceDir]);
  if (listed.code > 1) return `the workspace could not be listed (rg exit ${listed.code})`;
  const toRelative = (path: string) => relative(workspaceDir, path).split(sep).join('/');
  const content = found.stdout.split('\0').filter(Boolean).map(toRelative);
  const names = listed.stdout
    .split('\0')
    .filter(Boolean)
    .map(toRelative)
    .filter((path) => forms.some((form) => path.includes(form)));
  return { content: [...new Set(content)].sort(), names };
}

/** Masks the forms in one file, never through a symlink; false when it cannot be done safely. */
async function maskFile(workspaceDir: string, path: string, forms: readonly string[]): Promise<boolean> {
  const target = await safeWorkspacePath(workspaceDir, path);
  if (!target) return false;
  const handle = await open(target, READ_WRITE).catch(() => undefined);
  if (!handle) return false;
  try {
    if (!(await handle.stat()).isFile()) return false;
    const text = (await handle.readFile()).toString('latin1');
    const masked = Buffer.from(maskSecretForms(text, forms), 'latin1');
    await handle.truncate(0);
    await handle.write(masked, 0, masked.length, 0);
    return true;
  } finally {
    await handle.close();
  }
}

/** The first path component that holds a form: removing it removes the name. */
function namedComponent(path: string, forms: readonly string[]): string {
  const parts = path.split('/');
  const index = parts.findIndex((part) => forms.some((form) => part.includes(form)));
  return parts.slice(0, index === -1 ? parts.length : index + 1).join('/');
}

export async function scrubWorkspace(options: {
  rgPath: string;
  workspaceDir: string;
  forms: readonly string[];
  /** A command in the sandbox (git runs there: `.git` was in the setup's hands). */
  exec: SandboxedCommand;
}): Promise<WorkspaceScrub> {
  const { forms, workspaceDir } = options;
  if (forms.length === 0) return { scrubbed: [] };
  const mask = (path: string) => maskSecretForms(path, forms);
  const first = await search(options.rgPath, workspaceDir, forms);
  if (typeof first === 'string') return { scrubbed: [], failure: first };
  if (first.content.length === 0 && first.names.length === 0) return { scrubbed: [] };
  const scrubbed: string[] = [];

  for (const component of new Set(first.names.map((path) => namedComponent(path, forms)))) {
    const target = await safeWorkspacePath(workspaceDir, component);
    if (target) await rm(target, { recursive: true, force: true });
    scrubbed.push(`${mask(component)} (removed: its name held a setup secret)`);
  }

  // Tracked files the setup changed go back to their committed contents (index too).
  const outsideGit = first.content.filter((path) => path !== '.git' && !path.startsWith('.git/'));
  const git = 'git --literal-pathspecs -c core.hooksPath=/dev/null -c core.fsmonitor=false';
  const restored = new Set<string>();
  if (outsideGit.length > 0) {
    const listed = await options.exec(`${git} ls-files -z -- ${outsideGit.map(quote).join(' ')}`);
    const tracked = listed.exitCode === 0 ? listed.stdout.split('\0').filter(Boolean) : [];
    if (tracked.length > 0) {
      const checkout = await options.exec(`${git} checkout HEAD -- ${tracked.map(quote).join(' ')}`);
      if (checkout.exitCode === 0) for (const path of tracked) restored.add(path);
    }
  }

  const second = await search(options.rgPath, workspaceDir, forms);
  if (typeof second === 'string') return { scrubbed, failure: second };
  const unmasked: string[] = [];
  for (const path of second.content)
    if (!(await maskFile(workspaceDir, path, forms).catch(() => false))) unmasked.push(path);
  for (const path of first.content) {
    if (restored.has(path) && !second.content.includes(path))
      scrubbed.push(`${mask(path)} (restored from git)`);
    else if (!unmasked.includes(path)) scrubbed.push(`${mask(path)} (masked)`);
  }

  const last = await search(options.rgPath, workspaceDir, forms);
  if (typeof last === 'string') return { scrubbed, failure: last };
  const left = [...new Set([...last.content, ...last.names])];
  if (left.length > 0)
    return {
      scrubbed,
      failure: `a setup secret could not be removed from ${left.slice(0, 3).map(mask).join(', ')}${left.length > 3 ? ` and ${left.length - 3} more` : ''}`,
    };
  return { scrubbed };
}
