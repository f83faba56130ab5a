import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { type FakeE2B, startFakeE2B } from '../fakes/e2b-server.ts';
import { startFakeOpenAI } from '../fakes/openai-server.ts';
import { createTempDir } from '../fixtures/git-repo.ts';

describe('baton doctor with sandbox.provider: e2b', () => {
  let fake: FakeE2B;
  let model: Awaited<ReturnType<typeof startFakeOpenAI>>;
  const temp = createTempDir('baton-e2b-doctor-');
  const configPath = join(temp.path, 'baton.yaml');

  beforeAll(async () => {
    fake = await startFakeE2B();
    model = await startFakeOpenAI();
    writeFileSync(
      configPath,
      'model:\n  name: gpt-test\n  prices:\n    gpt-test: { inputPerMillion: 1, outputPerMillion: 2 }\nsandbox:\n  provider: e2b\n  e2b:\n    template: base\n',
    );
  });
  afterAll(async () => {
    await fake?.close();
    await model?.close();
    temp.cleanup();
  });

  const doctor = async (env: Record<string, string>) => {
    const lines: string[] = [];
    const code = await main(['doctor', '--config', configPath], {
      out: (line) => lines.push(line),
      err: (line) => lines.push(line),
      env: {
        PATH: process.env.PATH,
        BATON_DATA_DIR: join(temp.path, 'data'),
        OPENAI_BASE_URL: model.baseUrl,
        OPENAI_API_KEY: 'sk-test-doctor-0123456789abcdef',
        E2B_API_URL: fake.apiUrl,
        E2B_SANDBOX_URL: fake.sandboxUrl,
        ...env,
      },
      cwd: temp.path,
      stdin: new PassThrough(),
    });
    return { code, text: lines.join('\n') };
  };

  it('checks the key and the template against E2B', async () => {
    const good = await doctor({ E2B_API_KEY: fake.apiKey });
    expect(good.text).toMatch(/ok\s+sandbox: E2B accepts the key; template "base" exists/);
    expect(good.code).toBe(0);
    const refused = await doctor({ E2B_API_KEY: 'e2b_wrong' });
    expect(refused.text).toMatch(/FAIL\s+sandbox: E2B refused the API key; fix: set E2B_API_KEY/);
    expect(refused.code).toBe(1);
    const missing = await doctor({});
    expect(missing.text).toMatch(/FAIL\s+sandbox: sandbox.provider is e2b but E2B_API_KEY is not set/);
  });
});
