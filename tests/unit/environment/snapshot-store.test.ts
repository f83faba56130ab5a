import { writeFileSync } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createdPaths } from '../../../src/sandbox/environment/snapshot-files.ts';
import { createSnapshotStore } from '../../../src/sandbox/environment/snapshot-store.ts';
import { createTempDir } from '../../fixtures/git-repo.ts';

const key = (digit: string) => digit.repeat(32);

describe('the environment cache on disk', () => {
  const temp = createTempDir('baton-snapshots-');
  afterAll(() => temp.cleanup());

  it('evicts the least recently used entries beyond the budget, never one in use', async () => {
    const store = createSnapshotStore(temp.path);
    for (const [index, digit] of ['a', 'b', 'c'].entries()) {
      const build = await store.startBuild(key(digit));
      writeFileSync(join(build, 'tree', 'blob'), Buffer.alloc(1000));
      await store.commit(build, { key: key(digit), repo: 'r', commands: ['npm ci'], paths: ['blob'] });
      const past = new Date(Date.now() - (10 - index) * 60_000);
      await utimes(join(store.treePath(key(digit), '..'), 'meta.json'), past, past);
    }
    // `a` is the oldest but in use; `b` is next.
    const release = await store.acquire(key('a'), 'sbx-1');
    const removed = await store.prune({ budgetBytes: 2000 });
    expect(removed.map((entry) => entry.key)).toEqual([key('b')]);
    expect((await store.list()).map((entry) => entry.key).sort()).toEqual([key('a'), key('c')]);
    await release();
    expect((await store.prune({ budgetBytes: 1000 })).map((entry) => entry.key)).toEqual([key('c')]);
    expect(await store.get('../../etc')).toBeUndefined();
  });

  it('a second build of the same key leaves the first one in place', async () => {
    const store = createSnapshotStore(join(temp.path, 'second'));
    for (const content of ['first', 'second']) {
      const build = await store.startBuild(key('d'));
      writeFileSync(join(build, 'tree', 'file'), content);
      await store.commit(build, { key: key('d'), repo: 'r', commands: [], paths: ['file'] });
    }
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(store.treePath(key('d'), 'file'), 'utf8')).toBe('first');
  });

  it('takes only untracked and ignored paths from git status, never .git, .baton or a path upwards', () => {
    const porcelain = [
      '?? node_modules/',
      '!! packages/a/node_modules/',
      ' M package.json',
      '?? .baton/output/1.log',
      '!! .git/x',
      '?? ../escape',
      '?? .venv/',
      '',
    ].join('\0');
    expect(createdPaths(porcelain)).toEqual(['.venv', 'node_modules', 'packages/a/node_modules']);
  });
});
