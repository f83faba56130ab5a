import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { createIntake } from '../../../src/runs/intake.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import { slackRequest } from './durable-harness.ts';

describe('intake when placing a request fails', () => {
  let store: Store;
  beforeAll(async () => {
    ({ store } = await openStore({}));
  });
  afterAll(async () => store.close());

  it('gives the dedupe keys back, so the sender’s retry runs instead of being dropped as a duplicate', async () => {
    let failures = 1;
    // A store whose thread write fails once (a database blip), otherwise the real one.
    const flaky: Store = Object.create(store, {
      upsertThread: {
        value: async (input: Parameters<Store['upsertThread']>[0]) => {
          if (failures-- > 0) throw new Error('connection reset');
          return store.upsertThread(input);
        },
      },
    });
    const sent: string[] = [];
    const intake = createIntake({
      store: flaky,
      queue: { send: async (turnId) => void sent.push(turnId) },
      config: { maxGlobal: 8, maxPerRequester: 2 },
      branchPrefix: 'baton/',
      log: createSilentLogger(),
    });
    const request = slackRequest({ threadTs: '1700000999.000100', user: 'U-flaky', text: 'fix it' });

    await expect(intake.submit(request)).rejects.toThrow('connection reset');
    const retry = await intake.submit(request);
    expect(retry.type).toBe('queued');
    expect(sent).toHaveLength(1);
    expect(await intake.submit(request)).toEqual({ type: 'duplicate' });
  });
});
