import { join, posix } from 'node:path';
import { BatonError } from '../../observability/errors.ts';

/** Where commands see the workspace. */
export const SANDBOX_WORKDIR = '/workspace';
/** Where commands see their writable home directory. */
export const SANDBOX_HOME = '/home/baton';
/** Where the mirror's objects (the workspace's alternates) appear, read-only, inside the sandbox. */
export const SANDBOX_MIRROR_OBJECTS = '/opt/baton/mirror/objects';
/** Directory on the sandbox's PATH for the binaries Baton brings (ripgrep). */
export const SANDBOX_BIN = '/opt/baton/bin';

/** A repository name as a single, harmless path component: `acme/api` → `acme__api`. */
export function safeName(name: string): string {
  const cleaned = name
    .replace(/\//g, '__')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_');
  if (!cleaned)
    throw new BatonError({
      code: 'sandbox_repo_name_invalid',
      message: `unusable repository name "${name}"`,
    });
  return cleaned;
}

/** The host-side layout of the data directory. Every path the local provider touches comes from here. */
export function dataLayout(dataDir: string) {
  return {
    mirror: (repoName: string) => join(dataDir, 'mirrors', `${safeName(repoName)}.git`),
    spares: (repoName: string) => join(dataDir, 'spares', safeName(repoName)),
    workspace: (id: string) => join(dataDir, 'workspaces', id),
    home: (id: string) => join(dataDir, 'homes', id),
    exports: (id: string) => join(dataDir, 'exports', id),
    scratch: join(dataDir, 'scratch'),
    /** The sandboxes' own /etc trees (sandbox-etc.ts). */
    etc: join(dataDir, 'sandbox-etc'),
  };
}

/** The host path of a repository's mirror: what `importChanges` and `pushBranch` work on. */
export function mirrorPathFor(options: { dataDir: string; repoName: string }): string {
  return dataLayout(options.dataDir).mirror(options.repoName);
}

function escapeError(path: string): BatonError {
  return new BatonError({
    code: 'sandbox_path_escape',
    message: `path "${path}" is outside the workspace`,
    hint: `use a path relative to the workspace root (${SANDBOX_WORKDIR})`,
  });
}

/**
 * A workspace-relative, normalised path (no `..` above the root) from a relative path or an
 * absolute one under `/workspace`. Lexical only: symlinks are checked where files are opened.
 */
export function toWorkspaceRelative(path: string): string {
  if (path.includes('\0')) throw escapeError(path);
  let relative = path;
  if (posix.isAbsolute(path)) {
    if (path !== SANDBOX_WORKDIR && !path.startsWith(`${SANDBOX_WORKDIR}/`)) throw escapeError(path);
    relative = path.slice(SANDBOX_WORKDIR.length + 1);
  }
  const normalised = posix.normalize(relative || '.');
  if (normalised === '..' || normalised.startsWith('../') || posix.isAbsolute(normalised))
    throw escapeError(path);
  return normalised === '.' ? '' : normalised.replace(/\/+$/, '');
}

const BAD_REF_CHARACTERS = /[\s~^:?*[\\]/;
const hasControlCharacter = (text: string) =>
  [...text].some((character) => character.charCodeAt(0) < 0x20 || character.charCodeAt(0) === 0x7f);

/** Git's rules for a branch name, checked before the name reaches a command line or a ref path. */
export function assertBranchName(branch: string): void {
  const bad =
    !branch ||
    branch.startsWith('-') ||
    branch.startsWith('/') ||
    branch.endsWith('/') ||
    branch.endsWith('.') ||
    branch.endsWith('.lock') ||
    branch.includes('..') ||
    branch.includes('//') ||
    branch.includes('@{') ||
    branch === '@' ||
    BAD_REF_CHARACTERS.test(branch) ||
    hasControlCharacter(branch) ||
    branch.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock'));
  if (bad) {
    throw new BatonError({
      code: 'sandbox_branch_invalid',
      message: `"${branch}" is not a valid branch name`,
      hint: 'use letters, digits, "-", "_", "." and "/" (e.g. baton/abc123)',
    });
  }
}
