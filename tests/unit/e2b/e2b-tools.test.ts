import { rgPath } from '@vscode/ripgrep';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policiesSchema } from '../../../src/config/schema.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import type { Sandbox } from '../../../src/sandbox/types.ts';
import { executeToolCall } from '../../../src/tools/execute-tool-call.ts';
import { createToolRegistry } from '../../../src/tools/registry.ts';
import { createToolState, type ToolContext } from '../../../src/tools/types.ts';
import { createRecordingReporter } from '../../fakes/recording-reporter.ts';
import { createE2BHarness, type E2BHarness } from './e2b-harness.ts';

/** The agent's tools over an E2B sandbox: search with the ripgrep Baton sent, background commands. */
describe('tools on the E2B provider', () => {
  let harness: E2BHarness;
  let sandbox: Sandbox;
  let context: ToolContext;
  const registry = createToolRegistry();
  let callNumber = 0;
  const call = (name: string, args: unknown) =>
    executeToolCall(registry, { id: `call_${++callNumber}`, name, arguments: JSON.stringify(args) }, context);

  beforeAll(async () => {
    harness = await createE2BHarness();
    sandbox = await harness
      .provider({ keepPausedMs: 0, rgPath })
      .create(harness.createOptions({ labels: undefined }));
    context = {
      runId: 'run-e2b-tools',
      sandbox,
      signal: new AbortController().signal,
      log: createSilentLogger(),
      reporter: createRecordingReporter(),
      state: createToolState(),
      policies: policiesSchema.parse({}),
      outputLimit: 10_000,
      progress: () => undefined,
      secrets: [],
    };
  });
  afterAll(async () => {
    await sandbox?.dispose();
    await harness?.close();
  });

  it('greps and globs the workspace with the uploaded ripgrep', async () => {
    expect(harness.fake.record.uploads.some((upload) => upload.path === '/home/user/.baton/bin/rg')).toBe(
      true,
    );
    const grep = await call('grep', { pattern: 'console\\.log' });
    expect(grep).toMatchObject({ ok: true });
    expect(grep.ok && grep.output).toContain('src/index.js');
    const glob = await call('glob', { pattern: '**/*.md' });
    expect(glob.ok && glob.output).toContain('README.md');
  });

  it('runs a command in the background and reports its end through command_status', async () => {
    const started = await call('run_command', { command: 'sleep 1; echo background-done', background: true });
    expect(started.ok).toBe(true);
    const id = /\b(job-\d+)\b/.exec(started.ok ? started.output : '')?.[1] ?? '';
    expect(id).not.toBe('');
    await expect
      .poll(
        async () => {
          const status = await call('command_status', { job_id: id });
          return status.ok ? status.output : status.error;
        },
        { timeout: 20_000, interval: 300 },
      )
      .toMatch(/background-done[\s\S]*exit|exit[\s\S]*background-done/i);
  });
});
