import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { App, HTTPReceiver } from '@slack/bolt';
import { configSchema } from '../src/config/schema.ts';
import { createGateway, createRouteTable } from '../src/gateway/index.ts';
import { createSilentLogger } from '../src/observability/logger.ts';
import { createBatonMetrics } from '../src/observability/metrics.ts';
import { createIntake } from '../src/runs/intake.ts';
import { createTurnQueue } from '../src/runs/queue.ts';
import { openStore } from '../src/store/index.ts';
import {
  createSlackTrigger,
  type Intake,
  SLACK_EVENTS_PATH,
  type SubmitResult,
  type SubmittedRequest,
} from '../src/triggers/slack/index.ts';
import { appMentionEvent, type FakeSlack, startFakeSlack } from '../tests/fakes/slack-server.ts';
import { formatMs, percentile, printFigure } from './stats.ts';

/**
 * Ack latency of Slack events: Baton's gateway + Slack trigger (verify → authorise → resolve repo →
 * durable submit through the real intake on embedded Postgres) against a bare Bolt app whose listener
 * does nothing, same process, same signed events, paced open-loop at `ratePerSecond` on loopback.
 * Figures only: a benchmark does not assert.
 */
export async function benchAckLatency(
  options: { ratePerSecond?: number; seconds?: number } = {},
): Promise<void> {
  const ratePerSecond = options.ratePerSecond ?? 200;
  const seconds = options.seconds ?? 20;
  const count = ratePerSecond * seconds;
  const slack = await startFakeSlack({ teamId: 'T0BENCH' });
  const bare = await startBareBolt(slack);
  try {
    console.log(`${count} signed app_mention events per side at ${ratePerSecond}/s on loopback`);
    const bareRun = await fire(`${bare.url}${SLACK_EVENTS_PATH}`, slack, 'bare', count, ratePerSecond);
    printSide('bare Bolt, empty listener', bareRun);
    for (const intakeKind of ['recording', 'real'] as const) {
      const baton = await startBaton(slack, intakeKind);
      try {
        const run = await fire(`${baton.url}${SLACK_EVENTS_PATH}`, slack, intakeKind, count, ratePerSecond);
        await baton.idle();
        printSide(`Baton, ${baton.label}`, run);
        const ratioAt = (fraction: number) =>
          percentile(run.latencies, fraction) / percentile(bareRun.latencies, fraction);
        printFigure(
          '  ratio to bare',
          { p50: `${ratioAt(0.5).toFixed(2)}x`, p99: `${ratioAt(0.99).toFixed(2)}x` },
          'p99 <= 1.25x',
          ratioAt(0.99) <= 1.25,
        );
        const perEvent = new Map<string, number>();
        for (const request of baton.submitted) {
          const ts = request.origin.kind === 'slack' ? request.origin.messageTs : '';
          perEvent.set(ts, (perEvent.get(ts) ?? 0) + 1);
        }
        const once = perEvent.size === count && [...perEvent.values()].every((times) => times === 1);
        printFigure(
          '  submitted exactly once',
          { events: String(count), distinct: String(perEvent.size), submits: String(baton.submitted.length) },
          'every event once',
          once,
        );
      } finally {
        await baton.close();
      }
    }
  } finally {
    await close(bare.server);
    await slack.close();
  }
}

function printSide(name: string, run: FireResult): void {
  const figures = [
    `p50=${formatMs(percentile(run.latencies, 0.5))}`,
    `p99=${formatMs(percentile(run.latencies, 0.99))}`,
    `non-2xx=${run.non2xx}`,
    `sent=${run.latencies.length}`,
  ];
  console.log(`${name}: ${figures.join('  ')}`);
}

interface FireResult {
  latencies: number[];
  non2xx: number;
}

/** Pre-signs every event (signing is not what is measured), then sends one every 1000/rate ms without waiting. */
async function fire(
  url: string,
  slack: FakeSlack,
  side: string,
  count: number,
  ratePerSecond: number,
): Promise<FireResult> {
  const requests = Array.from({ length: count }, (_, index) => {
    const ts = `${1_700_000_000 + index}.${side === 'bare' ? '000001' : '000002'}`;
    const envelope = slack.envelope(
      appMentionEvent({
        user: 'UBENCH',
        text: `<@${slack.botUserId}> task ${index}`,
        channel: 'C0BENCH',
        ts,
      }),
      { eventId: `Ev${side}${index}` },
    );
    const body = JSON.stringify(envelope);
    return { body, headers: { 'content-type': 'application/json', ...slack.signRequest(body) } };
  });
  const latencies: number[] = [];
  let non2xx = 0;
  const intervalMs = 1000 / ratePerSecond;
  const started = performance.now();
  const inflight = requests.map(async (request, index) => {
    const due = started + index * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
    await response.arrayBuffer();
    latencies.push(performance.now() - sent);
    if (response.status < 200 || response.status > 299) non2xx += 1;
  });
  await Promise.all(inflight);
  return { latencies, non2xx };
}

async function startBareBolt(slack: FakeSlack): Promise<{ url: string; server: Server }> {
  const receiver = new HTTPReceiver({ signingSecret: slack.signingSecret, processBeforeResponse: true });
  const app = new App({
    token: slack.botToken,
    receiver,
    clientOptions: { slackApiUrl: slack.apiUrl },
    deferInitialization: true,
  });
  app.event('app_mention', async () => {});
  await app.init();
  const server = createServer(receiver.requestListener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The gateway with the Slack trigger, over S2's intake on embedded Postgres or an in-memory one (trigger cost alone). */
async function startBaton(slack: FakeSlack, kind: 'recording' | 'real') {
  const log = createSilentLogger();
  const config = configSchema.parse({ repos: [{ name: 'acme/web', url: '/srv/acme-web.git' }] });
  const { store, sql } = await openStore();
  const queue = createTurnQueue({ sql, log, heartbeatSeconds: config.runs.heartbeatSeconds });
  if (kind === 'real') await queue.start();
  const real = createIntake({
    store,
    queue,
    config: config.runs,
    branchPrefix: config.git.branchPrefix,
    log,
  });
  const claimed = new Set<string>();
  const claimInMemory = (request: SubmittedRequest): SubmitResult => {
    if (request.dedupeKeys.some((key) => claimed.has(key))) return { type: 'duplicate' };
    for (const key of request.dedupeKeys) claimed.add(key);
    return { type: 'queued', turnId: 't', threadId: 't', position: 0 };
  };
  const submitted: SubmittedRequest[] = [];
  // Both record what was accepted; `real` passes every call through to the durable intake.
  const intake: Intake = {
    async submit(request) {
      const result = kind === 'real' ? await real.submit(request) : claimInMemory(request);
      if (result.type !== 'duplicate') submitted.push(request);
      return result;
    },
    cancel: (target, by) => real.cancel(target, by),
  };
  const metrics = createBatonMetrics();
  const trigger = createSlackTrigger({
    config,
    botToken: slack.botToken,
    signingSecret: slack.signingSecret,
    apiUrl: slack.apiUrl,
    intake,
    store,
    log,
    metrics,
    afterSubmit: () => {},
  });
  await trigger.start();
  const routes = createRouteTable();
  if (trigger.requestListener) routes.register(SLACK_EVENTS_PATH, trigger.requestListener);
  const gateway = createGateway({ port: 0, host: '127.0.0.1', log, routes, metrics, readiness: {} });
  const port = await gateway.start();
  return {
    url: `http://127.0.0.1:${port}`,
    label:
      kind === 'real'
        ? 'real intake (embedded PGlite + pg-boss)'
        : 'in-memory intake (trigger and gateway only)',
    submitted,
    idle: () => trigger.idle(),
    async close() {
      await trigger.stop();
      await gateway.stop({ graceMs: 500 });
      if (kind === 'real') await queue.stop();
      await store.close();
    },
  };
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [rate, seconds] = process.argv.slice(2).map(Number);
  await benchAckLatency({ ratePerSecond: rate || undefined, seconds: seconds || undefined });
}
