import { z } from 'zod';
import { defineTool } from './define-tool.ts';
import { RG_BASE } from './search-command.ts';
import { shellQuote } from './shell-quote.ts';
import { failure, success } from './tool-result.ts';
import type { ToolResult } from './types.ts';
import { toWorkspacePath } from './workspace-path.ts';

const DEFAULT_MAX_RESULTS = 100;

const parameters = z.object({
  pattern: z.string().min(1).describe('A regular expression (Rust regex syntax, like ripgrep).'),
  path: z
    .string()
    .optional()
    .describe('File or directory to search, relative to the workspace root. Default: the root.'),
  glob: z.string().optional().describe('Only search files matching this glob, e.g. `*.ts` or `src/**/*.py`.'),
  ignore_case: z.boolean().optional().describe('Match case-insensitively. Default false.'),
  context: z
    .number()
    .int()
    .min(0)
    .max(20)
    .optional()
    .describe('Lines of context to show around each match. Default 0.'),
  max_results: z
    .number()
    .int()
    .min(1)
    .max(2000)
    .optional()
    .describe(`Most matching lines to show. Default ${DEFAULT_MAX_RESULTS}.`),
});

interface FileHits {
  path: string;
  lines: string[];
  matches: number;
}

export const grepTool = defineTool({
  name: 'grep',
  parameters,
  effect: 'read',
  async execute(args, context): Promise<ToolResult> {
    const resolved = toWorkspacePath(args.path ?? '.', context.sandbox.workdir);
    if (!resolved.ok) return failure(resolved.error);
    const flags = [
      '--line-number',
      '--no-heading',
      '--with-filename',
      '--null',
      '--max-columns 500',
      '--max-columns-preview',
    ];
    if (args.ignore_case) flags.push('--ignore-case');
    if (args.context) flags.push(`--context ${args.context}`);
    if (args.glob) flags.push(`--glob ${shellQuote(args.glob)}`);
    // Always name a path: without one, rg searches stdin when stdin is not a terminal.
    const target = ` -- ${shellQuote(resolved.path)}`;
    const result = await context.sandbox.exec({
      cmd: `${RG_BASE} ${flags.join(' ')} -e ${shellQuote(args.pattern)}${target}`,
      signal: context.signal,
    });
    const stderr = result.stderr.trim();
    if (result.exitCode === 1 && stderr === '') return success(`No matches for ${args.pattern}.`);
    if (result.exitCode !== 0 && result.stdout === '') {
      return failure(`grep failed: ${stderr || `rg exited with ${result.exitCode}`}`, hintFor(stderr));
    }
    const files = parseHits(result.stdout);
    const rendered = render(files, args.max_results ?? DEFAULT_MAX_RESULTS);
    const notes: string[] = [];
    if (result.truncated)
      notes.push(
        'The search output was cut by the sandbox output cap: results are incomplete. Narrow the path, glob or pattern.',
      );
    if (result.exitCode === 2 && stderr)
      notes.push(`Some files could not be searched: ${stderr.split('\n').slice(0, 3).join('; ')}`);
    return success(notes.length > 0 ? `${rendered}\n\n${notes.join('\n')}` : rendered);
  },
});

function hintFor(stderr: string): string {
  if (/regex parse error|error parsing/i.test(stderr)) {
    return 'The pattern is a regular expression: escape special characters such as ( ) [ ] { } . * + ? with a backslash.';
  }
  if (/No such file or directory/i.test(stderr))
    return 'The path does not exist; check it with list_files or glob.';
  return 'Check the pattern, path and glob.';
}

/** `--null` puts a NUL after the file name, so names containing `:` or `-` parse unambiguously. */
function parseHits(stdout: string): FileHits[] {
  const byPath = new Map<string, FileHits>();
  let previous: FileHits | undefined;
  for (const line of stdout.split('\n')) {
    if (line === '--') {
      previous?.lines.push('  --');
      continue;
    }
    const separator = line.indexOf('\u0000');
    if (separator === -1) continue;
    const path = line.slice(0, separator).replace(/^\.\//, '');
    const rest = line.slice(separator + 1);
    const match = /^(\d+)([:-])(.*)$/s.exec(rest);
    if (!match) continue;
    const [, number, kind, text] = match as unknown as [string, string, string, string];
    let hits = byPath.get(path);
    if (!hits) {
      hits = { path, lines: [], matches: 0 };
      byPath.set(path, hits);
    }
    if (kind === ':') hits.matches += 1;
    hits.lines.push(`  ${number}${kind} ${text}`);
    previous = hits;
  }
  for (const hits of byPath.values()) {
    while (hits.lines.at(-1) === '  --') hits.lines.pop();
  }
  return [...byPath.values()].sort((left, right) =>
    left.path < right.path ? -1 : left.path > right.path ? 1 : 0,
  );
}

function render(files: FileHits[], maxResults: number): string {
  const total = files.reduce((sum, file) => sum + file.matches, 0);
  const blocks: string[] = [];
  let shown = 0;
  for (const file of files) {
    if (shown >= maxResults) break;
    const lines: string[] = [];
    for (const line of file.lines) {
      const isMatch = /^ {2}\d+:/.test(line);
      if (isMatch && shown >= maxResults) break;
      if (isMatch) shown += 1;
      lines.push(line);
    }
    while (lines.at(-1) === '  --') lines.pop();
    blocks.push(`${file.path}\n${lines.join('\n')}`);
  }
  const header = `${total} matching ${total === 1 ? 'line' : 'lines'} in ${files.length} ${files.length === 1 ? 'file' : 'files'}`;
  const more =
    total > shown ? ` (showing the first ${shown}; raise max_results or narrow the search for the rest)` : '';
  return `${header}${more}:\n\n${blocks.join('\n\n')}`;
}
