import { BatonError } from '../../observability/errors.ts';
import type { ChangeExport, ExecRequest, ExecResult } from '../types.ts';
import { copyOutOfWorkspace } from './safe-fs.ts';

const BUNDLE_PATH = '.baton/changes.bundle';

/*
 * Runs INSIDE the sandbox: the workspace's .git is controlled by untrusted code (hooks, fsmonitor,
 * config), so the host never runs git there. Branch and base arrive as variables, not as text
 * spliced into the script.
 */
const EXPORT_SCRIPT = `set -e
rm -f ${BUNDLE_PATH}
mkdir -p .baton
head=$(git rev-parse --verify --quiet "refs/heads/$BATON_BRANCH^{commit}") || { echo "branch $BATON_BRANCH is missing" >&2; exit 3; }
count=$(git rev-list --count "$BATON_BASE..$head")
if [ "$count" -gt 0 ]; then git bundle create --quiet ${BUNDLE_PATH} "$BATON_BASE..refs/heads/$BATON_BRANCH"; fi
echo "$head $count"`;

const COMMIT = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The run's commits as a git bundle of base..branch, copied to a host path outside the workspace.
 * What the sandbox prints is untrusted, so it is checked for shape; the importer checks the bundle.
 */
export async function exportWorkspaceChanges(options: {
  exec: (request: ExecRequest) => Promise<ExecResult>;
  workspaceDir: string;
  branch: string;
  baseCommit: string;
  /** Host path for the bundle. */
  bundleTarget: string;
}): Promise<ChangeExport> {
  const result = await options.exec({
    cmd: EXPORT_SCRIPT,
    env: { BATON_BRANCH: options.branch, BATON_BASE: options.baseCommit },
  });
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
  const exported: ChangeExport = {
    branch: options.branch,
    baseCommit: options.baseCommit,
    headCommit,
    commitCount,
  };
  if (commitCount === 0) return exported;
  await copyOutOfWorkspace(options.workspaceDir, BUNDLE_PATH, options.bundleTarget);
  return { ...exported, bundlePath: options.bundleTarget };
}
