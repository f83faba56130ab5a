import { describe, expect, it } from 'vitest';
import { normalizePatch } from '../../../src/tools/normalize-patch.ts';

describe('normalizePatch', () => {
  it('gives plain multi-file diffs git headers so --recount cannot run one file into the next', () => {
    const patch =
      '--- a/x.txt\t2024-01-01\n+++ b/x.txt\n@@ -1 +1 @@\n-a\n+b\n--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+n\n';
    expect(normalizePatch(patch)).toBe(
      [
        'diff --git a/x.txt b/x.txt',
        '--- a/x.txt',
        '+++ b/x.txt',
        '@@ -1 +1 @@',
        '-a',
        '+b',
        'diff --git a/new.txt b/new.txt',
        'new file mode 100644',
        '--- /dev/null',
        '+++ b/new.txt',
        '@@ -0,0 +1 @@',
        '+n',
        '',
      ].join('\n'),
    );
  });

  it('adds prefixes to -p0 style paths and strips a Markdown fence', () => {
    const patch = '```diff\n--- src/a.ts\n+++ src/a.ts\n@@ -1 +1 @@\n-a\n+b\n```\n';
    expect(normalizePatch(patch)).toBe(
      'diff --git a/src/a.ts b/src/a.ts\n--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1 @@\n-a\n+b\n',
    );
  });

  it('adds missing creation and deletion modes to git-format diffs and leaves complete ones alone', () => {
    const missing = 'diff --git a/gone.txt b/gone.txt\n--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n';
    expect(normalizePatch(missing)).toBe(
      'diff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\n--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n',
    );
    const complete =
      'diff --git a/n.txt b/n.txt\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1 @@\n+n\n';
    expect(normalizePatch(complete)).toBe(complete);
  });
});
