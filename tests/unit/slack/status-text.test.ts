import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mrkdwnToPlainText } from '../../../src/integrations/slack/slack-text.ts';
import { type FakeSlack, startFakeSlack } from '../../fakes/slack-server.ts';
import { outcome, reporterFor, requestIn, TURN_ID } from './reporter-harness.ts';

/** The `text` of a message is what notifications, previews and screen readers show. */
describe('the status message notification text', () => {
  let fake: FakeSlack;
  beforeEach(async () => {
    fake = await startFakeSlack();
  });
  afterEach(() => fake.close());

  it('keeps emoji codes whole and drops the emphasis marks, from queued to done', async () => {
    const { request, origin } = requestIn(fake, 'C1');
    const reporter = reporterFor(fake, origin);
    await reporter.acknowledge?.({ position: 2 });
    await reporter.start({ runId: TURN_ID, task: 'fix' });
    await reporter.settle();
    await reporter.finish(outcome());

    const sent = [...fake.callsTo('chat.postMessage'), ...fake.callsTo('chat.update')]
      .map((call) => call.args.text)
      .filter((text) => typeof text === 'string' && text.startsWith(':'));
    expect(sent).toEqual(
      expect.arrayContaining([
        ":hourglass: Queued (position 2), I'll start when a worker is free.",
        ':hourglass_flowing_sand: Working on it',
        ':white_check_mark: Done',
      ]),
    );
    const status = fake.thread('C1', request.ts).find((message) => message.user === fake.botUserId);
    expect(status?.text).toBe(':white_check_mark: Done');
  });

  it.each([
    [':x: *Stopped: budget used up*', ':x: Stopped: budget used up'],
    [':speech_balloon: *Waiting for your answer*', ':speech_balloon: Waiting for your answer'],
    [':+1: _well_ done ~old~', ':+1: well done old'],
    ['fix snake_case in my_file.ts, a*b*c stays', 'fix snake_case in my_file.ts, a*b*c stays'],
  ])('%s → %s', (mrkdwn, plain) => {
    expect(mrkdwnToPlainText(mrkdwn)).toBe(plain);
  });
});
