import { readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Sandbox as SdkSandbox } from 'e2b';
import { BatonError } from '../../observability/errors.ts';
import type { RepoCache } from '../../repo-cache/index.ts';
import { SANDBOX_WORKDIR } from '../local/paths.ts';

const UPLOAD_PATH = '/tmp/baton/start.bundle';
/** Where the binaries Baton brings (ripgrep, for the search tools) go; first on every command's PATH. */
export const E2B_BIN_DIR = '/home/user/.baton/bin';

/*
 * Runs inside the sandbox as its default user, on a bundle made from the host's mirror: the
 * workspace gets the start commit on its branch and origin/<base>, with no credential anywhere
 * (origin is the URL without user info; nothing fetches from it inside).
 */
const CLONE_SCRIPT = `set -e
cd ${SANDBOX_WORKDIR}
git init -q .
git fetch -q --no-tags "$BATON_BUNDLE" "$BATON_TIP_REF:refs/heads/$BATON_BRANCH"
if [ -n "$BATON_BASE_REF" ]; then git fetch -q --no-tags "$BATON_BUNDLE" "$BATON_BASE_REF:refs/remotes/origin/$BATON_BASE_NAME"; fi
git symbolic-ref HEAD "refs/heads/$BATON_BRANCH"
git reset -q --hard
git remote add origin "$BATON_ORIGIN"
printf '\\n# Baton run output, never committed\\n.baton/\\n' >> .git/info/exclude
rm -f "$BATON_BUNDLE"
if [ -f ${E2B_BIN_DIR}/rg ]; then chmod 0755 ${E2B_BIN_DIR}/rg; fi`;

/** Makes the workspace directory; the base template's / belongs to root. */
const WORKDIR_SCRIPT = `install -d -m 0777 ${SANDBOX_WORKDIR}`;

async function runChecked(
  sandbox: SdkSandbox,
  cmd: string,
  options: { user?: 'root'; envs?: Record<string, string> },
) {
  try {
    await sandbox.commands.run(cmd, { user: options.user, envs: options.envs });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    if (stderr === undefined) throw error;
    throw new BatonError({
      code: 'sandbox_create_failed',
      message: `could not prepare the workspace: ${stderr.trim().split('\n').slice(-3).join(' ')}`,
      hint: 'the template needs git and a POSIX shell',
      cause: error,
    });
  }
}

export interface StartBundle {
  path: string;
  tipRef: string;
  baseRef?: string;
}

/** The start point as a bundle on the host, made from the mirror (no credential in it). */
export function makeStartBundle(options: {
  repoCache: RepoCache;
  repo: { name: string };
  id: string;
  branch: string;
  baseRef: string;
  start: { commit: string; baseCommit?: string };
  signal?: AbortSignal;
}): Promise<StartBundle> {
  const withBase = options.start.baseCommit !== undefined && options.baseRef !== options.branch;
  return options.repoCache.startBundle({
    repo: options.repo,
    id: options.id,
    commit: options.start.commit,
    baseCommit: withBase ? options.start.baseCommit : undefined,
    signal: options.signal,
  });
}

/** The repository arrives as a bundle through the file API and is cloned inside. */
export async function sendAndClone(options: {
  sandbox: SdkSandbox;
  bundle: StartBundle;
  originUrl: string;
  /** A ripgrep binary for the sandbox's platform, sent beside the bundle when the template has none. */
  ripgrep?: () => Promise<Blob>;
  branch: string;
  baseRef: string;
}): Promise<void> {
  const { sandbox, bundle } = options;
  const { ripgrep } = options;
  // The heavy uploads go first; the workspace directory is made while they travel.
  const uploads = [
    ripgrep ? ripgrep().then((binary) => sandbox.files.write(`${E2B_BIN_DIR}/rg`, binary)) : undefined,
    readFile(bundle.path).then((content) => sandbox.files.write(UPLOAD_PATH, new Blob([content]))),
  ];
  const workdir = runChecked(sandbox, WORKDIR_SCRIPT, { user: 'root' });
  try {
    await Promise.all([...uploads, workdir]);
  } catch (error) {
    await Promise.allSettled([...uploads, workdir]);
    throw error;
  } finally {
    await rm(dirname(bundle.path), { recursive: true, force: true });
  }
  await runChecked(sandbox, CLONE_SCRIPT, {
    envs: {
      BATON_BUNDLE: UPLOAD_PATH,
      BATON_TIP_REF: bundle.tipRef,
      BATON_BASE_REF: bundle.baseRef ?? '',
      BATON_BASE_NAME: options.baseRef,
      BATON_BRANCH: options.branch,
      BATON_ORIGIN: options.originUrl,
    },
  });
}

/**
 * A paused workspace is reused only when it is exactly where the next turn would start: on the
 * branch, at the start commit. Uncommitted leftovers go; ignored files (installed dependencies) stay.
 */
export const ADOPT_SCRIPT = `cd ${SANDBOX_WORKDIR} &&
test "$(git rev-parse HEAD)" = "$BATON_START" &&
test "$(git symbolic-ref -q HEAD)" = "refs/heads/$BATON_BRANCH" &&
git reset -q --hard && git clean -qfd -e .baton`;
