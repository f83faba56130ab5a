import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretRegistryFromEnvironment, readEnvironment } from '../../../src/app/environment.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { redactSecrets } from '../../../src/observability/redact.ts';
import { createSecretRegistry } from '../../../src/observability/secret-registry.ts';
import { maskStrings } from '../../../src/store/masking-store.ts';

const VALUE = 'plain-looking-secret-42';

describe('secret registry', () => {
  it('masks a value in its plain, base64 (at every byte offset, both alphabets), URL, JSON and hex forms', () => {
    const registry = createSecretRegistry();
    registry.add('WEBHOOK_SECRET', `${VALUE}/+?"`);
    const value = `${VALUE}/+?"`;
    const encodings = [
      value,
      Buffer.from(value).toString('base64'),
      Buffer.from(value).toString('base64url'),
      encodeURIComponent(value),
      JSON.stringify(value).slice(1, -1),
      Buffer.from(value).toString('hex'),
      Buffer.from(value).toString('hex').toUpperCase(),
    ];
    for (const prefix of ['', 'a', 'ab', 'abc', 'Authorization: Basic x-access-token:']) {
      const encoded = Buffer.from(`${prefix}${value} and more`).toString('base64');
      const masked = registry.maskKnown(encoded);
      expect(masked, `offset ${prefix.length}`).toContain('[redacted]');
      // What is left around the mask decodes to nothing of the value.
      for (const part of masked.split('[redacted]')) {
        expect(Buffer.from(part, 'base64').toString('latin1')).not.toContain(VALUE.slice(0, 6));
      }
    }
    for (const text of encodings) expect(registry.maskKnown(`x ${text} y`)).toBe('x [redacted] y');
  });

  it('does not mask short values, and names them', () => {
    const registry = createSecretRegistry();
    registry.add('SHORT', 'abc123');
    registry.add('EMPTY', '');
    expect(registry.maskKnown('abc123 stays')).toBe('abc123 stays');
    expect(registry.tooShort()).toEqual(['SHORT']);
  });

  it('takes values added later (a minted token) in every masker that holds it, patterns still on top', () => {
    const registry = createSecretRegistry();
    const token = `installation-${'z'.repeat(20)}`;
    expect(redactSecrets(`t=${token}`, registry)).toBe(`t=${token}`);
    registry.add('installation token', token);
    const pattern = `ghp_${'A'.repeat(36)}`;
    expect(redactSecrets(`t=${token} p=${pattern}`, registry)).toBe('t=[redacted] p=[redacted]');
  });

  it('is built from every secret variable, each line of the App key and the database password', () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString();
    const registry = createSecretRegistryFromEnvironment(
      readEnvironment({
        SLACK_SIGNING_SECRET: 'signing-secret-value-1',
        LINEAR_WEBHOOK_SECRET: 'linear-secret-value-2',
        E2B_API_KEY: 'e2b-key-value-3',
        GITHUB_APP_PRIVATE_KEY: pem.replaceAll('\n', '\\n'),
        DATABASE_URL: 'postgres://baton:p%40ss-word-99@db.internal:5432/baton',
        LINEAR_API_KEY: 'short',
      }),
    );
    const lines = pem.split('\n').filter((line) => line.length >= 8 && !line.startsWith('-----'));
    const text = [
      'signing-secret-value-1',
      'linear-secret-value-2',
      'e2b-key-value-3',
      ...lines,
      'p@ss-word-99',
      'p%40ss-word-99',
    ].join('\n');
    expect(
      registry
        .maskKnown(text)
        .split('\n')
        .every((line) => line === '[redacted]'),
    ).toBe(true);
    // The boilerplate of a PEM is public; masking it would only hide that a key was there.
    expect(registry.maskKnown('-----BEGIN RSA PRIVATE KEY-----')).toBe('-----BEGIN RSA PRIVATE KEY-----');
    expect(registry.tooShort()).toEqual(['LINEAR_API_KEY']);
  });

  it('masks every log line and every stored string', () => {
    const registry = createSecretRegistry();
    registry.add('E2B_API_KEY', VALUE);
    const lines: string[] = [];
    const log = createLogger({
      secrets: registry,
      destination: { write: (line: string) => lines.push(line) },
    });
    log.info({ command: `echo ${VALUE}`, nested: { encoded: Buffer.from(VALUE).toString('base64') } }, VALUE);
    expect(lines.join('')).not.toContain(VALUE);
    expect(lines.join('')).not.toContain(Buffer.from(VALUE).toString('base64'));
    const stored = maskStrings(
      { type: 'tool_call', arguments: JSON.stringify({ command: `echo ${VALUE}` }), n: 1, ok: true },
      (text) => redactSecrets(text, registry),
    );
    expect(stored).toEqual({
      type: 'tool_call',
      arguments: JSON.stringify({ command: 'echo [redacted]' }),
      n: 1,
      ok: true,
    });
  });
});
