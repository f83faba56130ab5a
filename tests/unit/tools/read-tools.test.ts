import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToolHarness, errorOf, outputOf, type ToolHarness } from './tool-harness.ts';

const longFile = `${Array.from({ length: 2500 }, (_, index) => `line ${index + 1}`).join('\n')}\n`;

const files = {
  'README.md': '# Fixture\n\nA small project.\n',
  'src/math.ts':
    'export function add(a: number, b: number) {\n  return a + b;\n}\n\nexport const TAU = 6.28;\n',
  'src/strings.ts': "export function shout(text: string) {\n  return text.toUpperCase() + '!';\n}\n",
  'src/deep/nested/util.ts': 'export const add = 1;\n',
  'docs/long.txt': longFile,
  '.gitignore': 'ignored/\n',
  '.github/workflows/ci.yml': 'name: ci\n',
};

describe('read tools', () => {
  let harness: ToolHarness;
  beforeAll(async () => {
    harness = await createToolHarness(files);
    // An ignored file exists in the workspace but must not show up in listings or searches.
    await harness.sandbox.writeFile('ignored/secret-notes.ts', 'export const add = 2;\n');
  });
  afterAll(async () => harness?.dispose());

  describe('read_file', () => {
    it('numbers lines from 1 like cat -n and records the file as read', async () => {
      const output = outputOf(await harness.call('read_file', { path: 'src/math.ts' }));
      expect(output.split('\n').slice(0, 3)).toEqual([
        '     1\texport function add(a: number, b: number) {',
        '     2\t  return a + b;',
        '     3\t}',
      ]);
      expect(output).not.toContain('more lines');
      expect(harness.context.state.readFiles.has('src/math.ts')).toBe(true);
    });

    it('accepts absolute /workspace paths and normalises them', async () => {
      outputOf(await harness.call('read_file', { path: '/workspace/./src/strings.ts' }));
      expect(harness.context.state.readFiles.has('src/strings.ts')).toBe(true);
    });

    it('shows 2000 lines by default and says how to get the rest', async () => {
      const output = outputOf(await harness.call('read_file', { path: 'docs/long.txt' }));
      expect(output).toContain('  2000\tline 2000');
      expect(output).not.toContain('line 2001');
      expect(output).toContain('500 more lines');
      expect(output).toContain('offset 2001');
    });

    it('pages with offset and limit', async () => {
      const output = outputOf(
        await harness.call('read_file', { path: 'docs/long.txt', offset: 2499, limit: 5 }),
      );
      expect(output).toContain('  2499\tline 2499');
      expect(output).toContain('  2500\tline 2500');
      expect(output).toContain('end of file');
      const middle = outputOf(
        await harness.call('read_file', { path: 'docs/long.txt', offset: 10, limit: 2 }),
      );
      expect(middle.split('\n').slice(0, 2)).toEqual(['    10\tline 10', '    11\tline 11']);
      expect(middle).toContain('offset 12');
    });

    it('refuses an offset past the end', async () => {
      const { error } = errorOf(await harness.call('read_file', { path: 'src/math.ts', offset: 99 }));
      expect(error).toContain('5 lines');
    });

    it('reports a missing file with nearby names', async () => {
      const { error, hint } = errorOf(await harness.call('read_file', { path: 'src/maths.ts' }));
      expect(error).toBe('File not found: src/maths.ts');
      expect(hint).toContain('src/math.ts');
      expect(hint).toContain('strings.ts');
    });

    it('refuses paths outside the workspace and directories', async () => {
      expect(errorOf(await harness.call('read_file', { path: '../etc/passwd' })).error).toContain(
        'leaves the workspace',
      );
      expect(errorOf(await harness.call('read_file', { path: '/etc/passwd' })).error).toContain(
        'outside the workspace',
      );
      expect(errorOf(await harness.call('read_file', { path: 'src' })).error).toContain('is a directory');
    });
  });

  describe('grep', () => {
    it('finds matches with file names and line numbers, grouped by file', async () => {
      const output = outputOf(await harness.call('grep', { pattern: 'export (function|const) add' }));
      expect(output).toContain('2 matching lines in 2 files');
      expect(output).toContain('src/deep/nested/util.ts\n  1: export const add = 1;');
      expect(output).toContain('src/math.ts\n  1: export function add(a: number, b: number) {');
      expect(output).not.toContain('ignored/');
    });

    it('filters by path and glob, ignores case and shows context', async () => {
      const output = outputOf(
        await harness.call('grep', {
          pattern: 'RETURN',
          path: 'src',
          glob: 'math.*',
          ignore_case: true,
          context: 1,
        }),
      );
      expect(output).toBe(
        '1 matching line in 1 file:\n\nsrc/math.ts\n  1- export function add(a: number, b: number) {\n  2:   return a + b;\n  3- }',
      );
    });

    it('caps the number of matching lines shown', async () => {
      const output = outputOf(await harness.call('grep', { pattern: '^line', path: 'docs', max_results: 3 }));
      expect(output).toContain('2500 matching lines in 1 file (showing the first 3');
      expect(output).toContain('  3: line 3');
      expect(output).not.toContain('  4: line 4');
    });

    it('answers "No matches" as a success', async () => {
      const output = outputOf(await harness.call('grep', { pattern: 'definitely-not-in-here' }));
      expect(output).toBe('No matches for definitely-not-in-here.');
    });

    it("returns ripgrep's message for an invalid regex", async () => {
      const { error, hint } = errorOf(await harness.call('grep', { pattern: 'add(' }));
      expect(error).toContain('regex parse error');
      expect(hint).toContain('escape');
    });
  });

  describe('glob and list_files', () => {
    it('glob finds files by pattern, sorted, respecting .gitignore', async () => {
      expect(outputOf(await harness.call('glob', { pattern: '*.ts' })).split('\n')).toEqual([
        'src/deep/nested/util.ts',
        'src/math.ts',
        'src/strings.ts',
      ]);
      expect(outputOf(await harness.call('glob', { pattern: '**/*.yml' }))).toBe('.github/workflows/ci.yml');
      expect(outputOf(await harness.call('glob', { pattern: '*.ts', path: 'src/deep' }))).toBe(
        'src/deep/nested/util.ts',
      );
      expect(outputOf(await harness.call('glob', { pattern: '*.rs' }))).toContain('No files match');
    });

    it('list_files shows the tree to a depth with file counts per directory', async () => {
      const output = outputOf(await harness.call('list_files', {}));
      expect(output.split('\n')).toEqual([
        '.github/ (1 file)',
        '.github/workflows/ (1 file)',
        '.gitignore',
        'README.md',
        'docs/ (1 file)',
        'docs/long.txt',
        'src/ (3 files)',
        'src/deep/ (1 file)',
        'src/math.ts',
        'src/strings.ts',
      ]);
      const deep = outputOf(await harness.call('list_files', { path: 'src', depth: 5 }));
      expect(deep.split('\n')).toEqual([
        'src/deep/ (1 file)',
        'src/deep/nested/ (1 file)',
        'src/deep/nested/util.ts',
        'src/math.ts',
        'src/strings.ts',
      ]);
    });

    it('list_files reports a missing directory', async () => {
      expect(errorOf(await harness.call('list_files', { path: 'nope' })).error).toBe(
        'Directory not found: nope',
      );
    });
  });
});
