import { z } from 'zod';
import { defineTool } from './define-tool.ts';
import { fromDirectory, inDirectory, MISSING_DIRECTORY_EXIT, RG_BASE } from './search-command.ts';
import { failure, success } from './tool-result.ts';
import type { ToolResult } from './types.ts';
import { toWorkspacePath } from './workspace-path.ts';

const MAX_ENTRIES = 500;

const parameters = z.object({
  path: z
    .string()
    .optional()
    .describe('Directory to list, relative to the workspace root. Default: the root.'),
  depth: z.number().int().min(1).max(10).optional().describe('How many levels deep to list. Default 2.'),
});

export const listFilesTool = defineTool({
  name: 'list_files',
  parameters,
  effect: 'read',
  async execute(args, context): Promise<ToolResult> {
    const resolved = toWorkspacePath(args.path ?? '.', context.sandbox.workdir);
    if (!resolved.ok) return failure(resolved.error);
    const directory = resolved.path;
    const depth = args.depth ?? 2;
    // Every file contributes its parent directories (up to `depth`) and itself when shallow enough;
    // counting duplicates gives each directory the number of files beneath it.
    const awk =
      `awk -F/ -v d=${depth} '{ p=$1; for (i=1; i<NF && i<=d; i++) { print "d " p "/"; p=p "/" $(i+1) } ` +
      `if (NF<=d) print "f " $0 }'`;
    const result = await context.sandbox.exec({
      cmd: inDirectory(directory, `${RG_BASE} --files | ${awk} | sort | uniq -c`),
      signal: context.signal,
    });
    if (result.exitCode === MISSING_DIRECTORY_EXIT) {
      return failure(
        `Directory not found: ${directory}`,
        'Check the path with list_files on its parent, or use glob.',
      );
    }
    if (result.exitCode !== 0)
      return failure(`Listing ${directory} failed: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
    const entries = parseEntries(result.stdout, directory);
    if (entries.length === 0)
      return success(`${directory} has no files (ignored and empty directories are not listed).`);
    const shown = entries.slice(0, MAX_ENTRIES);
    const more =
      entries.length > MAX_ENTRIES
        ? `\n\n(${entries.length - MAX_ENTRIES} more entries not shown: list a subdirectory or use a smaller depth.)`
        : '';
    return success(`${shown.join('\n')}${more}`);
  },
});

function parseEntries(stdout: string, directory: string): string[] {
  const entries: { path: string; line: string }[] = [];
  for (const raw of stdout.split('\n')) {
    const match = /^\s*(\d+) ([df]) (.+)$/.exec(raw);
    if (!match) continue;
    const [, count, kind, name] = match as unknown as [string, string, string, string];
    const path = fromDirectory(directory, name);
    const line = kind === 'd' ? `${path} (${count} ${count === '1' ? 'file' : 'files'})` : path;
    entries.push({ path, line });
  }
  entries.sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
  return entries.map((entry) => entry.line);
}
