import { performance } from 'node:perf_hooks';
import { CHANNEL, createServerHarness, waitFor } from '../tests/e2e/server-harness.ts';
import { formatMs, percentile, printFigure } from './stats.ts';

const MENTIONS = 20;

/**
 * Mention → 👀 and the status message visible in the fake Slack, through the whole server (signed
 * event, gateway, dedupe, durable enqueue, acknowledge). Each mention is a new thread; the scripted
 * model ends each run at once so runs do not pile up.
 */
export async function benchMentionLatency(): Promise<void> {
  const harness = await createServerHarness();
  try {
    for (let index = 0; index < MENTIONS; index += 1) {
      harness.model.enqueue({ type: 'text', content: 'Nothing to change.' });
    }
    const eyes: number[] = [];
    const status: number[] = [];
    for (let index = 0; index < MENTIONS; index += 1) {
      const start = performance.now();
      const { ts } = await harness.mention(`bench ${index} repo:acme/calculator`);
      await waitFor('👀', () =>
        harness.slack
          .callsTo('reactions.add')
          .some((call) => call.args.timestamp === ts && call.args.name === 'eyes'),
      );
      eyes.push(performance.now() - start);
      await waitFor('status message', () => harness.botMessages(ts).length > 0);
      status.push(performance.now() - start);
      await waitFor('run end', () => harness.slack.reactions(CHANNEL, ts).some((name) => name !== 'eyes'));
    }
    const p95Eyes = percentile(eyes, 0.95);
    const p95Status = percentile(status, 0.95);
    printFigure(
      'mention → 👀 / status message',
      { eyesP95: formatMs(p95Eyes), statusP95: formatMs(p95Status), mentions: String(MENTIONS) },
      'p95 < 300 ms',
      Math.max(p95Eyes, p95Status) < 300,
    );
  } finally {
    await harness.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMentionLatency();
