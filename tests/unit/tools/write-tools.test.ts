import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToolHarness, errorOf, outputOf, type ToolHarness } from './tool-harness.ts';

const files = {
  'src/config.ts': "export const name = 'demo';\nexport const retries = 3;\nexport const timeout = 30;\n",
  'src/repeat.ts':
    'const value = 1;\nfunction one() {\n  return value;\n}\nconst other = value;\nexport { one, other };\n',
  'src/rename.ts': 'let count = 0;\ncount += 1;\nexport { count };\n',
  'notes.txt': 'alpha\nbeta\ngamma\n',
};

describe('write tools', () => {
  let harness: ToolHarness;
  beforeAll(async () => {
    harness = await createToolHarness(files);
  });
  afterAll(async () => harness?.dispose());

  const read = (path: string) => harness.sandbox.readFile(path);

  describe('edit_file', () => {
    it('refuses to edit a file that was not read first', async () => {
      const { error, hint } = errorOf(
        await harness.call('edit_file', {
          path: 'src/config.ts',
          old_string: 'retries = 3',
          new_string: 'retries = 5',
        }),
      );
      expect(error).toContain('read src/config.ts with read_file before editing');
      expect(hint).toContain('read_file');
      expect(await read('src/config.ts')).toContain('retries = 3');
    });

    it('replaces a unique match and shows the edited lines', async () => {
      outputOf(await harness.call('read_file', { path: 'src/config.ts' }));
      const output = outputOf(
        await harness.call('edit_file', {
          path: 'src/config.ts',
          old_string: 'retries = 3',
          new_string: 'retries = 5',
        }),
      );
      expect(await read('src/config.ts')).toBe(
        "export const name = 'demo';\nexport const retries = 5;\nexport const timeout = 30;\n",
      );
      expect(output).toContain('Edited src/config.ts');
      expect(output).toContain('2\texport const retries = 5;');
    });

    it('says when old_string is not found', async () => {
      const { error, hint } = errorOf(
        await harness.call('edit_file', {
          path: 'src/config.ts',
          old_string: 'retries  = 5',
          new_string: 'x',
        }),
      );
      expect(error).toBe('old_string was not found in src/config.ts.');
      expect(hint).toMatch(/Re-read.*whitespace|whitespace.*Re-read/s);
    });

    it('refuses an ambiguous match and names the line of each occurrence', async () => {
      outputOf(await harness.call('read_file', { path: 'src/repeat.ts' }));
      const before = await read('src/repeat.ts');
      const { error, hint } = errorOf(
        await harness.call('edit_file', {
          path: 'src/repeat.ts',
          old_string: 'value;',
          new_string: 'value + 1;',
        }),
      );
      expect(error).toBe('old_string occurs 2 times in src/repeat.ts (lines 3, 5).');
      expect(hint).toContain('replace_all');
      expect(await read('src/repeat.ts')).toBe(before);
    });

    it('replaces every occurrence with replace_all', async () => {
      outputOf(await harness.call('read_file', { path: 'src/rename.ts' }));
      const output = outputOf(
        await harness.call('edit_file', {
          path: 'src/rename.ts',
          old_string: 'count',
          new_string: 'total',
          replace_all: true,
        }),
      );
      expect(output).toContain('Replaced 3 occurrences');
      expect(await read('src/rename.ts')).toBe('let total = 0;\ntotal += 1;\nexport { total };\n');
    });
  });

  describe('write_file', () => {
    it('creates a new file, with its directories, without a prior read', async () => {
      const output = outputOf(
        await harness.call('write_file', { path: 'lib/new/thing.ts', content: 'export {};\n' }),
      );
      expect(output).toBe('Created lib/new/thing.ts (1 lines).');
      expect(await read('lib/new/thing.ts')).toBe('export {};\n');
    });

    it('refuses to overwrite an unread file, and overwrites it once read', async () => {
      const { error } = errorOf(await harness.call('write_file', { path: 'notes.txt', content: 'gone\n' }));
      expect(error).toContain('already exists and you have not read it');
      expect(await read('notes.txt')).toBe('alpha\nbeta\ngamma\n');
      outputOf(await harness.call('read_file', { path: 'notes.txt' }));
      expect(outputOf(await harness.call('write_file', { path: 'notes.txt', content: 'delta\n' }))).toContain(
        'Overwrote',
      );
      expect(await read('notes.txt')).toBe('delta\n');
    });
  });

  describe('apply_patch', () => {
    it('applies a multi-file plain unified diff (edit, create, delete) and lists the files', async () => {
      const patch = [
        '--- a/notes.txt',
        '+++ b/notes.txt',
        '@@ -1 +1,2 @@',
        '-delta',
        '+epsilon',
        '+zeta',
        '--- /dev/null',
        '+++ b/docs/added.md',
        '@@ -0,0 +1 @@',
        '+# Added',
        '--- a/lib/new/thing.ts',
        '+++ /dev/null',
        '@@ -1 +0,0 @@',
        '-export {};',
        '',
      ].join('\n');
      const output = outputOf(await harness.call('apply_patch', { patch }));
      expect(output).toBe(
        'Applied the patch. Files changed:\n  notes.txt\n  docs/added.md\n  lib/new/thing.ts',
      );
      expect(await read('notes.txt')).toBe('epsilon\nzeta\n');
      expect(await read('docs/added.md')).toBe('# Added\n');
      await expect(read('lib/new/thing.ts')).rejects.toThrow();
    });

    it("reports git's message for a patch that does not apply and changes nothing", async () => {
      const patch = '--- a/notes.txt\n+++ b/notes.txt\n@@ -1 +1 @@\n-not the content\n+whatever\n';
      const { error, hint } = errorOf(await harness.call('apply_patch', { patch }));
      expect(error).toContain('The patch did not apply');
      expect(error).toContain('patch does not apply');
      expect(hint).toContain('Re-read');
      expect(await read('notes.txt')).toBe('epsilon\nzeta\n');
    });
  });

  describe('view_diff', () => {
    it('shows edits to tracked files and new files in full', async () => {
      const output = outputOf(await harness.call('view_diff', {}));
      expect(output).toContain(' M src/config.ts');
      expect(output).toContain('?? docs/added.md');
      expect(output).toContain('-export const retries = 3;\n+export const retries = 5;');
      expect(output).toContain('+++ b/docs/added.md');
      expect(output).toContain('+# Added');
      const one = outputOf(await harness.call('view_diff', { path: 'src/rename.ts' }));
      expect(one).toContain('+let total = 0;');
      expect(one).not.toContain('config.ts');
    });

    it('says when there is nothing staged', async () => {
      const output = outputOf(await harness.call('view_diff', { staged: true }));
      expect(output).toContain('(no changes in the selected view)');
    });
  });
});
