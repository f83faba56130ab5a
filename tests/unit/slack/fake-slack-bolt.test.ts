import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { AppMentionEvent } from '@slack/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appMentionEvent, type FakeSlack, startFakeSlack } from '../../fakes/slack-server.ts';
import { waitUntil } from './slack-harness.ts';

describe('fake Slack delivers to the real Bolt receivers', () => {
  let fake: FakeSlack;
  let stop: (() => Promise<unknown>) | undefined;
  beforeEach(async () => {
    fake = await startFakeSlack();
  });
  afterEach(async () => {
    await stop?.();
    stop = undefined;
    await fake.close();
  });

  it('a signed app_mention reaches the HTTP receiver; a forged signature gets 401', async () => {
    const app = new App({
      token: fake.botToken,
      signingSecret: fake.signingSecret,
      clientOptions: { slackApiUrl: fake.apiUrl },
      logLevel: LogLevel.ERROR,
    });
    const received: AppMentionEvent[] = [];
    app.event('app_mention', async ({ event }) => {
      received.push(event);
    });
    const server = (await app.start(0)) as Server;
    stop = () => app.stop();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    const mention = appMentionEvent({
      user: 'U1',
      text: '<@UBATON> fix it',
      channel: 'C1',
      ts: '1700000000.000100',
    });

    const delivered = await fake.deliverEvent(url, mention);
    expect(delivered.status).toBe(200);
    await waitUntil(() => received.length === 1, { what: 'the app_mention handler' });
    expect(received[0]).toMatchObject({ text: '<@UBATON> fix it', channel: 'C1', user: 'U1' });

    const forged = await fake.deliverEvent(url, mention, { secret: 'not-the-signing-secret' });
    expect(forged.status).toBe(401);
    expect(received).toHaveLength(1);
  });

  it('Socket Mode: Bolt opens the connection through the fake and acks an event it handled', async () => {
    // Bolt's socket client takes its API URL from installerOptions.clientOptions, not clientOptions.
    const receiver = new SocketModeReceiver({
      appToken: fake.appToken,
      installerOptions: { clientOptions: { slackApiUrl: fake.apiUrl } },
      logLevel: LogLevel.ERROR,
    });
    const app = new App({
      token: fake.botToken,
      receiver,
      clientOptions: { slackApiUrl: fake.apiUrl },
      logLevel: LogLevel.ERROR,
    });
    const received: AppMentionEvent[] = [];
    app.event('app_mention', async ({ event }) => {
      received.push(event);
    });
    await app.start();
    stop = async () => {
      await app.stop();
      // Bolt's stop does not wait for the close handshake; closing the fake first would cut it.
      await waitUntil(() => fake.socketConnectionCount() === 0, { what: 'the socket to close' });
    };
    expect(fake.socketConnectionCount()).toBe(1);
    expect(fake.callsTo('apps.connections.open')[0]?.token).toBe(fake.appToken);

    const envelope = fake.envelope(
      appMentionEvent({
        user: 'U1',
        text: '<@UBATON> over the socket',
        channel: 'C1',
        ts: '1700000000.000200',
      }),
    );
    const ack = await fake.socketDeliver(envelope);
    expect(fake.socketAcks.map((recorded) => recorded.envelope_id)).toContain(ack.envelope_id);
    await waitUntil(() => received.length === 1, { what: 'the socket app_mention handler' });
    expect(received[0]?.text).toBe('<@UBATON> over the socket');
  });
});
