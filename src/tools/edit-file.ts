import { z } from 'zod';
import { defineTool } from './define-tool.ts';
import { failure, success } from './tool-result.ts';
import type { ToolResult } from './types.ts';
import { toWorkspacePath } from './workspace-path.ts';

const SNIPPET_CONTEXT = 3;

const parameters = z.object({
  path: z.string().min(1).describe('File to edit, relative to the workspace root.'),
  old_string: z.string().describe('The exact text to replace, including whitespace and indentation.'),
  new_string: z.string().describe('The text to put in its place.'),
  replace_all: z
    .boolean()
    .optional()
    .describe('Replace every occurrence instead of exactly one. Default false.'),
});

export const editFileTool = defineTool({
  name: 'edit_file',
  parameters,
  effect: 'write',
  async execute(args, context): Promise<ToolResult> {
    const resolved = toWorkspacePath(args.path, context.sandbox.workdir);
    if (!resolved.ok) return failure(resolved.error);
    const path = resolved.path;
    if (!context.state.readFiles.has(path)) {
      return failure(
        `You must read ${path} with read_file before editing it.`,
        'Call read_file on it first, then retry the edit.',
      );
    }
    if (args.old_string === '') {
      return failure(
        'old_string is empty.',
        'To create a file or replace its whole content, use write_file.',
      );
    }
    if (args.old_string === args.new_string)
      return failure('old_string and new_string are identical; nothing would change.');
    let content: string;
    try {
      content = await context.sandbox.readFile(path);
    } catch {
      return failure(
        `File not found: ${path}`,
        'It may have been moved or deleted; check with glob or list_files.',
      );
    }

    let oldText = args.old_string;
    let newText = args.new_string;
    let positions = occurrences(content, oldText);
    // Models write \n; files checked out with Windows line endings have \r\n.
    if (positions.length === 0 && content.includes('\r\n') && !oldText.includes('\r')) {
      oldText = oldText.replace(/\n/g, '\r\n');
      newText = newText.replace(/\n/g, '\r\n');
      positions = occurrences(content, oldText);
    }
    if (positions.length === 0) {
      return failure(
        `old_string was not found in ${path}.`,
        'It must match exactly, including indentation, whitespace and line breaks. Re-read the file with read_file and copy the text from it (without the line-number prefix).',
      );
    }
    if (positions.length > 1 && !args.replace_all) {
      const lines = positions.map((position) => lineAt(content, position));
      return failure(
        `old_string occurs ${positions.length} times in ${path} (lines ${lines.join(', ')}).`,
        'Add surrounding lines to old_string so it matches exactly one place, or set replace_all to true to change every occurrence.',
      );
    }

    const updated = args.replace_all
      ? content.split(oldText).join(newText)
      : spliceAt(content, positions[0] ?? 0, oldText, newText);
    await context.sandbox.writeFile(path, updated);
    const firstPosition = positions[0] ?? 0;
    const startLine = lineAt(updated, firstPosition);
    const endLine = startLine + countNewlines(newText);
    const summary =
      args.replace_all && positions.length > 1
        ? `Replaced ${positions.length} occurrences in ${path}.`
        : `Edited ${path}.`;
    return success(
      `${summary} Around line ${startLine} it now reads:\n${snippet(updated, startLine, endLine)}`,
    );
  },
});

function occurrences(content: string, needle: string): number[] {
  const positions: number[] = [];
  for (
    let index = content.indexOf(needle);
    index !== -1;
    index = content.indexOf(needle, index + needle.length)
  ) {
    positions.push(index);
  }
  return positions;
}

function spliceAt(content: string, position: number, oldText: string, newText: string): string {
  return `${content.slice(0, position)}${newText}${content.slice(position + oldText.length)}`;
}

function lineAt(content: string, position: number): number {
  return countNewlines(content.slice(0, position)) + 1;
}

function countNewlines(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count += 1;
  return count;
}

function snippet(content: string, startLine: number, endLine: number): string {
  const lines = content.split('\n');
  const first = Math.max(1, startLine - SNIPPET_CONTEXT);
  const last = Math.min(lines.length, endLine + SNIPPET_CONTEXT);
  const width = String(last).length;
  const shown: string[] = [];
  for (let number = first; number <= last; number += 1) {
    shown.push(`${String(number).padStart(width)}\t${(lines[number - 1] ?? '').replace(/\r$/, '')}`);
  }
  return shown.join('\n');
}
