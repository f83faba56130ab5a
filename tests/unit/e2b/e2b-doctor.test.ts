import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkE2BPrerequisites } from '../../../src/sandbox/e2b/index.ts';
import { type FakeE2B, startFakeE2B } from '../../fakes/e2b-server.ts';

describe('baton doctor for E2B', () => {
  let fake: FakeE2B;
  const connection = (apiKey: string) => ({
    apiKey,
    apiUrl: fake.apiUrl,
    sandboxUrl: fake.sandboxUrl,
    requestTimeoutMs: 5_000,
  });
  beforeAll(async () => {
    fake = await startFakeE2B({ templates: ['base', 'acme-node'] });
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('passes with an accepted key and an existing template', async () => {
    expect(
      await checkE2BPrerequisites({ connection: connection(fake.apiKey), template: 'acme-node' }),
    ).toEqual([]);
  });

  it('says plainly when the key is missing or refused, and when the template does not exist', async () => {
    expect(await checkE2BPrerequisites({ connection: undefined, template: 'base' })).toEqual([
      { problem: 'sandbox.provider is e2b but E2B_API_KEY is not set', fix: 'export E2B_API_KEY=e2b_...' },
    ]);
    const refused = await checkE2BPrerequisites({ connection: connection('e2b_wrong'), template: 'base' });
    expect(refused.map((entry) => entry.problem)).toEqual(['E2B refused the API key']);
    const missing = await checkE2BPrerequisites({ connection: connection(fake.apiKey), template: 'no-such' });
    expect(missing.map((entry) => entry.problem)).toEqual(['E2B has no template "no-such"']);
  });
});
