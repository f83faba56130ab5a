import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../fakes/slack-server.ts';
import {
  buttonsOf,
  outcome,
  progressAt,
  reporterFor,
  requestIn,
  TURN_ID,
  visibleText,
} from './reporter-harness.ts';
import { createManualTimers, waitUntil } from './slack-harness.ts';

describe('Slack reporter under rate limits', () => {
  let fake: FakeSlack;
  beforeEach(async () => {
    fake = await startFakeSlack();
  });
  afterEach(() => fake.close());

  it('waits out a 429 on chat.update (Retry-After: 2) and still ends with the right final state', async () => {
    const { request, origin } = requestIn(fake, 'C1');
    const reporter = reporterFor(fake, origin);
    await reporter.start({ runId: TURN_ID, task: 'fix' });
    fake.rateLimit('chat.update', { times: 1, retryAfterSeconds: 2 });
    reporter.progress(progressAt(1));
    await waitUntil(() => fake.callsTo('chat.update').length === 1, { what: 'the rate-limited edit' });
    reporter.progress(progressAt(5));
    reporter.progress(progressAt(9));
    await reporter.finish(outcome());

    const updates = fake.callsTo('chat.update');
    expect(updates.map((call) => call.status)).toEqual([429, 200, 200]);
    const finalEdit = JSON.stringify(updates.at(-1)?.args.blocks);
    expect(finalEdit).toContain('*Done*');
    expect(finalEdit).not.toContain('baton_cancel');
    const order = fake.calls.map((call) => call.method);
    expect(order.lastIndexOf('chat.update')).toBeLessThan(order.lastIndexOf('chat.postMessage'));
    const bot = fake.thread('C1', request.ts).filter((message) => message.user === fake.botUserId);
    expect(bot).toHaveLength(2);
    expect(visibleText(bot[1])).toContain('Fixed the race in the retry loop.');
  });

  it('with a client that rejects rate-limited calls, it waits Retry-After itself and sends the latest state', async () => {
    const { request, origin } = requestIn(fake, 'C2');
    const timers = createManualTimers();
    const client = new WebClient(fake.botToken, {
      slackApiUrl: fake.apiUrl,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
    });
    const reporter = reporterFor(fake, origin, { timers, client });
    await reporter.start({ runId: TURN_ID, task: 'fix' });
    fake.rateLimit('chat.update', { times: 1, retryAfterSeconds: 30 });
    reporter.progress(progressAt(1));
    await reporter.settle();
    reporter.progress(progressAt(7));
    timers.advance(29_000);
    await reporter.settle();
    expect(fake.callsTo('chat.update')).toHaveLength(1);

    timers.advance(1_000);
    await waitUntil(() => fake.callsTo('chat.update').length === 2, { what: 'the edit after Retry-After' });
    await reporter.settle();
    const status = fake.thread('C2', request.ts)[1];
    expect(visibleText(status)).toContain('Running step 7');
    expect(buttonsOf(status?.blocks).map((button) => button.action_id)).toContain('baton_cancel');
    expect(fake.callsTo('chat.update').map((call) => call.status)).toEqual([429, 200]);
  });
});
