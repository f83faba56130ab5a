import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withEnvFile } from '../../../src/app/env-file.ts';
import { readEnvironment } from '../../../src/app/environment.ts';
import { BatonError } from '../../../src/observability/errors.ts';
import { createTempDir } from '../../fixtures/git-repo.ts';

function failureOf(action: () => unknown): BatonError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(BatonError);
    return error as BatonError;
  }
  throw new Error('expected a failure');
}

describe('the environment', () => {
  it('reads numbers, URLs and levels, and treats blank variables as unset', () => {
    const environment = readEnvironment({
      PORT: ' 8080 ',
      GITHUB_APP_ID: '12345',
      LOG_LEVEL: 'debug',
      DATABASE_URL: 'postgresql://baton@db:5432/baton',
      OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
      SLACK_BOT_TOKEN: '   ',
      OPENAI_API_KEY: 'sk-1',
    });
    expect(environment).toMatchObject({
      port: 8080,
      githubAppId: 12345,
      logLevel: 'debug',
      databaseUrl: 'postgresql://baton@db:5432/baton',
      openaiBaseUrl: 'http://127.0.0.1:11434/v1',
      secrets: { openaiApiKey: 'sk-1', slackBotToken: undefined },
    });
    expect(readEnvironment({ PORT: '' }).port).toBeUndefined();
    expect(readEnvironment({ GITHUB_APP_ID: ' Iv23liAbC.d-1 ' }).githubAppId).toBe('Iv23liAbC.d-1');
  });

  it.each([
    ['PORT', 'abc', 'PORT: expected a port number from 0 to 65535, got "abc"'],
    ['PORT', '70000', 'PORT: expected a port number from 0 to 65535, got "70000"'],
    ['PORT', '80.5', 'PORT: expected a port number from 0 to 65535, got "80.5"'],
    [
      'GITHUB_APP_ID',
      'my-app',
      `GITHUB_APP_ID: expected the App's numeric id or its Client ID (Iv…), got "my-app"`,
    ],
    [
      'LOG_LEVEL',
      'loud',
      'LOG_LEVEL: expected one of trace, debug, info, warn, error, fatal, silent, got "loud"',
    ],
    ['DATABASE_URL', 'mysql://db/baton', 'DATABASE_URL: expected a postgres:// or postgresql:// URL'],
    [
      'OPENAI_BASE_URL',
      'localhost:11434',
      'OPENAI_BASE_URL: expected an http(s) URL such as https://api.openai.com/v1, got "localhost:11434"',
    ],
    [
      'GITHUB_API_URL',
      'github',
      'GITHUB_API_URL: expected an http(s) URL such as https://api.github.com, got "github"',
    ],
  ])('refuses %s=%s naming the variable', (name, value, line) => {
    const error = failureOf(() => readEnvironment({ [name]: value }));
    expect(error.code).toBe('environment_invalid');
    expect(error.message).toBe(`Invalid environment: ${line}`);
    expect(error.hint).toContain('.env.example');
  });

  it('accepts the App key GitHub hands out, pasted with real newlines or with \\n escapes', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(readEnvironment({ GITHUB_APP_PRIVATE_KEY: pem }).secrets.githubAppPrivateKey).toBe(pem);
    const escaped = pem.trim().replaceAll('\n', '\\n');
    expect(readEnvironment({ GITHUB_APP_PRIVATE_KEY: escaped }).secrets.githubAppPrivateKey).toBe(escaped);
    const error = failureOf(() => readEnvironment({ GITHUB_APP_PRIVATE_KEY: pem.slice(0, 200) }));
    expect(error.message).toMatch(
      /^Invalid environment: GITHUB_APP_PRIVATE_KEY: the PEM text is not a private key/,
    );
    expect(error.message).not.toContain(pem.slice(40, 80));
  });

  it('names every bad variable at once, and never echoes a database password', () => {
    const error = failureOf(() =>
      readEnvironment({ PORT: 'x', DATABASE_URL: 'mysql://root:hunter2@db/baton' }),
    );
    expect(error.message).toContain('DATABASE_URL:');
    expect(error.message).toContain('PORT:');
    expect(error.message).not.toContain('hunter2');
  });
});

describe('the .env file', () => {
  const temp = createTempDir('baton-env-');
  afterAll(() => temp.cleanup());

  it('is read when present; a variable set in the real environment wins over it', () => {
    const dir = join(temp.path, 'with');
    mkdirSync(dir);
    writeFileSync(
      join(dir, '.env'),
      '# comment\nOPENAI_API_KEY=sk-from-file\nPORT=4000\nexport LOG_LEVEL="warn"\nSLACK_BOT_TOKEN=xoxb-file\n',
    );
    const result = withEnvFile({ cwd: dir, env: { PORT: '5000', SLACK_BOT_TOKEN: '', PATH: '/bin' } });
    expect(result.loadedFrom).toBe(join(dir, '.env'));
    expect(result.env).toMatchObject({
      OPENAI_API_KEY: 'sk-from-file',
      PORT: '5000',
      LOG_LEVEL: 'warn',
      // A blank real variable does not hide the file's value.
      SLACK_BOT_TOKEN: 'xoxb-file',
      PATH: '/bin',
    });
  });

  it('is optional', () => {
    const env = { PORT: '1' };
    expect(withEnvFile({ cwd: join(temp.path, 'nowhere'), env })).toEqual({ env });
  });

  it('stops Baton when it exists but cannot be read', () => {
    // A directory named .env cannot be read as a file by anyone, root included.
    const dir = join(temp.path, 'unreadable');
    mkdirSync(join(dir, '.env'), { recursive: true });
    const error = failureOf(() => withEnvFile({ cwd: dir, env: {} }));
    expect(error.code).toBe('env_file_unreadable');
    expect(error.message).toContain(join(dir, '.env'));
  });
});
