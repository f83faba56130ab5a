import type { Logger } from '../observability/logger.ts';
import type { Sandbox } from '../sandbox/types.ts';

const PATCH_PATH = '.baton/checkpoint.patch';
/** Larger checkpoints are skipped (logged): a resume then starts from the branch without them. */
const MAX_PATCH_CHARS = 5_000_000;

/** The commit the workspace started from; checkpoints are diffs against it. */
export async function workspaceHead(sandbox: Sandbox): Promise<string> {
  const result = await sandbox.exec({ cmd: 'git rev-parse HEAD' });
  return result.stdout.trim();
}

/** Everything the workspace changed since `baseCommit` (new files included), as a binary-safe patch. */
export async function takeCheckpoint(
  sandbox: Sandbox,
  baseCommit: string,
  log: Logger,
): Promise<string | null> {
  // A throwaway copy of the index, so the agent's own staging (and view_diff) is left as it is.
  const result = await sandbox.exec({
    cmd: [
      'mkdir -p .baton',
      'index="$PWD/.baton/checkpoint.index"',
      // -p keeps the index's mtime, so git still re-reads "racily clean" entries (see added-lines.ts).
      'cp -p "$(git rev-parse --git-path index)" "$index" 2>/dev/null || rm -f "$index"',
      `GIT_INDEX_FILE="$index" git add -A && GIT_INDEX_FILE="$index" git diff --cached --binary ${baseCommit} > ${PATCH_PATH}`,
    ].join(' && '),
  });
  if (result.exitCode !== 0) {
    log.warn({ stderr: result.stderr }, 'checkpoint failed');
    return null;
  }
  const patch = await sandbox.readFile(PATCH_PATH);
  if (patch.length > MAX_PATCH_CHARS) {
    log.warn({ chars: patch.length }, 'checkpoint too large, skipped');
    return null;
  }
  return patch;
}

/** Applies a checkpoint to a fresh workspace. Returns false (and logs) when it does not apply. */
export async function restoreCheckpoint(sandbox: Sandbox, patch: string, log: Logger): Promise<boolean> {
  if (!patch.trim()) return true;
  await sandbox.writeFile(PATCH_PATH, patch);
  const result = await sandbox.exec({ cmd: `git apply --binary --whitespace=nowarn ${PATCH_PATH}` });
  if (result.exitCode !== 0) log.warn({ stderr: result.stderr }, 'checkpoint did not apply');
  return result.exitCode === 0;
}
