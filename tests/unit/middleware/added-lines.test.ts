import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAddedLines } from '../../../middleware/added-lines.ts';
import { createFixtureRepo, type FixtureRepo } from '../../fixtures/git-repo.ts';

describe('parseAddedLines', () => {
  let fixture: FixtureRepo;

  beforeAll(() => {
    fixture = createFixtureRepo({ 'notes.md': 'one\ntwo\nthree\nfour\n', 'gone.txt': 'bye\n' });
  });
  afterAll(() => {
    fixture.cleanup();
  });

  it('reads added lines with their new line numbers from a real --unified=0 diff', () => {
    // Lines that look like diff headers once prefixed with `+` must stay content.
    writeFileSync(join(fixture.path, 'notes.md'), 'one\n++ not a header\ntwo\nTHREE\nfour\n--- nor this\n');
    writeFileSync(join(fixture.path, 'with space.txt'), 'a\nb\n');
    writeFileSync(join(fixture.path, 'image.bin'), Buffer.from([0, 1, 2, 0, 255]));
    fixture.git('rm', '-q', 'gone.txt');
    fixture.git('add', '-A');
    const diff = fixture.git(
      '-c',
      'core.quotePath=false',
      'diff',
      '--cached',
      '--unified=0',
      '--diff-filter=d',
      'HEAD',
    );

    const files = parseAddedLines(diff);
    expect(files).toEqual([
      { path: 'image.bin', binary: true, lines: [] },
      {
        path: 'notes.md',
        binary: false,
        lines: [
          { number: 2, text: '++ not a header' },
          { number: 4, text: 'THREE' },
          { number: 6, text: '--- nor this' },
        ],
      },
      {
        path: 'with space.txt',
        binary: false,
        lines: [
          { number: 1, text: 'a' },
          { number: 2, text: 'b' },
        ],
      },
    ]);
  });
});
