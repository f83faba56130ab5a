import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { createIntake, type Intake, type SubmitResult } from '../../../src/runs/intake.ts';
import { createTurnQueue, type TurnQueue } from '../../../src/runs/queue.ts';
import { threadBranch } from '../../../src/runs/run-turn.ts';
import { threadKeyOf } from '../../../src/runs/task-request.ts';
import {
  createSchemaPool,
  type Database,
  openDatabase,
  slackRequest,
  startQueue,
} from './durable-harness.ts';

// A server: concurrent submits really run in parallel on separate connections.
const schemas = createSchemaPool();
let database: Database;
let queue: TurnQueue;
let intake: Intake;

beforeAll(async () => {
  database = await openDatabase('postgres', schemas);
  queue = await startQueue(database);
  intake = createIntake({
    store: database.store,
    queue,
    config: { maxGlobal: 8, maxPerRequester: 1 },
    branchPrefix: 'baton/',
    log: createSilentLogger(),
  });
});

afterAll(async () => {
  await queue?.stop();
  await database?.close();
  await schemas.dropAll();
});

const types = (results: SubmitResult[]) => results.map((result) => result.type).sort();

describe('intake', () => {
  it('turns one message delivered four times (two at once) into one turn, with the whole request stored', async () => {
    const request = slackRequest({ threadTs: '1700000001.000100', user: 'U-dedupe' });
    const first = await intake.submit(request);
    const raced = await Promise.all([intake.submit(request), intake.submit(request)]);
    const last = await intake.submit(request);
    expect(types([first, ...raced, last])).toEqual(['duplicate', 'duplicate', 'duplicate', 'queued']);
    if (first.type !== 'queued') throw new Error('first delivery should queue');
    expect(first.position).toBe(0);
    expect(await database.store.listTurns(first.threadId)).toHaveLength(1);
    const turn = await database.store.getTurn(first.turnId);
    expect(turn?.request).toEqual(request);
    expect(turn).toMatchObject({ status: 'queued', requesterId: 'U-dedupe' });
    expect(await queue.pending(first.turnId)).toBe(true);
  });

  it('treats the same message arriving as app_mention and as message (one key in common) as a duplicate', async () => {
    const mention = slackRequest({ threadTs: '1700000002.000100', user: 'U-twice' });
    const asMessage = { ...mention, dedupeKeys: ['slack:event:other-event-id', mention.dedupeKeys[1] ?? ''] };
    const raced = await Promise.all([intake.submit(mention), intake.submit(asMessage)]);
    expect(types(raced)).toEqual(['duplicate', 'queued']);
  });

  it('starts one turn when messages race on a new thread; the others go to its inbox', async () => {
    const requests = [1, 2, 3, 4].map((n) =>
      slackRequest({ threadTs: '1700000003.000100', user: 'U-race', text: `part ${n}` }),
    );
    const results = await Promise.all(requests.map((request) => intake.submit(request)));
    expect(types(results)).toEqual(['injected', 'injected', 'injected', 'queued']);
    const turnIds = new Set(results.map((result) => (result.type === 'duplicate' ? '' : result.turnId)));
    expect(turnIds.size).toBe(1);
    const [turnId] = [...turnIds];
    const injectedTexts = (await database.store.drainInbox(turnId ?? ''))
      .map((message) => message.text)
      .sort();
    const queuedText = requests.find((_, index) => results[index]?.type === 'queued')?.text;
    expect([...injectedTexts, queuedText].sort()).toEqual(['part 1', 'part 2', 'part 3', 'part 4']);
    const threadIds = new Set(results.map((result) => (result.type === 'duplicate' ? '' : result.threadId)));
    expect(threadIds.size).toBe(1);
  });

  it('starts a new turn on the same thread and branch for a reply after the turn ended', async () => {
    const first = await intake.submit(slackRequest({ threadTs: '1700000004.000100', user: 'U-again' }));
    if (first.type !== 'queued') throw new Error('expected a queued turn');
    await database.store.updateTurn(first.turnId, { status: 'succeeded' });
    const reply = slackRequest({ threadTs: '1700000004.000100', user: 'U-again', text: 'one more thing' });
    const second = await intake.submit(reply);
    expect(second).toMatchObject({ type: 'queued', threadId: first.threadId });
    if (second.type !== 'queued') throw new Error('expected a queued turn');
    expect(second.turnId).not.toBe(first.turnId);
    const key = threadKeyOf(reply.origin);
    const thread = await database.store.getThreadByKey(key);
    expect(thread?.branch).toBe(threadBranch('baton/', key));
    expect((await database.store.listTurns(first.threadId)).map((turn) => turn.id)).toEqual([
      first.turnId,
      second.turnId,
    ]);
  });

  it('reports the queue position of a turn over its requester’s limit', async () => {
    const first = await intake.submit(slackRequest({ threadTs: '1700000005.000100', user: 'U-pos' }));
    const second = await intake.submit(slackRequest({ threadTs: '1700000006.000100', user: 'U-pos' }));
    const third = await intake.submit(slackRequest({ threadTs: '1700000007.000100', user: 'U-pos' }));
    expect([first, second, third].map((result) => result.type === 'queued' && result.position)).toEqual([
      0, 1, 2,
    ]);
  });

  it('says whether the queue is ready, and refuses to send before it starts', async () => {
    expect(await queue.ready()).toBe(true);
    const idle = createTurnQueue({ sql: database.sql, log: createSilentLogger(), heartbeatSeconds: 10 });
    expect(await idle.ready()).toBe(false);
    await expect(idle.send('some-turn')).rejects.toMatchObject({ code: 'queue_not_started' });
  });

  it('cancels a queued turn by thread key, once', async () => {
    const request = slackRequest({ threadTs: '1700000008.000100', user: 'U-cancel' });
    const submitted = await intake.submit(request);
    if (submitted.type !== 'queued') throw new Error('expected a queued turn');
    const threadKey = threadKeyOf(request.origin);
    expect(await intake.cancel({ threadKey }, 'U-cancel')).toEqual({
      cancelled: true,
      turnId: submitted.turnId,
    });
    expect(await database.store.getTurn(submitted.turnId)).toMatchObject({
      status: 'cancelled',
      cancelRequestedBy: 'U-cancel',
    });
    expect(await intake.cancel({ threadKey }, 'U-cancel')).toEqual({ cancelled: false });
    expect(await intake.cancel({ turnId: submitted.turnId }, 'U-cancel')).toEqual({
      cancelled: false,
      turnId: submitted.turnId,
    });
    expect(await intake.cancel({ threadKey: 'slack:T1:C1:no-such-thread' }, 'U-cancel')).toEqual({
      cancelled: false,
    });
  });
});
