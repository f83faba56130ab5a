import { posix } from 'node:path';
import { z } from 'zod';
import type { Sandbox } from '../sandbox/types.ts';
import { defineTool } from './define-tool.ts';
import { shellQuote } from './shell-quote.ts';
import { failure, success } from './tool-result.ts';
import type { ToolResult } from './types.ts';
import { toWorkspacePath } from './workspace-path.ts';

const DEFAULT_LIMIT = 2000;
/** Minified files have lines of megabytes; one line should not fill the context. */
const MAX_LINE_LENGTH = 2000;

const parameters = z.object({
  path: z
    .string()
    .min(1)
    .describe('File path, relative to the workspace root (or absolute under /workspace).'),
  offset: z.number().int().min(1).optional().describe('First line to show, 1-based. Default 1.'),
  limit: z.number().int().min(1).optional().describe(`How many lines to show. Default ${DEFAULT_LIMIT}.`),
});

export const readFileTool = defineTool({
  name: 'read_file',
  parameters,
  effect: 'read',
  async execute(args, context): Promise<ToolResult> {
    const resolved = toWorkspacePath(args.path, context.sandbox.workdir);
    if (!resolved.ok) return failure(resolved.error);
    const path = resolved.path;
    let content: string;
    try {
      content = await context.sandbox.readFile(path);
    } catch {
      return explainUnreadable(context.sandbox, path);
    }
    if (content.includes('\u0000')) {
      return failure(
        `${path} is a binary file and cannot be shown as text.`,
        'Use run_command with a tool such as `file` or `xxd | head` if you must inspect it.',
      );
    }
    context.state.readFiles.add(path);
    const lines = content.split('\n');
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    if (lines.length === 0) return success(`${path} is empty (0 lines).`);

    const offset = args.offset ?? 1;
    const limit = args.limit ?? DEFAULT_LIMIT;
    if (offset > lines.length) {
      return failure(
        `offset ${offset} is past the end of ${path}, which has ${lines.length} lines.`,
        `Use an offset between 1 and ${lines.length}.`,
      );
    }
    const last = Math.min(lines.length, offset + limit - 1);
    const width = Math.max(6, String(last).length);
    const numbered: string[] = [];
    for (let number = offset; number <= last; number += 1) {
      const line = lines[number - 1] ?? '';
      const shown =
        line.length > MAX_LINE_LENGTH
          ? `${line.slice(0, MAX_LINE_LENGTH)}... [line cut, ${line.length} characters]`
          : line;
      numbered.push(`${String(number).padStart(width)}\t${shown}`);
    }
    const footer =
      last < lines.length
        ? `\n\n(Lines ${offset}-${last} of ${lines.length}. ${lines.length - last} more lines: call read_file with offset ${last + 1} to continue.)`
        : offset > 1
          ? `\n\n(Lines ${offset}-${last} of ${lines.length}; end of file.)`
          : '';
    return success(`${numbered.join('\n')}${footer}`);
  },
});

/** A readFile failure: say whether it is a directory or missing, and name what is nearby. */
async function explainUnreadable(sandbox: Sandbox, path: string): Promise<ToolResult> {
  const quoted = shellQuote(path);
  const kind = await sandbox.exec({
    cmd: `if [ -d ${quoted} ]; then echo directory; elif [ -e ${quoted} ]; then echo unreadable; else echo missing; fi`,
  });
  const state = kind.stdout.trim();
  if (state === 'directory') {
    return failure(`${path} is a directory, not a file.`, 'Use list_files to see what it contains.');
  }
  if (state === 'unreadable') return failure(`${path} exists but cannot be read as a file.`);
  const parent = posix.dirname(path);
  const base = posix.basename(path);
  const stem = base.replace(/\.[^.]*$/, '') || base;
  const nearby = await sandbox.exec({
    cmd:
      `if [ -d ${shellQuote(parent)} ]; then ls -1Ap ${shellQuote(parent)} | head -n 30; fi; echo '--'; ` +
      `rg --files --hidden -g '!.git' --iglob ${shellQuote(`*${stem}*`)} 2>/dev/null | head -n 10`,
  });
  const [siblingList = '', similar = ''] = nearby.stdout.split('--\n');
  const siblings = siblingList.split('\n').filter((name) => name !== '');
  const closest = closestNames(base, siblings).map((name) => (parent === '.' ? name : `${parent}/${name}`));
  const parts: string[] = [];
  if (closest.length > 0) parts.push(`Did you mean ${closest.join(' or ')}?`);
  if (similar.trim()) parts.push(`Files with a similar name:\n${similar.trim()}`);
  if (siblings.length > 0)
    parts.push(`${parent === '.' ? 'The workspace root' : parent} contains:\n${siblings.join('\n')}`);
  const hint = parts.length > 0 ? parts.join('\n\n') : 'Use glob or list_files to find the right path.';
  return failure(`File not found: ${path}`, hint);
}

/** Sibling names within a small edit distance of the missing name, closest first. */
function closestNames(wanted: string, candidates: readonly string[]): string[] {
  const threshold = Math.max(2, Math.floor(wanted.length / 3));
  return candidates
    .map((name) => ({
      name,
      distance: editDistance(wanted.toLowerCase(), name.replace(/\/$/, '').toLowerCase()),
    }))
    .filter((candidate) => candidate.distance <= threshold)
    .sort((left, right) => left.distance - right.distance)
    .slice(0, 3)
    .map((candidate) => candidate.name);
}

function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row += 1) {
    const current = [row];
    for (let column = 1; column <= right.length; column += 1) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      current.push(
        Math.min(
          (previous[column] ?? 0) + 1,
          (current[column - 1] ?? 0) + 1,
          (previous[column - 1] ?? 0) + cost,
        ),
      );
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}
