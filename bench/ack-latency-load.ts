/**
 * The load generator of the ack-latency benchmark, in a process of its own so that its work
 * (signing, sockets, timers) does not share an event loop with the server it measures.
 *   node --import tsx bench/ack-latency-load.ts <url> <rate/s> <seconds> <run number>
 * with SLACK_SIGNING_SECRET and BENCH_BOT_USER in the environment. Prints one JSON line: the
 * latencies' percentiles and the errors by kind. It never throws on a failed request: it counts it.
 */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { signRequest } from '../tests/fakes/slack-signing.ts';
import { eventMix } from './ack-latency-mix.ts';
import { percentile } from './stats.ts';

/** Slack gives up on an ack after 3 s; a request still open after this counts as a timeout. */
const REQUEST_TIMEOUT_MS = 5_000;
const MAX_EVENTS = 20_000;

export interface LoadResult {
  sent: number;
  ok: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  errors: { connection: number; non2xx: number; timeout: number };
  /** The first few error messages, to say what went wrong. */
  samples: string[];
  /** Every answered request's latency in ms, for pooling several runs. */
  latencies: number[];
}

async function main(): Promise<void> {
  const [url, rateText, secondsText, runText] = process.argv.slice(2);
  const secret = process.env.SLACK_SIGNING_SECRET;
  const botUserId = process.env.BENCH_BOT_USER ?? 'UBATON';
  const rate = Number(rateText);
  const seconds = Number(secondsText);
  if (!url || !secret || !(rate > 0) || !(seconds > 0) || rate * seconds > MAX_EVENTS) {
    throw new Error(`usage: ack-latency-load <url> <rate> <seconds> <run> (at most ${MAX_EVENTS} events)`);
  }
  const count = Math.round(rate * seconds);
  // Signed up front: signing is the sender's cost, not what is measured.
  const bodies = eventMix({ count, run: Number(runText ?? 0), botUserId }).map((envelope) => {
    const body = JSON.stringify(envelope);
    return { body, headers: { 'content-type': 'application/json', ...signRequest(body, secret) } };
  });
  // No cap on connections, as Slack's senders have none: a slow ack must not hold up the next event
  // behind it in this process (the count of events bounds the connections).
  const agent = new Agent({ connectTimeout: REQUEST_TIMEOUT_MS, keepAliveTimeout: 10_000 });
  const latencies: number[] = [];
  const errors = { connection: 0, non2xx: 0, timeout: 0 };
  const samples: string[] = [];
  const note = (kind: keyof typeof errors, message: string) => {
    errors[kind] += 1;
    if (samples.length < 5) samples.push(`${kind}: ${message}`);
  };
  const intervalMs = 1000 / rate;
  const started = performance.now();
  await Promise.all(
    bodies.map(async (event, index) => {
      const wait = started + index * intervalMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const sent = performance.now();
      try {
        const response = await request(url, {
          method: 'POST',
          headers: event.headers,
          body: event.body,
          dispatcher: agent,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        await response.body.dump();
        latencies.push(performance.now() - sent);
        if (response.statusCode < 200 || response.statusCode > 299)
          note('non2xx', `HTTP ${response.statusCode}`);
      } catch (error) {
        const name = error instanceof Error ? error.name : '';
        const code = (error as { code?: string }).code ?? '';
        const message = error instanceof Error ? `${code || name} ${error.message}` : String(error);
        if (name === 'TimeoutError' || name === 'AbortError' || code.includes('TIMEOUT'))
          note('timeout', message);
        else note('connection', message);
      }
    }),
  );
  await agent.close();
  const result: LoadResult = {
    sent: count,
    ok: latencies.length - errors.non2xx,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    max: percentile(latencies, 1),
    errors,
    samples,
    latencies: latencies.map((value) => Math.round(value * 1000) / 1000),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
