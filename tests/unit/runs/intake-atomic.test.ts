import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { createIntake, type Intake } from '../../../src/runs/intake.ts';
import { createTurnQueue, type TurnQueue } from '../../../src/runs/queue.ts';
import { threadKeyOf } from '../../../src/runs/task-request.ts';
import { createStore, openStore, type Store } from '../../../src/store/index.ts';
import {
  type Backend,
  createSchemaPool,
  type Database,
  openDatabase,
  slackRequest,
  startQueue,
  waitFor,
} from './durable-harness.ts';
import { connectionReset, faultable } from './faulty-sql.ts';

const schemas = createSchemaPool();
afterAll(() => schemas.dropAll());

describe.each<Backend>(['pglite', 'pglite-thread', 'postgres'])('atomic intake on %s', (backend) => {
  let database: Database;
  let queue: TurnQueue;
  let faults: ReturnType<typeof faultable>;
  let store: Store;
  let intake: Intake;

  beforeAll(async () => {
    database = await openDatabase(backend, schemas);
    queue = await startQueue(database);
    faults = faultable(database.sql);
    store = createStore({ sql: faults.client });
    intake = createIntake({
      store,
      queue,
      config: { maxGlobal: 8, maxPerRequester: 2 },
      branchPrefix: 'baton/',
      log: createSilentLogger(),
    });
  });
  afterAll(async () => {
    await queue?.stop();
    await database?.close();
  });
  beforeEach(() => faults.arm(/^$/, async () => {}));

  const keysClaimed = async (keys: readonly string[]) =>
    (
      await database.sql.query<{ key: string }>('SELECT key FROM deliveries WHERE key = ANY($1::text[])', [
        [...keys],
      ])
    ).rows.length;
  let threadCounter = 0;
  const newRequest = (text = 'fix it') =>
    slackRequest({ threadTs: `17000${String(++threadCounter).padStart(5, '0')}.000100`, text });

  /** The retry after a failure: taken, exactly one turn with exactly one job; a third delivery is a duplicate. */
  async function expectRetryRunsOnce(request: ReturnType<typeof newRequest>) {
    const retry = await intake.submit(request);
    if (retry.type !== 'queued') throw new Error(`the retry should queue a turn, got ${retry.type}`);
    expect(await store.listTurns(retry.threadId)).toHaveLength(1);
    expect(await queue.pending(retry.turnId)).toBe(true);
    expect(await intake.submit(request)).toEqual({ type: 'duplicate' });
  }

  it('leaves no claimed key, thread or turn when the turn cannot be written after the keys were claimed', async () => {
    const request = newRequest();
    faults.arm(/INSERT INTO turns/, connectionReset);
    await expect(intake.submit(request)).rejects.toThrow('connection reset');
    expect(await keysClaimed(request.dedupeKeys)).toBe(0);
    expect(await store.getThreadByKey(threadKeyOf(request.origin))).toBeNull();
    await expectRetryRunsOnce(request);
  });

  it('rolls the turn and its job back together when a failure comes after the job was written', async () => {
    const request = newRequest();
    // countsFor is the last statement of the transaction, after the pg-boss insert.
    faults.arm(/AS "running"/, connectionReset);
    await expect(intake.submit(request)).rejects.toThrow('connection reset');
    expect(await keysClaimed(request.dedupeKeys)).toBe(0);
    const jobs = await database.sql.query<{ count: string }>(
      `SELECT count(*) AS count FROM ${database.bossSchema}.job WHERE data->>'turnId' NOT IN (SELECT id FROM turns)`,
    );
    expect(Number(jobs.rows[0]?.count)).toBe(0);
    await expectRetryRunsOnce(request);
  });

  it('keeps the turn for the sweep when the job insert fails inside the transaction, without aborting it', async () => {
    const request = newRequest();
    // A real server-side error in the transaction (it would abort it without the savepoint).
    faults.arm(new RegExp(`INSERT INTO ${database.bossSchema}`, 'i'), async (tx) => {
      await tx.query('SELECT 1 / 0');
    });
    const result = await intake.submit(request);
    if (result.type !== 'queued') throw new Error(`expected a queued turn, got ${result.type}`);
    expect(await keysClaimed(request.dedupeKeys)).toBe(2);
    expect(await queue.pending(result.turnId)).toBe(false);
    const dispatchable = await store.listDispatchable({ staleAfterSeconds: 60 });
    expect(dispatchable.map((turn) => turn.id)).toContain(result.turnId);
    expect(await intake.submit(request)).toEqual({ type: 'duplicate' });
  });

  it('claims nothing of a request whose keys are partly seen, in the same transaction', async () => {
    const first = newRequest();
    await intake.submit(first);
    const overlapping = { ...newRequest(), dedupeKeys: ['slack:event:fresh-key', first.dedupeKeys[1] ?? ''] };
    expect(await intake.submit(overlapping)).toEqual({ type: 'duplicate' });
    expect(await keysClaimed(['slack:event:fresh-key'])).toBe(0);
  });
});

// Only a server has a connection to lose: the server ends the transaction's backend mid-way, as a
// crash of the gateway's process would.
describe('atomic intake on postgres, when the connection dies mid-transaction', () => {
  let database: Database;
  let queue: TurnQueue;
  let faults: ReturnType<typeof faultable>;
  let store: Store;
  let intake: Intake;
  beforeAll(async () => {
    database = await openDatabase('postgres', schemas);
    queue = await startQueue(database);
    faults = faultable(database.sql);
    store = createStore({ sql: faults.client });
    intake = createIntake({
      store,
      queue,
      config: { maxGlobal: 8, maxPerRequester: 2 },
      branchPrefix: 'baton/',
      log: createSilentLogger(),
    });
  });
  afterAll(async () => {
    await queue?.stop();
    await database?.close();
  });

  it('runs a request whose connection dies between claiming its keys and writing its thread once', async () => {
    const request = slackRequest({ threadTs: '1700099999.000100', text: 'fix it' });
    faults.arm(/INSERT INTO threads/, async (tx) => {
      await tx.query('SELECT pg_terminate_backend(pg_backend_pid())');
    });
    await expect(intake.submit(request)).rejects.toThrow();
    const claimed = await database.sql.query('SELECT key FROM deliveries WHERE key = ANY($1::text[])', [
      request.dedupeKeys,
    ]);
    expect(claimed.rows).toHaveLength(0);
    const retry = await intake.submit(request);
    if (retry.type !== 'queued') throw new Error(`the retry should queue a turn, got ${retry.type}`);
    expect(await store.listTurns(retry.threadId)).toHaveLength(1);
    expect(await queue.pending(retry.turnId)).toBe(true);
    expect(await intake.submit(request)).toEqual({ type: 'duplicate' });
  });
});

// The embedded database: the process itself dies (SIGKILL) inside the transaction, and the same
// data directory is opened again, as a restarted `baton start` would.
describe('atomic intake on PGlite, when the process dies mid-transaction', () => {
  const fixture = join(import.meta.dirname, '../../fixtures/intake-crash-process.ts');
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'baton-intake-crash-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('leaves no claimed key after a SIGKILL between the claim and the thread; the retry runs once', async () => {
    const request = slackRequest({ threadTs: '1700088888.000100', text: 'fix it' });
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      env: { ...process.env, BATON_TEST_DATA_DIR: dataDir, BATON_TEST_REQUEST: JSON.stringify(request) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitFor('the claim inside the transaction', () => output.includes('"claimed"'), 60_000);
    child.kill('SIGKILL');
    await exited;

    const { store, sql } = await openStore({ dataDir });
    const queue = createTurnQueue({ sql, log: createSilentLogger(), heartbeatSeconds: 10 });
    await queue.start();
    try {
      const claimed = await sql.query('SELECT key FROM deliveries');
      expect(claimed.rows).toEqual([]);
      const intake = createIntake({
        store,
        queue,
        config: { maxGlobal: 8, maxPerRequester: 2 },
        branchPrefix: 'baton/',
        log: createSilentLogger(),
      });
      const retry = await intake.submit(request);
      if (retry.type !== 'queued') throw new Error(`the retry should queue a turn, got ${retry.type}`);
      expect(await store.listTurns(retry.threadId)).toHaveLength(1);
      expect(await queue.pending(retry.turnId)).toBe(true);
      expect(await intake.submit(request)).toEqual({ type: 'duplicate' });
    } finally {
      await queue.stop();
      await store.close();
    }
  });
});
