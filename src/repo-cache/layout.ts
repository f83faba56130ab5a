import { join } from 'node:path';
import { BatonError } from '../observability/errors.ts';

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

/**
 * The host-side layout of the data directory. Every path a provider or publisher touches on the
 * host comes from here: the repository cache's mirrors and bundles, the local provider's workspaces.
 */
export function dataLayout(dataDir: string) {
  return {
    mirror: (repoName: string) => join(dataDir, 'mirrors', `${safeName(repoName)}.git`),
    spares: (repoName: string) => join(dataDir, 'spares', safeName(repoName)),
    workspace: (id: string) => join(dataDir, 'workspaces', id),
    home: (id: string) => join(dataDir, 'homes', id),
    exports: (id: string) => join(dataDir, 'exports', id),
    /** Bundles the host sends into a cloud sandbox (made from the mirror, never holding credentials). */
    outgoing: (id: string) => join(dataDir, 'outgoing', id),
    scratch: join(dataDir, 'scratch'),
    /** The local sandboxes' own /etc trees (sandbox-etc.ts). */
    etc: join(dataDir, 'sandbox-etc'),
  };
}

/** The host path of a repository's mirror: what `importChanges` and `pushBranch` work on. */
export function mirrorPathFor(options: { dataDir: string; repoName: string }): string {
  return dataLayout(options.dataDir).mirror(options.repoName);
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
