import { describe, expect, it } from 'vitest';
import { createBranchDiff, splitPatch } from '../../../src/dashboard/branch-diff.ts';
import { itemFragment, latestPlan, renderPlan, renderTimeline } from '../../../src/dashboard/render-items.ts';
import { duration, relativeTime } from '../../../src/dashboard/time.ts';
import type { Item, ItemPayload } from '../../../src/runs/items.ts';

let sequence = 0;
const item = (payload: ItemPayload): Item => {
  sequence += 1;
  return {
    id: `item-${sequence}`,
    turnId: 'turn-1',
    sequence,
    payload,
    startedAt: '2026-12-04T19:00:00.000Z',
    completedAt: null,
  };
};

describe('the run timeline', () => {
  it('shows each tool call once with its result folded beneath it; a failed one open and marked', () => {
    const html = renderTimeline([
      item({
        type: 'model_message',
        content: null,
        toolCalls: [{ id: 'c1', name: 'read_file', arguments: '{}' }],
        usage: { inputTokens: 10, outputTokens: 2, cachedInputTokens: 0 },
        costUsd: 0,
      }),
      item({ type: 'tool_call', callId: 'c1', name: 'read_file', arguments: '{"path":"src/a.ts"}' }),
      item({ type: 'tool_result', callId: 'c1', name: 'read_file', ok: true, output: 'export const a = 1;' }),
      item({ type: 'tool_call', callId: 'c2', name: 'run_command', arguments: '{"cmd":"npm test"}' }),
      item({
        type: 'tool_result',
        callId: 'c2',
        name: 'run_command',
        ok: false,
        output: 'Error: exit 1\nHint: read the failure',
      }),
    ]);
    expect(html.match(/<summary>read_file /g)).toHaveLength(1);
    expect(html.match(/data-result-for="c1"/g)).toHaveLength(1);
    expect(html).toMatch(/<details class="item tool" data-sequence="4" data-call-id="c2" open>/);
    expect(html).toContain('status-failed');
    expect(html).not.toContain('waiting for the result');
    // The model message lists its calls as a count, not a second copy of them.
    expect(html).toContain('1 tool call');
  });

  it('shows a call still waiting for its result, and a result whose call it never saw on its own', () => {
    expect(
      renderTimeline([item({ type: 'tool_call', callId: 'c9', name: 'grep', arguments: 'not json' })]),
    ).toContain('waiting for the result');
    const orphan = renderTimeline([
      item({ type: 'tool_result', callId: 'gone', name: 'grep', ok: true, output: 'x' }),
    ]);
    expect(orphan).toContain('Result of grep');
  });

  it('escapes everything a model, a tool or a person wrote', () => {
    const html = renderTimeline([
      item({ type: 'user_message', text: '<img src=x onerror=alert(1)>', author: '<b>ana</b>' }),
      item({ type: 'tool_call', callId: 'c"x', name: '<script>', arguments: '{"a":"</pre><script>"}' }),
      item({ type: 'middleware_step', name: 'lint', status: 'failed', summary: '<i>', output: '</pre>' }),
    ]);
    expect(html).not.toMatch(/<img|<script>|<b>ana|<i>/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('data-call-id="c&quot;x"');
  });

  it('puts errors inline with their code and what to do, and failed steps open with their output', () => {
    const html = renderTimeline([
      item({
        type: 'error',
        code: 'push_rejected',
        message: 'push of baton/x failed (the remote moved on; it is never force-pushed)',
      }),
      item({
        type: 'middleware_step',
        name: 'test',
        status: 'failed',
        summary: 'npm test: exit 1',
        output: 'not ok 1',
      }),
      item({ type: 'middleware_step', name: 'lint', status: 'passed', summary: 'ok' }),
    ]);
    expect(html).toContain('class="item error" role="alert"');
    expect(html).toContain('<code>push_rejected</code>');
    expect(html).toContain('<strong>What to do:</strong> the remote moved on; it is never force-pushed');
    expect(html).toMatch(/<details class="item step error" data-sequence="\d+" open><summary>Step test/);
    expect(html).toContain('not ok 1');
    expect(html).toMatch(/<details class="item step" data-sequence="\d+"><summary>Step lint/);
  });

  it('shows item kinds newer than the page with their fields', () => {
    const future = { type: 'quota_report', remaining: 3 } as unknown as ItemPayload;
    const html = renderTimeline([item(future)]);
    expect(html).toContain('<summary>quota_report');
    expect(html).toContain('&quot;remaining&quot;: 3');
  });

  it('shows the environment setup: its commands, cache, refused hosts, and a failure open with its output', () => {
    const ready = renderTimeline([
      item({
        type: 'environment',
        status: 'ready',
        cached: true,
        key: 'abc123',
        commands: ['npm ci'],
        durationMs: 420,
        deniedHosts: [],
        reason: 'package-lock.json',
      }),
    ]);
    expect(ready).toContain('from cache');
    expect(ready).toContain('$ npm ci');
    expect(ready).toContain('<code>abc123</code>');
    const failed = renderTimeline([
      item({
        type: 'environment',
        status: 'failed',
        cached: false,
        key: 'k',
        commands: ['npm ci'],
        durationMs: 9000,
        deniedHosts: ['evil.example:443'],
        reason: 'package-lock.json',
        failure: { command: 'npm ci', exitCode: 1, timedOut: false, outputTail: 'ERR! <404>' },
      }),
    ]);
    expect(failed).toMatch(/<details class="item step error" data-sequence="\d+" open>/);
    expect(failed).toContain('evil.example:443');
    expect(failed).toContain('exit 1');
    expect(failed).toContain('ERR! &lt;404&gt;');
  });

  it('streams a result as a fragment for its call, with a fallback for a page without the call', () => {
    const fragment = itemFragment(
      item({ type: 'tool_result', callId: 'c1', name: 'grep', ok: false, output: 'none' }),
    );
    expect(fragment).toMatchObject({ kind: 'result', callId: 'c1', ok: false });
    if (fragment.kind !== 'result') throw new Error('expected a result fragment');
    expect(fragment.html).toContain('data-result-for="c1"');
    expect(fragment.fallback).toContain('Result of grep');
    expect(itemFragment(item({ type: 'status', text: 'turn succeeded' }))).toMatchObject({ kind: 'append' });
  });

  it('shows the plan the todo tool set last, ignoring subagents and malformed calls', () => {
    const plan = latestPlan([
      item({
        type: 'tool_call',
        callId: 'a',
        name: 'todo',
        arguments: JSON.stringify({ items: [{ text: 'old', status: 'done' }] }),
      }),
      item({
        type: 'tool_call',
        callId: 'b',
        name: 'todo',
        arguments: JSON.stringify({
          items: [
            { text: 'Fix <add>', status: 'done' },
            { text: 'Test', status: 'in_progress' },
          ],
        }),
      }),
      item({
        type: 'tool_call',
        callId: 'c',
        name: 'todo',
        arguments: JSON.stringify({ items: [{ text: 'sub', status: 'pending' }] }),
        scope: 'subagent',
      }),
      item({ type: 'tool_call', callId: 'd', name: 'todo', arguments: '{broken' }),
    ]);
    expect(plan).toEqual([
      { text: 'Fix <add>', status: 'done' },
      { text: 'Test', status: 'in_progress' },
    ]);
    const html = renderPlan(plan);
    expect(html).toContain('1/2 done');
    expect(html).toContain('data-mark="[x]"');
    expect(html).toContain('Fix &lt;add&gt;');
    expect(renderPlan([])).toBe('');
  });
});

describe('diffs and times', () => {
  it('splits a git diff into files with their additions and removals', () => {
    const files = splitPatch(
      'diff --git a/src/a.ts b/src/a.ts\nindex 1..2 100644\n--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1,2 @@\n-old\n+new\n+more\n' +
        'diff --git a/old name.txt b/new name.txt\nsimilarity index 100%\nrename from old name.txt\nrename to new name.txt\n',
    );
    expect(files.map((file) => [file.path, file.added, file.removed])).toEqual([
      ['src/a.ts', 2, 1],
      ['new name.txt', 0, 0],
    ]);
    expect(splitPatch('')).toEqual([]);
  });

  it('falls back to the run’s latest checkpoint without a mirror, and says so when there is nothing', async () => {
    const diff = createBranchDiff({
      mirrorPath: () => '/nonexistent/mirror.git',
      defaultBranch: () => 'main',
      hostEnv: {},
    });
    const thread = {
      id: 't',
      key: 'k',
      origin: {},
      repo: 'acme/api',
      branch: 'baton/x',
      pullRequestUrl: null,
      createdAt: '',
    };
    const patch = 'diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n';
    const fromCheckpoint = await diff(thread, [
      item({ type: 'checkpoint', baseCommit: 'abcdef0123456789', patch }),
    ]);
    expect(fromCheckpoint).toMatchObject({
      type: 'diff',
      source: 'checkpoint',
      base: 'abcdef012345',
      files: [{ path: 'f', added: 1, removed: 1 }],
    });
    expect(await diff(thread, [])).toEqual({ type: 'unavailable', reason: 'No commits on baton/x yet.' });
    const noMirror = createBranchDiff({
      mirrorPath: () => undefined,
      defaultBranch: () => undefined,
      hostEnv: {},
    });
    expect(await noMirror(thread, [])).toMatchObject({ reason: expect.stringContaining('keeps no mirror') });
  });

  it('says times relatively and durations plainly', () => {
    const now = Date.parse('2026-12-04T19:00:00.000Z');
    expect(relativeTime('2026-12-04T18:59:50.000Z', now)).toBe('just now');
    expect(relativeTime('2026-12-04T18:57:00.000Z', now)).toBe('3 min ago');
    expect(relativeTime('2026-12-04T16:00:00.000Z', now)).toBe('3 h ago');
    expect(relativeTime('2026-12-01T19:00:00.000Z', now)).toBe('3 d ago');
    expect(relativeTime('not a time', now)).toBe('not a time');
    expect(duration('2026-12-04T18:55:48.000Z', '2026-12-04T19:00:00.000Z', now)).toBe('4m 12s');
    expect(duration('2026-12-04T16:00:00.000Z', null, now)).toBe('3h 0m');
  });
});
