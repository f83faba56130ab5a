import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { type BatonMetrics, createBatonMetrics } from '../../../src/observability/metrics.ts';
import { createIntake } from '../../../src/runs/intake.ts';
import type { TurnQueue } from '../../../src/runs/queue.ts';
import { createStore, type Store } from '../../../src/store/index.ts';
import { createSlackTrigger, type SlackTrigger } from '../../../src/triggers/slack/index.ts';
import { appMentionEvent, type FakeSlack, startFakeSlack } from '../../fakes/slack-server.ts';
import { createSchemaPool, type Database, openDatabase, startQueue } from '../runs/durable-harness.ts';
import { connectionReset, faultable } from '../runs/faulty-sql.ts';
import { eventually } from './slack-harness.ts';

const CHANNEL = 'C0SOCKET';
const ALICE = 'UALICE';

/** Socket Mode through the real Bolt SocketModeReceiver, over the real intake on embedded Postgres. */
describe('Slack over Socket Mode, when the durable submit fails', () => {
  const schemas = createSchemaPool();
  let slack: FakeSlack;
  let database: Database;
  let queue: TurnQueue;
  let faults: ReturnType<typeof faultable>;
  let store: Store;
  let metrics: BatonMetrics;
  let trigger: SlackTrigger;

  beforeAll(async () => {
    slack = await startFakeSlack({ teamId: 'T0SOCKET' });
    database = await openDatabase('pglite', schemas);
    queue = await startQueue(database);
    faults = faultable(database.sql);
    store = createStore({ sql: faults.client });
    metrics = createBatonMetrics();
    const config = configSchema.parse({ repos: [{ name: 'acme/web', url: '/srv/acme-web.git' }] });
    const log = createSilentLogger();
    trigger = createSlackTrigger({
      config,
      botToken: slack.botToken,
      appToken: slack.appToken,
      apiUrl: slack.apiUrl,
      intake: createIntake({ store, queue, config: config.runs, branchPrefix: 'baton/', log }),
      store,
      log,
      metrics,
      afterSubmit: () => {},
    });
    await trigger.start();
    await eventually('the socket connection', () => slack.socketConnectionCount() === 1);
  });
  afterAll(async () => {
    await trigger?.stop();
    await queue?.stop();
    await database?.close();
    await slack?.close();
    await schemas.dropAll();
  });

  const mention = (ts: string, eventId: string) =>
    slack.envelope(
      appMentionEvent({
        user: ALICE,
        text: `<@${slack.botUserId}> fix the login test`,
        channel: CHANNEL,
        ts,
      }),
      { eventId },
    );
  const turnsOfThread = async (ts: string) => {
    const thread = await store.getThreadByKey(`slack:T0SOCKET:${CHANNEL}:${ts}`);
    return thread ? store.listTurns(thread.id) : [];
  };

  it('does not ack the envelope whose submit failed; Slack redelivers it and the run is queued once', async () => {
    faults.arm(/INSERT INTO turns/, connectionReset);

    const delivery = await slack.socketDeliverUntilAcked(mention('40.0', 'EvSOCKETFAIL'), {
      ackWithinMs: 1_000,
      redeliveries: 3,
    });

    expect(delivery.attempts).toBe(2);
    expect(delivery.ack).toBeDefined();
    const turns = await turnsOfThread('40.0');
    expect(turns).toHaveLength(1);
    expect(turns[0]).toMatchObject({ status: 'queued', requesterId: ALICE });
    expect(await queue.pending(turns[0]?.id ?? '')).toBe(true);
    expect(metrics.duplicates.value({ source: 'slack' })).toBe(0);
  });

  it('acks a healthy envelope once it is durable, and a later redelivery only as a duplicate', async () => {
    const envelope = mention('41.0', 'EvSOCKETOK');
    const first = await slack.socketDeliverUntilAcked(envelope, { ackWithinMs: 2_000, redeliveries: 0 });
    expect(first.ack).toBeDefined();
    // Acked after the submit, so the turn is already there when the ack arrives.
    expect(await turnsOfThread('41.0')).toHaveLength(1);

    await slack.socketDeliver(envelope, { retryAttempt: 1, retryReason: 'timeout' });
    expect(metrics.duplicates.value({ source: 'slack' })).toBe(1);
    expect(await turnsOfThread('41.0')).toHaveLength(1);
  });
});
