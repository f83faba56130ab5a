import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSecretScanMiddleware } from '../../../middleware/secret-scan.ts';
import type { MiddlewareContext } from '../../../middleware/types.ts';
import { isBatonError } from '../../../src/observability/errors.ts';
import { createHarness, type Harness } from './harness.ts';

// Built from parts so this file itself does not look like it holds credentials.
const GITHUB_TOKEN = ['ghp', '_', 'R8x2Kq9LmZ4vT7nB3cW6yH1pD5sF0gJ2aE8u'].join('');
const AWS_KEY_ID = ['AKIA', 'Z7Q4N2XW5RT8YB3M'].join('');
const OLD_TOKEN = ['ghp', '_', 'Old0Token1Already2In3Base4Branch5ab'].join('');

describe('secret-scan middleware', () => {
  let harness: Harness;
  let context: MiddlewareContext;
  const scan = createSecretScanMiddleware();

  beforeAll(async () => {
    harness = await createHarness({
      'src/config.mjs': 'export const region = "eu-west-1";\nexport const retries = 3;\n',
      // Already on the default branch: not something this branch adds.
      'legacy/settings.mjs': `export const token = "${OLD_TOKEN}";\n`,
      // Same length as the token line a test writes over it in place.
      'src/keys.mjs': `export const token = "${'x'.repeat(GITHUB_TOKEN.length)}";\n`,
    });
    context = { ...harness.context(), previous: [] };
  });
  afterAll(async () => {
    await harness.cleanup();
  });
  beforeEach(async () => {
    await harness.sh(`git reset -q --hard main && git clean -qfd -e .baton`);
  });

  it('is a non-feedback step', () => {
    expect(scan).toMatchObject({ name: 'secret-scan', feedback: false });
  });

  it('passes a clean diff (edits, new files, and the secret already in the base)', async () => {
    await harness.sandbox.writeFile(
      'src/config.mjs',
      'export const region = "eu-west-1";\nexport const retries = 5;\n',
    );
    await harness.sandbox.writeFile('src/new.mjs', 'export const greeting = "hello";\n');
    await harness.sh('printf "// touched\\n" >> legacy/settings.mjs');
    const result = await scan.run(context);
    expect(result.status).toBe('passed');
    expect(result.summary).toBe('Secret scan: no secrets in 3 added lines across 3 files');
  });

  it('blocks a GitHub token added to a tracked file, naming file, line and rule but not the value', async () => {
    await harness.sandbox.writeFile(
      'src/config.mjs',
      `export const region = "eu-west-1";\nexport const retries = 3;\nexport const token = "${GITHUB_TOKEN}";\n`,
    );
    const result = await scan.run(context);
    expect(result.status).toBe('blocked');
    expect(result.summary).toContain('src/config.mjs:3');
    expect(result.summary).toContain('github');
    expect(result.summary).not.toContain(GITHUB_TOKEN);
    expect(result.summary).not.toContain(GITHUB_TOKEN.slice(4, 20));
    expect(result.output).not.toContain(GITHUB_TOKEN.slice(4, 20));
  });

  it('blocks an AWS key id in a new, untracked file and leaves the real index alone', async () => {
    await harness.sh('mkdir -p deploy');
    await harness.sandbox.writeFile(
      'deploy/env.sh',
      `export REGION=eu-west-1\nexport AWS_ACCESS_KEY_ID=${AWS_KEY_ID}\n`,
    );
    const statusBefore = await harness.sh('git status --porcelain');
    const result = await scan.run(context);
    expect(result.status).toBe('blocked');
    expect(result.summary).toContain('deploy/env.sh:2 (aws-access-key-id)');
    expect(result.summary).not.toContain(AWS_KEY_ID);
    expect(await harness.sh('git status --porcelain')).toBe(statusBefore);
    expect(statusBefore).toBe('?? deploy/');
    // The scratch diff that held the value is gone.
    expect(await harness.sh('ls .baton/secret-scan.* 2>/dev/null || echo none')).toBe('none');
  });

  it('blocks a secret committed earlier on the branch, and ignores one under .baton/', async () => {
    await harness.sandbox.writeFile('src/key.mjs', `export const key = "${GITHUB_TOKEN}";\n`);
    await harness.sh(
      'git add -A && git -c user.name=x -c user.email=x@example.com -c commit.gpgsign=false commit -qm "earlier turn"',
    );
    const committed = await scan.run(context);
    expect(committed.status).toBe('blocked');
    expect(committed.summary).toContain('src/key.mjs:1');

    await harness.sh('git reset -q --hard main');
    await harness.sh('mkdir -p .baton');
    await harness.sandbox.writeFile('.baton/notes.txt', `scratch ${GITHUB_TOKEN}\n`);
    expect((await scan.run(context)).status).toBe('passed');
  });

  it('sees a same-size edit written in the second the index was (git racy-clean entries)', async () => {
    // Only git's racy-entry check (entry mtime not older than the index file) notices an in-place,
    // same-size edit in the same second as the index write; a copy of the index must keep that mtime.
    await harness.sh(
      [
        'for attempt in 1 2 3 4 5; do',
        '  rm -f src/keys.mjs && git checkout -- src/keys.mjs',
        `  printf '%s\\n' 'export const token = "${GITHUB_TOKEN}";' > src/keys.mjs`,
        '  [ "$(stat -c %Y src/keys.mjs)" = "$(stat -c %Y .git/index)" ] && break',
        'done',
        '[ "$(stat -c %s src/keys.mjs)" = "$(git cat-file -s :src/keys.mjs)" ]',
        '[ "$(stat -c %Y src/keys.mjs)" = "$(stat -c %Y .git/index)" ]',
        'sleep 1.2', // the scan now runs in a later second than the index was written
      ].join('\n'),
    );
    const result = await scan.run(context);
    expect(result.status).toBe('blocked');
    expect(result.summary).toContain('src/keys.mjs:1');
  });

  it('throws a clear error when the base ref does not exist', async () => {
    let caught: unknown;
    try {
      await scan.run({ ...context, baseRef: 'no-such-branch' });
    } catch (error) {
      caught = error;
    }
    expect(isBatonError(caught) && caught.code).toBe('secret_scan_base_missing');
  });
});
