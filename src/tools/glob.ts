import { z } from 'zod';
import { defineTool } from './define-tool.ts';
import { fromDirectory, inDirectory, MISSING_DIRECTORY_EXIT, RG_BASE } from './search-command.ts';
import { shellQuote } from './shell-quote.ts';
import { failure, success } from './tool-result.ts';
import type { ToolResult } from './types.ts';
import { toWorkspacePath } from './workspace-path.ts';

const MAX_FILES = 500;

const parameters = z.object({
  pattern: z.string().min(1).describe('A glob such as `**/*.test.ts` or `src/**/config*.json`.'),
  path: z
    .string()
    .optional()
    .describe('Directory to search from, relative to the workspace root. Default: the root.'),
});

export const globTool = defineTool({
  name: 'glob',
  parameters,
  effect: 'read',
  async execute(args, context): Promise<ToolResult> {
    const resolved = toWorkspacePath(args.path ?? '.', context.sandbox.workdir);
    if (!resolved.ok) return failure(resolved.error);
    const directory = resolved.path;
    const result = await context.sandbox.exec({
      cmd: inDirectory(directory, `${RG_BASE} --files --glob ${shellQuote(args.pattern)}`),
      signal: context.signal,
    });
    if (result.exitCode === MISSING_DIRECTORY_EXIT) {
      return failure(
        `Directory not found: ${directory}`,
        'Check the path with list_files, or glob from the root.',
      );
    }
    // rg exits 1 when no file matched.
    if (result.exitCode === 1 && result.stdout.trim() === '' && result.stderr.trim() === '') {
      return success(`No files match ${args.pattern} under ${directory}.`);
    }
    if (result.exitCode !== 0) {
      return failure(
        `glob failed: ${result.stderr.trim() || `exit ${result.exitCode}`}`,
        'Check the glob syntax.',
      );
    }
    const files = result.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => fromDirectory(directory, line))
      .sort();
    const shown = files.slice(0, MAX_FILES);
    const more =
      files.length > MAX_FILES
        ? `\n\n(${files.length} files matched; the first ${MAX_FILES} are shown. Use a narrower pattern or path.)`
        : '';
    return success(`${shown.join('\n')}${more}`);
  },
});
