import { describe, expect, it } from 'vitest';
import { watchParent } from '../../../src/cli/parent-watch.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('watching the parent process', () => {
  it('reports once when the parent pid changes (the process was orphaned and adopted)', async () => {
    let parent = 4242;
    let gone = 0;
    const stop = watchParent({ onGone: () => (gone += 1), parentPid: () => parent, intervalMs: 5 });
    await tick();
    expect(gone).toBe(0);
    parent = 1;
    await tick();
    parent = 7;
    await tick();
    expect(gone).toBe(1);
    stop();
  });

  it('does nothing for a process started by init, and nothing after it is stopped', async () => {
    let gone = 0;
    watchParent({ onGone: () => (gone += 1), parentPid: () => 1, intervalMs: 5 });
    let parent = 4242;
    const stop = watchParent({ onGone: () => (gone += 1), parentPid: () => parent, intervalMs: 5 });
    stop();
    parent = 1;
    await tick();
    expect(gone).toBe(0);
  });
});
