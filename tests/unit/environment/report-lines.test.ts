import { describe, expect, it } from 'vitest';
import { renderFinal } from '../../../src/integrations/slack/final-blocks.ts';
import { renderStatus } from '../../../src/integrations/slack/status-blocks.ts';
import { describeEnvironment, setupFailureMessage } from '../../../src/runs/turn-environment.ts';
import type { EnvironmentReport } from '../../../src/sandbox/environment/types.ts';

const failed: EnvironmentReport = {
  status: 'failed',
  cached: false,
  key: 'a'.repeat(32),
  commands: ['npm ci --no-audit --no-fund'],
  durationMs: 4200,
  deniedHosts: ['npm.private.example:443'],
  reason: 'detected from package-lock.json',
  failure: {
    command: 'npm ci --no-audit --no-fund',
    exitCode: 1,
    timedOut: false,
    outputTail: 'npm ERR! 404 Not Found - greeter@9.9.9',
  },
};

describe('how the environment is told', () => {
  it('one line for each ending', () => {
    expect(
      describeEnvironment({ ...failed, status: 'ready', cached: true, durationMs: 180, deniedHosts: [] }),
    ).toBe('environment: ready from cache (0.2 s)');
    expect(describeEnvironment({ ...failed, status: 'ready', failure: undefined, deniedHosts: [] })).toBe(
      'environment: installed with npm ci --no-audit --no-fund (4.2 s)',
    );
    expect(describeEnvironment(failed)).toBe(
      'environment: setup failed (npm ci --no-audit --no-fund, exit 1); refused: npm.private.example:443',
    );
    expect(describeEnvironment({ ...failed, status: 'none', reason: 'no manifest' })).toBe(
      'environment: no setup (no manifest)',
    );
  });

  it('the agent gets the command, the exit code, the refused hosts and the output tail', () => {
    const message = setupFailureMessage(failed) ?? '';
    expect(message).toContain('`npm ci --no-audit --no-fund` exited with 1');
    expect(message).toContain('npm.private.example:443');
    expect(message).toContain('npm ERR! 404 Not Found - greeter@9.9.9');
    expect(setupFailureMessage({ ...failed, status: 'ready' })).toBeUndefined();
  });

  it('the Slack status shows the line while working; the final reply warns about a failed setup', () => {
    const line = describeEnvironment(failed);
    const status = renderStatus({
      turnId: 't1',
      view: {
        kind: 'working',
        elapsedMs: 3000,
        progress: {
          step: 1,
          activity: 'thinking',
          elapsedMs: 3000,
          tokens: 10,
          costUsd: 0,
          plan: [],
          environment: line,
        },
      },
    });
    expect(JSON.stringify(status.blocks)).toContain(
      'environment: setup failed (npm ci --no-audit --no-fund, exit 1)',
    );
    const final = renderFinal({
      status: 'failed',
      summary: 'Checks fail.',
      checks: [],
      tokens: 1,
      costUsd: 0,
      environment: line,
    });
    expect(JSON.stringify(final.blocks)).toContain(':warning: environment: setup failed');
    const ok = renderFinal({
      status: 'succeeded',
      summary: 'Done.',
      checks: [],
      tokens: 1,
      costUsd: 0,
      environment: 'environment: ready from cache (0.2 s)',
    });
    expect(JSON.stringify(ok.blocks)).not.toContain('environment:');
  });
});
