import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addedLines } from '../../../middleware/commit-additions.ts';
import { createSecretScanMiddleware } from '../../../middleware/secret-scan.ts';
import type { MiddlewareContext } from '../../../middleware/types.ts';
import { createHarness, type Harness } from './harness.ts';

// Built from parts so this file itself does not look like it holds credentials.
const GITHUB_TOKEN = ['ghp', '_', 'R8x2Kq9LmZ4vT7nB3cW6yH1pD5sF0gJ2aE8u'].join('');
const AWS_KEY_ID = ['AKIA', 'Z7Q4N2XW5RT8YB3M'].join('');
const OLD_TOKEN = ['ghp', '_', 'Old0Token1Already2In3Base4Branch5ab'].join('');
/** A value Baton holds that no pattern knows (a webhook secret). */
const KNOWN_VALUE = 'whsec-plain-looking-value-20261204';

const COMMIT = 'git -c user.name=x -c user.email=x@example.com -c commit.gpgsign=false commit -q';

describe('secret-scan middleware (every commit, read on the host)', () => {
  let harness: Harness;
  let context: MiddlewareContext;
  const scan = createSecretScanMiddleware();

  beforeAll(async () => {
    harness = await createHarness({
      'src/config.mjs': 'export const region = "eu-west-1";\nexport const retries = 3;\n',
      // Already on the default branch: not something this branch adds.
      'legacy/settings.mjs': `export const token = "${OLD_TOKEN}";\n`,
    });
    context = { ...harness.context({ secrets: [KNOWN_VALUE] }), previous: [] };
  });
  afterAll(async () => {
    await harness.cleanup();
  });
  beforeEach(async () => {
    await harness.sh('git reset -q --hard main && git clean -qfdx -e .baton && rm -f .git/info/attributes');
    await harness.sh('git config --unset core.attributesFile || true');
  });

  const commitAll = (message: string) => harness.sh(`git add -A && ${COMMIT} -m '${message}'`);
  const quarantines = () =>
    existsSync(join(harness.dataDir, 'scratch'))
      ? readdirSync(join(harness.dataDir, 'scratch')).filter((name) => name.startsWith('quarantine-'))
      : [];

  const bundles = () => {
    const exports = join(harness.dataDir, 'exports');
    return existsSync(exports)
      ? readdirSync(exports, { recursive: true })
          .map(String)
          .filter((name) => name.endsWith('.bundle'))
          .sort()
      : [];
  };

  it('is a non-feedback step and checks its options', () => {
    expect(scan).toMatchObject({ name: 'secret-scan', feedback: false });
    expect(() => createSecretScanMiddleware({ maxFileByte: 1 })).toThrow(
      expect.objectContaining({ code: 'middleware_options_invalid' }),
    );
  });

  it('passes clean commits (edits, new files, a line next to a secret already in the base) and says what it read', async () => {
    await harness.sandbox.writeFile(
      'src/config.mjs',
      'export const region = "eu-west-1";\nexport const retries = 5;\n',
    );
    await harness.sandbox.writeFile('src/new.mjs', 'export const greeting = "hello";\n');
    await harness.sh('printf "// touched\\n" >> legacy/settings.mjs');
    await commitAll('tidy');
    const result = await scan.run(context);
    expect(result.status).toBe('passed');
    // 3 lines in files and 1 in the commit message.
    expect(result.summary).toBe('Secret scan: no secrets in 4 added lines across 4 files in 1 commit(s)');
    expect(result.commit).toBe(await harness.sh('git rev-parse HEAD'));
    expect(quarantines()).toEqual([]);
  });

  it('blocks a token committed and removed again in a later commit; names file, line, rule, commit and the masked value', async () => {
    await harness.sandbox.writeFile(
      'src/config.mjs',
      `export const region = "eu-west-1";\nexport const retries = 3;\nexport const token = "${GITHUB_TOKEN}";\n`,
    );
    await commitAll('add token');
    const added = await harness.sh('git rev-parse HEAD');
    await harness.sh('git checkout main -- src/config.mjs');
    await commitAll('remove token');
    expect(await harness.sh('git diff main HEAD')).toBe(''); // the net diff is empty

    const bundlesBefore = bundles();
    const result = await scan.run(context);
    expect(result.status).toBe('blocked');
    expect(result.summary).toContain('src/config.mjs:3 (github, github-token)');
    expect(result.summary).toContain(`ghp_******** (${GITHUB_TOKEN.length} chars)`);
    expect(result.summary).toContain(`in commit ${added.slice(0, 12)}`);
    expect(`${result.summary}\n${result.output}`).not.toContain(GITHUB_TOKEN.slice(4, 12));
    // The quarantine is gone, and so is the exported bundle that held the value.
    expect(quarantines()).toEqual([]);
    expect(bundles()).toEqual(bundlesBefore);
  });

  it.each([
    ['an in-tree .gitattributes `*.dat -diff`', '.gitattributes', '*.dat -diff\n'],
    ['an in-tree .gitattributes `*.dat binary`', '.gitattributes', '*.dat binary\n'],
    ['a textconv that hides the file', '.gitattributes', '*.dat diff=hide\n'],
  ])('is not steered by %s', async (_label, path, attributes) => {
    await harness.sandbox.writeFile(path, attributes);
    await harness.sh(`git config diff.hide.textconv 'echo nothing here'`);
    await harness.sandbox.writeFile('data/settings.dat', `token=${GITHUB_TOKEN}\n`);
    await commitAll('data');
    const result = await scan.run(context);
    await harness.sh('git config --unset diff.hide.textconv');
    expect(result.status).toBe('blocked');
    expect(result.summary).toContain('data/settings.dat:1');
  });

  it('is not steered by the workspace’s info/attributes or core.attributesFile', async () => {
    await harness.sh('mkdir -p .git/info && printf "*.dat -diff\\n" > .git/info/attributes');
    await harness.sh(
      'printf "*.env binary\\n" > /tmp/attributes-$$ && git config core.attributesFile /tmp/attributes-$$',
    );
    await harness.sandbox.writeFile('data/a.dat', `token=${GITHUB_TOKEN}\n`);
    await harness.sandbox.writeFile('deploy/prod.env', `AWS_ACCESS_KEY_ID=${AWS_KEY_ID}\n`);
    await commitAll('data and env');
    const result = await scan.run(context);
    expect(result.status).toBe('blocked');
    expect(result.summary).toContain('data/a.dat:1');
    expect(result.summary).toContain('deploy/prod.env:1 (aws-access-key-id');
  });

  it('blocks a value Baton holds that matches no pattern, plain or base64, and in a commit message', async () => {
    await harness.sandbox.writeFile('src/hook.mjs', `export const secret = '${KNOWN_VALUE}';\n`);
    const encoded = Buffer.from(`webhook:${KNOWN_VALUE}`).toString('base64');
    await harness.sandbox.writeFile('src/encoded.txt', `${encoded}\n`);
    await harness.sh(`git add -A && ${COMMIT} -m 'wire the hook' -m 'secret is ${KNOWN_VALUE}'`);
    const result = await scan.run(context);
    expect(result.status).toBe('blocked');
    expect(result.output).toContain('src/hook.mjs:1 (known-secret (secret 1))');
    expect(result.output).toContain('src/encoded.txt:1 (known-secret (secret 1, base64))');
    expect(result.output).toMatch(/\(commit message of [0-9a-f]{12}\):3 \(known-secret \(secret 1\)\)/);
    expect(`${result.summary}\n${result.output}`).not.toContain(KNOWN_VALUE);
    expect(`${result.summary}\n${result.output}`).not.toContain(KNOWN_VALUE.slice(0, 10));
  });

  it('passes a clean small binary file, reads a binary one with a token as text, and names files over the bound', async () => {
    const png = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52,
    ]);
    await harness.sh(
      `printf '${[...png].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('')}' > logo.png`,
    );
    await harness.sh('head -c 2000000 /dev/zero > big.bin');
    await commitAll('assets');
    const clean = await createSecretScanMiddleware({ maxFileBytes: 1_000_000 }).run(context);
    expect(clean.status).toBe('passed');
    expect(clean.summary).toContain('(1 of them binary, read as text)');
    expect(clean.summary).toContain('not scanned, over 1000000 bytes: big.bin (2000000 bytes');

    await harness.sh(`printf 'PK\\000\\003token=${GITHUB_TOKEN}\\000' > bundle.zip`);
    await commitAll('zip');
    const dirty = await scan.run(context);
    expect(dirty.status).toBe('blocked');
    expect(dirty.summary).toContain('bundle.zip:1 (github');
  });

  it('reads a merge commit against each parent and an orphan history against the empty tree', async () => {
    await harness.sh(
      `git switch -q -c side main && printf 'side\\n' > side.txt && git add -A && ${COMMIT} -m side`,
    );
    await harness.sh(
      `git switch -q - && git -c user.name=x -c user.email=x@example.com merge -q --no-ff --no-commit side && printf 'key=${AWS_KEY_ID}\\n' > merged.txt && git add -A && ${COMMIT} -m merge`,
    );
    const merged = await scan.run(context);
    expect(merged.status).toBe('blocked');
    expect(merged.summary).toContain('merged.txt:1 (aws-access-key-id');

    await harness.sh('git reset -q --hard main');
    await harness.sandbox.writeFile('orphan.txt', `token=${GITHUB_TOKEN}\n`);
    await harness.sh(
      'git add -A && root=$(GIT_AUTHOR_NAME=x GIT_AUTHOR_EMAIL=x@x GIT_COMMITTER_NAME=x GIT_COMMITTER_EMAIL=x@x git commit-tree "$(git write-tree)" -m orphan) && git reset -q --hard "$root"',
    );
    expect(await harness.sh('git rev-list --count HEAD')).toBe('1');
    const orphan = await scan.run(context);
    expect(orphan.status).toBe('blocked');
    expect(orphan.summary).toContain('orphan.txt:1 (github');
  });

  it('passes when the branch has no new commits', async () => {
    const result = await scan.run(context);
    expect(result).toMatchObject({
      status: 'passed',
      summary: 'Secret scan: the branch has no new commits.',
    });
  });
});

describe('addedLines', () => {
  it('is what the new version has beyond the old one, counted as a multiset, with line numbers', () => {
    expect(addedLines('a\nb\nb\n', 'b\na\nb\nb\nc\n')).toEqual([
      { number: 4, text: 'b' },
      { number: 5, text: 'c' },
    ]);
    expect(addedLines(undefined, 'x\ny')).toEqual([
      { number: 1, text: 'x' },
      { number: 2, text: 'y' },
    ]);
  });
});
