import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { takeCheckpoint, workspaceHead } from '../../../src/runs/checkpoint.ts';
import { createHarness, type Harness } from '../middleware/harness.ts';

describe('takeCheckpoint', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ 'src/value.mjs': 'export const value = "aaaa";\n' });
  });
  afterAll(async () => {
    await harness.cleanup();
  });

  it('holds a same-size edit written in the second the index was (git racy-clean entries)', async () => {
    const base = await workspaceHead(harness.sandbox);
    // An in-place, same-size edit in the second the index was written is only noticed through git's
    // racy-entry check; the checkpoint's copy of the index must not hide it.
    await harness.sh(
      [
        'for attempt in 1 2 3 4 5; do',
        '  rm -f src/value.mjs && git checkout -- src/value.mjs',
        `  printf '%s\\n' 'export const value = "bbbb";' > src/value.mjs`,
        '  [ "$(stat -c %Y src/value.mjs)" = "$(stat -c %Y .git/index)" ] && break',
        'done',
        '[ "$(stat -c %Y src/value.mjs)" = "$(stat -c %Y .git/index)" ]',
        'sleep 1.2', // the checkpoint is taken in a later second than the index was written
      ].join('\n'),
    );
    const patch = await takeCheckpoint(harness.sandbox, base, createSilentLogger());
    expect(patch).toContain('+export const value = "bbbb";');
  });
});
