/**
 * The baseline of the ack-latency benchmark: a bare Bolt app (HTTP receiver, ack after the
 * listeners, listeners that do nothing) in a process of its own, subscribed to the same events as
 * Baton. SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN and SLACK_API_URL come from the environment; it
 * prints `{"event":"ready","port":N}` and serves until SIGTERM.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver } from '@slack/bolt';

const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
  processBeforeResponse: true,
});
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  receiver,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  deferInitialization: true,
});
app.event('app_mention', async () => {});
app.event('message', async () => {});
await app.init();
const server = createServer(receiver.requestListener);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.stdout.write(`${JSON.stringify({ event: 'ready', port: (server.address() as AddressInfo).port })}\n`);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
