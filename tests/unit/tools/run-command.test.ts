import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolResult } from '../../../src/tools/types.ts';
import { createToolHarness, errorOf, outputOf, type ToolHarness } from './tool-harness.ts';

describe('run_command and command_status', () => {
  let harness: ToolHarness;
  beforeAll(async () => {
    harness = await createToolHarness({ 'package.json': '{ "name": "fixture" }\n' });
  });
  afterAll(async () => harness?.dispose());

  it('shows the exit code, stdout and stderr, and reports progress', async () => {
    const output = outputOf(await harness.call('run_command', { command: 'echo out; echo err >&2; exit 7' }));
    expect(output).toBe('Exit code: 7\n--- stdout ---\nout\n--- stderr ---\nerr');
    expect(harness.progress).toContain('running echo out; echo err >&2; exit 7');
  });

  it('runs in the workspace', async () => {
    const output = outputOf(await harness.call('run_command', { command: 'pwd && cat package.json' }));
    expect(output).toBe('Exit code: 0\n--- stdout ---\n/workspace\n{ "name": "fixture" }');
  });

  it('kills a command that passes its timeout and says so', async () => {
    const output = outputOf(
      await harness.call('run_command', { command: 'echo begun; sleep 30', timeout_ms: 1000 }),
    );
    expect(output).toMatch(/^Timed out after \d+ ms \(the command was killed\)\./);
    expect(output).toContain('begun');
  });

  it('starts a background job and reports it running, then its exit code and output', async () => {
    const started = outputOf(
      await harness.call('run_command', {
        command: 'echo waiting; while [ ! -f go.flag ]; do sleep 0.05; done; echo finished; exit 3',
        background: true,
      }),
    );
    expect(started).toContain('Started job-1 in the background');
    expect(started).toContain('.baton/output/job-1.log');

    const running = outputOf(await harness.call('command_status', { job_id: 'job-1' }));
    expect(running.split('\n')[0]).toMatch(/^job-1 \(.*\): running$/);

    await harness.sandbox.writeFile('go.flag', '');
    let status: ToolResult = await harness.call('command_status', { job_id: 'job-1', tail: 1 });
    // Poll until the job has written its exit code; the count bounds the wait, the test asserts no timing.
    for (let attempt = 0; attempt < 200 && outputOf(status).includes('running'); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await harness.call('command_status', { job_id: 'job-1', tail: 1 });
    }
    const finished = outputOf(status);
    expect(finished.split('\n')[0]).toMatch(/^job-1 \(.*\): exited with code 3$/);
    // tail: 1 shows only the last line of the log.
    expect(finished.split('\n').slice(1)).toEqual([
      '--- last 1 lines of .baton/output/job-1.log ---',
      'finished',
    ]);
  });

  it('refuses an unknown job id and names the known ones', async () => {
    const { error, hint } = errorOf(await harness.call('command_status', { job_id: 'job-9' }));
    expect(error).toBe('No background job "job-9".');
    expect(hint).toBe('Known jobs: job-1.');
  });
});
