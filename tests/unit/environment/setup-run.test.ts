import { describe, expect, it } from 'vitest';
import { secretForms } from '../../../src/sandbox/environment/secret-forms.ts';
import { runSetupCommands } from '../../../src/sandbox/environment/setup-run.ts';
import type { ExecRequest, ExecResult } from '../../../src/sandbox/types.ts';

const SECRET = 'npm_livesecretlivesecret0123456789';

const result = (exitCode: number, stdout: string): ExecResult => ({
  exitCode,
  stdout,
  stderr: '',
  timedOut: false,
  durationMs: 5,
  truncated: false,
});

describe('running the setup commands', () => {
  it('reports whole output lines as live progress, masked; a secret split across chunks never shows', async () => {
    const progress: string[] = [];
    const chunks = [
      'added 1 package\n',
      `token ${SECRET.slice(0, 12)}`,
      `${SECRET.slice(12)} used\n`,
      'done\n',
    ];
    const exec = async (request: ExecRequest) => {
      for (const chunk of chunks) request.onOutput?.(chunk);
      return result(0, chunks.join(''));
    };
    const outcome = await runSetupCommands({
      commands: ['npm ci'],
      exec,
      timeoutMs: 1000,
      secretForms: secretForms([SECRET]),
      refusals: () => [],
      onProgress: (line) => progress.push(line),
      progressEveryMs: 0,
    });
    expect(outcome.failure).toBeUndefined();
    expect(progress[0]).toBe('environment: npm ci …');
    expect(progress).toContain('environment: npm ci … added 1 package');
    expect(progress.join('\n')).not.toContain(SECRET.slice(0, 12));
    expect(progress).toContain('environment: npm ci … token [REDACTED] used');
    expect(outcome.log).not.toContain(SECRET);
  });

  it('stops at the first failure with its command, exit code, tail and the refused hosts with why', async () => {
    const ran: string[] = [];
    const outcome = await runSetupCommands({
      commands: ['npm ci', 'npm run build'],
      exec: async (request) => {
        ran.push(request.cmd);
        return result(1, `npm ERR! 403 Forbidden with ${SECRET}\n`);
      },
      timeoutMs: 1000,
      secretForms: secretForms([SECRET]),
      refusals: () => [{ destination: 'evil.example:443', reason: 'not on the setup allowlist' }],
    });
    expect(ran).toHaveLength(1);
    expect(outcome.failure).toMatchObject({ command: 'npm ci', exitCode: 1, timedOut: false });
    expect(outcome.failure?.outputTail).toContain('npm ERR! 403 Forbidden with [REDACTED]');
    expect(outcome.failure?.outputTail).toContain(
      'baton: the egress proxy refused evil.example:443: not on the setup allowlist (see sandbox.setupAllowHosts)',
    );
    expect(outcome.failure?.outputTail).not.toContain(SECRET);
  });
});
