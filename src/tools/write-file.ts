import { posix } from 'node:path';
import { z } from 'zod';
import { defineTool } from './define-tool.ts';
import { shellQuote } from './shell-quote.ts';
import { failure, success } from './tool-result.ts';
import type { ToolResult } from './types.ts';
import { toWorkspacePath } from './workspace-path.ts';

const parameters = z.object({
  path: z.string().min(1).describe('File to create or overwrite, relative to the workspace root.'),
  content: z.string().describe('The complete new content of the file.'),
});

export const writeFileTool = defineTool({
  name: 'write_file',
  parameters,
  effect: 'write',
  async execute(args, context): Promise<ToolResult> {
    const resolved = toWorkspacePath(args.path, context.sandbox.workdir);
    if (!resolved.ok) return failure(resolved.error);
    const path = resolved.path;
    if (path === '.') return failure('path must name a file.');
    const quoted = shellQuote(path);
    const parent = posix.dirname(path);
    const probe = await context.sandbox.exec({
      cmd:
        `if [ -d ${quoted} ]; then echo directory; elif [ -e ${quoted} ]; then echo exists; else echo new; fi; ` +
        (parent === '.' ? 'true' : `mkdir -p ${shellQuote(parent)}`),
      signal: context.signal,
    });
    const state = probe.stdout.trim().split('\n')[0];
    if (state === 'directory') return failure(`${path} is a directory.`);
    if (probe.exitCode !== 0)
      return failure(`Could not create the directory ${parent}: ${probe.stderr.trim()}`);
    if (state === 'exists' && !context.state.readFiles.has(path)) {
      return failure(
        `${path} already exists and you have not read it.`,
        'Read it with read_file first so you do not lose its content, then write it again (or use edit_file for a partial change).',
      );
    }
    await context.sandbox.writeFile(path, args.content);
    // The model wrote the content, so it knows it: later edits need no re-read.
    context.state.readFiles.add(path);
    const lines =
      args.content === '' ? 0 : args.content.split('\n').length - (args.content.endsWith('\n') ? 1 : 0);
    return success(`${state === 'exists' ? 'Overwrote' : 'Created'} ${path} (${lines} lines).`);
  },
});
