import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.ts';
import { createGateway, createRouteTable, type Gateway } from '../../../src/gateway/index.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { createBatonMetrics } from '../../../src/observability/metrics.ts';
import { createIntake } from '../../../src/runs/intake.ts';
import { createKnownThreads } from '../../../src/runs/known-threads.ts';
import type { TurnQueue } from '../../../src/runs/queue.ts';
import { createStore, type SqlClient, type SqlExecutor } from '../../../src/store/index.ts';
import {
  createSlackTrigger,
  SLACK_EVENTS_PATH,
  type SlackTrigger,
} from '../../../src/triggers/slack/index.ts';
import { appMentionEvent, type FakeSlack, messageEvent, startFakeSlack } from '../../fakes/slack-server.ts';
import {
  type Backend,
  createSchemaPool,
  type Database,
  openDatabase,
  startQueue,
} from '../runs/durable-harness.ts';

const CHANNEL = 'C0BUSY';
const TEAM = 'T0BUSY';

/** The real client, recording every statement the gateway sends (a seam argument, not a mock). */
function recording(sql: SqlClient) {
  const statements: string[] = [];
  const wrap = (executor: SqlExecutor): SqlExecutor => ({
    query: (text, params) => {
      statements.push(text);
      return executor.query(text, params);
    },
    exec: (text) => {
      statements.push(text);
      return executor.exec(text);
    },
  });
  const client: SqlClient = {
    ...sql,
    ...wrap(sql),
    transaction: (fn) => sql.transaction((tx) => fn(wrap(tx))),
  };
  return { client, statements };
}

const schemas = createSchemaPool();
afterAll(() => schemas.dropAll());

describe.each<Backend>(['pglite', 'postgres'])('channel chatter on %s', (backend) => {
  let slack: FakeSlack;
  let database: Database;
  let queue: TurnQueue;
  let trigger: SlackTrigger;
  let gateway: Gateway;
  let eventsUrl: string;
  let sql: ReturnType<typeof recording>;

  beforeAll(async () => {
    slack = await startFakeSlack({ teamId: TEAM });
    database = await openDatabase(backend, schemas);
    queue = await startQueue(database);
    sql = recording(database.sql);
    const store = createStore({ sql: sql.client });
    // Wired as the gateway wires it (src/app/compose-gateway.ts).
    const knownThreads = createKnownThreads({
      sql: sql.client,
      authoritative: sql.client.kind === 'pglite',
      prefix: 'slack:',
    });
    const config = configSchema.parse({ repos: [{ name: 'acme/web', url: '/srv/acme-web.git' }] });
    const log = createSilentLogger();
    const metrics = createBatonMetrics();
    trigger = createSlackTrigger({
      config,
      botToken: slack.botToken,
      signingSecret: slack.signingSecret,
      apiUrl: slack.apiUrl,
      intake: knownThreads.wrap(
        createIntake({ store, queue, config: config.runs, branchPrefix: 'baton/', log }),
      ),
      store: knownThreads,
      log,
      metrics,
      afterSubmit: () => {},
    });
    await trigger.start();
    const routes = createRouteTable();
    if (trigger.requestListener) routes.register(SLACK_EVENTS_PATH, trigger.requestListener);
    gateway = createGateway({ port: 0, host: '127.0.0.1', log, routes, readiness: {}, metrics });
    eventsUrl = `http://127.0.0.1:${await gateway.start()}${SLACK_EVENTS_PATH}`;
  });
  afterAll(async () => {
    await trigger?.stop();
    await gateway?.stop({ graceMs: 100 });
    await queue?.stop();
    await database?.close();
    await slack?.close();
  });

  const reply = (ts: string, threadTs: string, text: string) =>
    slack.deliverEvent(eventsUrl, messageEvent({ user: 'UCHATTER', text, channel: CHANNEL, ts, threadTs }));

  it('writes nothing for replies in threads Baton does not own (and on the embedded database reads nothing either)', async () => {
    // Warms the index up: its one load of known threads is not chatter's cost.
    await reply('100.000001', '99.000001', 'warm-up');
    const before = sql.statements.length;

    for (let index = 0; index < 20; index += 1) {
      const delivery = await reply(
        `101.${String(index).padStart(6, '0')}`,
        `${90 + (index % 4)}.000001`,
        'lunch?',
      );
      expect(delivery.status).toBe(200);
    }

    const chatter = sql.statements.slice(before);
    expect(chatter.filter((statement) => !/^\s*SELECT/i.test(statement))).toEqual([]);
    if (backend === 'pglite') expect(chatter).toEqual([]);
    const deliveries = await database.sql.query('SELECT key FROM deliveries');
    expect(deliveries.rows).toEqual([]);
  });

  it('still steers a thread Baton works in: a reply after a mention reaches the active turn', async () => {
    const mention = await slack.deliverEvent(
      eventsUrl,
      appMentionEvent({
        user: 'UREQ',
        text: `<@${slack.botUserId}> fix the build`,
        channel: CHANNEL,
        ts: '200.000001',
      }),
    );
    expect(mention.status).toBe(200);
    expect((await reply('200.000002', '200.000001', 'also the docs')).status).toBe(200);

    const thread = await database.store.getThreadByKey(`slack:${TEAM}:${CHANNEL}:200.000001`);
    if (!thread) throw new Error('the mention should have created its thread');
    const [turn] = await database.store.listTurns(thread.id);
    expect(await database.store.drainInbox(turn?.id ?? '')).toMatchObject([{ text: 'also the docs' }]);
  });
});
