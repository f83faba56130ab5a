import { EXPORT_BUNDLE_PATH, EXPORT_SCRIPT, parseExportResult } from '../export-script.ts';
import type { ChangeExport, ExecRequest, ExecResult } from '../types.ts';
import { copyOutOfWorkspace } from './safe-fs.ts';

/** The run's commits as a git bundle of base..branch, copied to a host path outside the workspace. */
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
  const exported = parseExportResult(result, options);
  if (exported.commitCount === 0) return exported;
  await copyOutOfWorkspace(options.workspaceDir, EXPORT_BUNDLE_PATH, options.bundleTarget);
  return { ...exported, bundlePath: options.bundleTarget };
}
