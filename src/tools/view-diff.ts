import { z } from 'zod';
import { defineTool } from './define-tool.ts';
import { shellQuote } from './shell-quote.ts';
import { failure, success } from './tool-result.ts';
import type { ToolResult } from './types.ts';
import { toWorkspacePath } from './workspace-path.ts';

/** New files are shown in full up to this many; the rest are only listed. */
const MAX_NEW_FILES_SHOWN = 20;
const SEPARATOR = '@@baton-view-diff@@';

const parameters = z.object({
  path: z
    .string()
    .optional()
    .describe('Limit the diff to this file or directory. Default: the whole workspace.'),
  staged: z
    .boolean()
    .optional()
    .describe('Show only staged changes (git diff --cached). Default false: all uncommitted changes.'),
});

export const viewDiffTool = defineTool({
  name: 'view_diff',
  parameters,
  effect: 'read',
  async execute(args, context): Promise<ToolResult> {
    const resolved = toWorkspacePath(args.path ?? '.', context.sandbox.workdir);
    if (!resolved.ok) return failure(resolved.error);
    const path = shellQuote(resolved.path);
    const git = 'git -c core.quotepath=off';
    const diff = args.staged
      ? `${git} diff --cached --no-color --no-ext-diff -- ${path}`
      : `${git} diff HEAD --no-color --no-ext-diff -- ${path}`;
    const untracked = args.staged
      ? 'true'
      : `${git} ls-files --others --exclude-standard -- ${path} | head -n ${MAX_NEW_FILES_SHOWN} | ` +
        `while IFS= read -r file; do ${git} diff --no-color --no-ext-diff --no-index -- /dev/null "$file"; done; true`;
    const result = await context.sandbox.exec({
      cmd: `${git} status --porcelain --untracked-files=all -- ${path} && echo '${SEPARATOR}' && ${diff} && ${untracked}`,
      signal: context.signal,
    });
    if (result.exitCode !== 0)
      return failure(`git failed: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
    const [status = '', changes = ''] = result.stdout.split(`${SEPARATOR}\n`);
    if (status.trim() === '' && changes.trim() === '') return success('No uncommitted changes.');
    const untrackedCount = status.split('\n').filter((line) => line.startsWith('??')).length;
    const note =
      !args.staged && untrackedCount > MAX_NEW_FILES_SHOWN
        ? `\n\n(${untrackedCount} new files; the first ${MAX_NEW_FILES_SHOWN} are shown in full.)`
        : '';
    const shownChanges =
      changes.trim() === '' ? '(no changes in the selected view)' : changes.replace(/\s+$/, '');
    return success(
      `Changed files (git status --porcelain):\n${status.replace(/\s+$/, '')}\n\n${shownChanges}${note}`,
    );
  },
});
