import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresBuildLocks } from '../../../src/sandbox/environment/build-locks.ts';
import { createPostgresClient } from '../../../src/store/index.ts';

const serverUrl = process.env.BATON_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

describe('single-flight environment builds across workers on Postgres', () => {
  // Two clients stand for two worker processes: each has its own process mutex and connections.
  const first = createPostgresClient({ connectionString: serverUrl, maxConnections: 2 });
  const second = createPostgresClient({ connectionString: serverUrl, maxConnections: 2 });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('a second worker waits for the first one holding the key, and another key does not wait', async () => {
    const events: string[] = [];
    const key = `test-${process.pid}-${Date.now()}`;
    let releaseFirst: () => void = () => undefined;
    const firstHolds = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let firstEntered: () => void = () => undefined;
    const entered = new Promise<void>((resolve) => {
      firstEntered = resolve;
    });
    const a = createPostgresBuildLocks(first).withLock(key, async () => {
      events.push('a start');
      firstEntered();
      await firstHolds;
      events.push('a end');
    });
    await entered;
    const b = createPostgresBuildLocks(second).withLock(key, async () => {
      events.push('b start');
    });
    await createPostgresBuildLocks(second).withLock(`${key}-other`, async () => {
      events.push('other key');
    });
    releaseFirst();
    await Promise.all([a, b]);
    expect(events).toEqual(['a start', 'other key', 'a end', 'b start']);
  });

  it('a build that throws releases the key', async () => {
    const locks = createPostgresBuildLocks(first);
    const key = `test-throw-${process.pid}-${Date.now()}`;
    await expect(locks.withLock(key, async () => Promise.reject(new Error('setup broke')))).rejects.toThrow(
      'setup broke',
    );
    expect(await createPostgresBuildLocks(second).withLock(key, async () => 'built')).toBe('built');
  });
});
