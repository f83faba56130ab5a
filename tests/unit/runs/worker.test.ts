import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { runAbortCodeOf } from '../../../src/runs/cancellation.ts';
import { createIntake, type Intake, type SubmitResult } from '../../../src/runs/intake.ts';
import type { TurnQueue } from '../../../src/runs/queue.ts';
import { threadKeyOf } from '../../../src/runs/task-request.ts';
import { createWorker, type TurnExecutor, type Worker } from '../../../src/runs/worker.ts';
import {
  type Backend,
  createSchemaPool,
  type Database,
  openDatabase,
  slackRequest,
  startQueue,
  waitFor,
} from './durable-harness.ts';

const schemas = createSchemaPool();
afterAll(() => schemas.dropAll());

type ExecutorInput = Parameters<TurnExecutor>[0];
/** What the executor does for a turn, chosen by the request text. */
type Script = (input: ExecutorInput) => Promise<void>;

describe.each<Backend>(['pglite', 'postgres'])('worker on %s', (backend) => {
  let database: Database;
  let queue: TurnQueue;
  let worker: Worker;
  let intake: Intake;
  const scripts = new Map<string, Script>();
  const seen: ExecutorInput[] = [];
  const abandoned: string[] = [];

  const succeed = (input: ExecutorInput) =>
    database.store.updateTurn(input.turn.id, { status: 'succeeded', completedAt: new Date().toISOString() });

  const execute: TurnExecutor = async (input) => {
    seen.push(input);
    const script = scripts.get(input.request.text);
    if (script) return script(input);
    await succeed(input);
  };

  beforeAll(async () => {
    database = await openDatabase(backend, schemas);
    queue = await startQueue(database);
    const config = { workerConcurrency: 3, maxGlobal: 8, maxPerRequester: 1, heartbeatSeconds: 10 };
    const log = createSilentLogger();
    worker = createWorker({
      store: database.store,
      queue,
      execute,
      config,
      workerId: 'w1',
      log,
      pollMs: 200,
      onAbandoned: async (turn) => {
        abandoned.push(turn.id);
      },
    });
    intake = createIntake({ store: database.store, queue, config, branchPrefix: 'baton/', log });
    await worker.start();
  });

  afterAll(async () => {
    await worker?.stop();
    await queue?.stop();
    await database?.close();
  });

  const queuedTurnId = (result: SubmitResult): string => {
    if (result.type !== 'queued') throw new Error(`expected a queued turn, got ${result.type}`);
    return result.turnId;
  };
  const statusOf = async (turnId: string) => (await database.store.getTurn(turnId))?.status;
  const settled = (turnId: string) =>
    waitFor(`turn ${turnId} to end`, async () => {
      const status = await statusOf(turnId);
      return status !== 'queued' && status !== 'running' && status;
    });

  it('gives up a turn that stopped its workers too often, and says so through onAbandoned', async () => {
    const thread = await database.store.upsertThread({
      key: `abandon-${backend}`,
      origin: {},
      repo: 'acme/app',
      branch: 'baton/abandon',
    });
    const created = await database.store.createQueuedTurn({
      threadId: thread.id,
      request: {
        ...slackRequest({ threadTs: `9${Date.now()}.1`, user: 'U-abandon', text: 'crashes every worker' }),
      },
      requesterId: 'U-abandon',
    });
    const turnId = created.turn.id;
    // Three workers died holding it: its heartbeat is long stale.
    await database.sql.query(
      `UPDATE turns SET status = 'running', attempt = 3, claimed_by = 'dead-worker', heartbeat_at = now() - interval '1 hour' WHERE id = $1`,
      [turnId],
    );
    await queue.send(turnId);
    await waitFor('the abandon report', () => abandoned.includes(turnId));
    expect(await statusOf(turnId)).toBe('failed');
    expect(seen.some((input) => input.turn.id === turnId)).toBe(false);
  });

  it('runs a submitted turn end to end through the queue', async () => {
    const request = slackRequest({ threadTs: '1700000101.000100', user: 'U-e2e', text: 'plain run' });
    const turnId = queuedTurnId(await intake.submit(request));
    expect(await settled(turnId)).toBe('succeeded');
    const input = seen.find((entry) => entry.turn.id === turnId);
    expect(input).toMatchObject({ resumed: false, request, thread: { key: threadKeyOf(request.origin) } });
    expect(input?.turn).toMatchObject({ status: 'running', claimedBy: 'w1', attempt: 1 });
  });

  it('hands messages that arrive while a turn runs to the executor, in order', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const drained: string[] = [];
    scripts.set('collect replies', async (input) => {
      await released;
      drained.push(...(await input.drainInbox()).map((message) => message.text));
      await succeed(input);
    });
    const threadTs = '1700000102.000100';
    const turnId = queuedTurnId(
      await intake.submit(slackRequest({ threadTs, user: 'U-inbox', text: 'collect replies' })),
    );
    await waitFor('the turn to run', async () => (await statusOf(turnId)) === 'running');
    for (const text of ['also this', 'and that']) {
      expect(await intake.submit(slackRequest({ threadTs, user: 'U-inbox', text }))).toMatchObject({
        type: 'injected',
        turnId,
      });
    }
    release();
    expect(await settled(turnId)).toBe('succeeded');
    expect(drained).toEqual(['also this', 'and that']);
  });

  it('starts the next turn with messages that raced the end of the previous one', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    scripts.set('ignores the inbox', async (input) => {
      await released;
      await succeed(input);
    });
    const threadTs = '1700000103.000100';
    const request = slackRequest({ threadTs, user: 'U-carry', text: 'ignores the inbox' });
    const turnId = queuedTurnId(await intake.submit(request));
    await waitFor('the turn to run', async () => (await statusOf(turnId)) === 'running');
    await intake.submit(slackRequest({ threadTs, user: 'U-carry', text: 'late addition' }));
    release();
    const thread = await database.store.getThreadByKey(threadKeyOf(request.origin));
    const next = await waitFor('a follow-up turn', async () =>
      (await database.store.listTurns(thread?.id ?? '')).find((turn) => turn.id !== turnId),
    );
    expect(next.request).toMatchObject({ text: 'late addition', repo: 'acme/app' });
    expect(await settled(next.id)).toBe('succeeded');
  });

  it('aborts a running turn’s signal when it is cancelled (the worker polls for the request)', async () => {
    scripts.set('wait for cancel', async (input) => {
      await new Promise((resolve) => input.signal.addEventListener('abort', resolve, { once: true }));
      await database.store.updateTurn(input.turn.id, {
        status: 'cancelled',
        completedAt: new Date().toISOString(),
      });
    });
    const request = slackRequest({ threadTs: '1700000104.000100', user: 'U-stop', text: 'wait for cancel' });
    const turnId = queuedTurnId(await intake.submit(request));
    await waitFor('the turn to run', async () => (await statusOf(turnId)) === 'running');
    expect(await intake.cancel({ threadKey: threadKeyOf(request.origin) }, 'U-stop')).toEqual({
      cancelled: true,
      turnId,
    });
    // The executor only ends when its signal aborts; a bounded wait proves the abort came.
    expect(await settled(turnId)).toBe('cancelled');
    const input = seen.find((entry) => entry.turn.id === turnId);
    expect(input && runAbortCodeOf(input.signal)).toBe('run_cancelled');
  });

  it('never runs a turn cancelled while queued', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    scripts.set('hold the slot', async (input) => {
      await released;
      await succeed(input);
    });
    // maxPerRequester 1: the second turn of U-wait stays queued behind the first.
    const first = queuedTurnId(
      await intake.submit(
        slackRequest({ threadTs: '1700000105.000100', user: 'U-wait', text: 'hold the slot' }),
      ),
    );
    await waitFor('the first turn to run', async () => (await statusOf(first)) === 'running');
    const second = queuedTurnId(
      await intake.submit(
        slackRequest({ threadTs: '1700000106.000100', user: 'U-wait', text: 'never run me' }),
      ),
    );
    expect(await intake.cancel({ turnId: second }, 'U-wait')).toEqual({ cancelled: true, turnId: second });
    release();
    expect(await settled(first)).toBe('succeeded');
    expect(await statusOf(second)).toBe('cancelled');
    expect(seen.some((entry) => entry.turn.id === second)).toBe(false);
  });

  it('holds a requester’s second turn in the queue until the first ends (maxPerRequester 1)', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    scripts.set('first of two', async (input) => {
      await released;
      await succeed(input);
    });
    const first = await intake.submit(
      slackRequest({ threadTs: '1700000107.000100', user: 'U-limit', text: 'first of two' }),
    );
    const firstId = queuedTurnId(first);
    await waitFor('the first turn to run', async () => (await statusOf(firstId)) === 'running');
    const second = await intake.submit(
      slackRequest({ threadTs: '1700000108.000100', user: 'U-limit', text: 'second of two' }),
    );
    expect(second).toMatchObject({ type: 'queued', position: 1 });
    const secondId = queuedTurnId(second);
    const touchedAt = (await database.store.getTurn(secondId))?.heartbeatAt;
    // The worker looked at it (an over-limit check touches the row) and left it queued.
    await waitFor(
      'an over-limit check',
      async () => (await database.store.getTurn(secondId))?.heartbeatAt !== touchedAt,
    );
    expect(await statusOf(secondId)).toBe('queued');
    release();
    expect(await settled(firstId)).toBe('succeeded');
    expect(await settled(secondId)).toBe('succeeded');
  });

  it('marks a turn failed when its executor throws', async () => {
    scripts.set('explode', async () => {
      throw new Error('sandbox vanished');
    });
    const turnId = queuedTurnId(
      await intake.submit(slackRequest({ threadTs: '1700000109.000100', user: 'U-boom', text: 'explode' })),
    );
    expect(await settled(turnId)).toBe('failed');
    expect((await database.store.getTurn(turnId))?.error).toContain('sandbox vanished');
  });
});
