import { BatonError } from '../observability/errors.ts';
import type { ChangeExport, ExecResult } from './types.ts';

/** Where the export script leaves the bundle, relative to the workspace root. */
export const EXPORT_BUNDLE_PATH = '.baton/changes.bundle';

/*
 * Runs INSIDE the sandbox: the workspace's .git is controlled by untrusted code (hooks, fsmonitor,
 * config), so the host never runs git there. Branch and base arrive as variables, not as text
 * spliced into the script.
 */
export const EXPORT_SCRIPT = `set -e
rm -f ${EXPORT_BUNDLE_PATH}
mkdir -p .baton
head=$(git rev-parse --verify --quiet "refs/heads/$BATON_BRANCH^{commit}") || { echo "branch $BATON_BRANCH is missing" >&2; exit 3; }
count=$(git rev-list --count "$BATON_BASE..$head")
if [ "$count" -gt 0 ]; then git bundle create --quiet ${EXPORT_BUNDLE_PATH} "$BATON_BASE..refs/heads/$BATON_BRANCH"; fi
echo "$head $count"`;

const COMMIT = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

/** The export script's report, checked for shape (the sandbox is untrusted; the importer checks the bundle). */
export function parseExportResult(
  result: ExecResult,
  options: { branch: string; baseCommit: string },
): Omit<ChangeExport, 'bundlePath'> {
  const [headCommit = '', countText = ''] = result.stdout.trim().split('\n').pop()?.split(' ') ?? [];
  const commitCount = Number(countText);
  if (
    result.exitCode !== 0 ||
    !COMMIT.test(headCommit) ||
    !Number.isSafeInteger(commitCount) ||
    commitCount < 0
  ) {
    throw new BatonError({
      code: 'sandbox_export_failed',
      message: `could not export the branch ${options.branch}: ${(result.stderr || result.stdout).trim().slice(0, 500)}`,
      hint: 'the workspace must stay a git repository on its branch',
    });
  }
  return { branch: options.branch, baseCommit: options.baseCommit, headCommit, commitCount };
}
