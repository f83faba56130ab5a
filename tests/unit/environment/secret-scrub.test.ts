import { describe, expect, it } from 'vitest';
import { isBatonError } from '../../../src/observability/errors.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import type { ItemPayload } from '../../../src/runs/items.ts';
import { createTurnEnvironment } from '../../../src/runs/turn-environment.ts';
import { maskSecretForms, secretForms } from '../../../src/sandbox/environment/secret-forms.ts';
import type { EnvironmentReport } from '../../../src/sandbox/environment/types.ts';
import type { Sandbox } from '../../../src/sandbox/types.ts';

const SECRET = 'npm_formsecretformsecret012345';

describe('setup secret forms and a workspace that cannot be made clean', () => {
  it('finds the secret base64-encoded at every alignment, URL-encoded and JSON-escaped', () => {
    const forms = secretForms([SECRET, 'short']);
    for (const prefix of ['', 'u', 'us', 'user:']) {
      const encoded = Buffer.from(`${prefix}${SECRET}`).toString('base64');
      expect(maskSecretForms(`_auth=${encoded}`, forms), prefix).toContain('[REDACTED]');
    }
    const quoted = 'pass"word/with spaces&more';
    expect(maskSecretForms(encodeURIComponent(quoted), secretForms([quoted]))).toBe('[REDACTED]');
    expect(maskSecretForms(JSON.stringify({ token: quoted }), secretForms([quoted]))).toBe(
      '{"token":"[REDACTED]"}',
    );
    expect(maskSecretForms('short stays', forms)).toBe('short stays');
  });

  it('a report with a secret left in the workspace is recorded, then the run stops before the agent', async () => {
    const report: EnvironmentReport = {
      status: 'failed',
      cached: false,
      key: 'a'.repeat(32),
      commands: ['./setup.sh'],
      durationMs: 10,
      deniedHosts: [],
      reason: 'configured',
      failure: { command: 'setup secret scrub', exitCode: 1, timedOut: false, outputTail: 'left in x' },
      scrubbed: ['.npmrc (restored from git)'],
      secretLeft: 'a setup secret could not be removed from vendor/blob.bin',
    };
    const recorded: ItemPayload[] = [];
    const environment = createTurnEnvironment({
      sandbox: { prepareEnvironment: async () => report } as unknown as Sandbox,
      repo: { name: 'app' } as never,
      record: async (payload) => {
        recorded.push(payload);
      },
      progress: () => undefined,
      log: createSilentLogger(),
      signal: new AbortController().signal,
    });
    const error = await environment.prepare().catch((caught: unknown) => caught);
    expect(isBatonError(error) && error.code).toBe('environment_secret_left');
    expect(String((error as Error).message)).toContain('vendor/blob.bin');
    expect(recorded).toMatchObject([{ type: 'environment', scrubbed: ['.npmrc (restored from git)'] }]);
  });
});
