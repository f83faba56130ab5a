import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appMentionEvent } from '../../fakes/slack-server.ts';
import { ALICE, CHANNEL, eventually, type SlackHarness, startSlackHarness, TEAM } from './slack-harness.ts';

describe('Slack over Socket Mode (app token, no signing secret)', () => {
  let harness: SlackHarness;
  beforeEach(async () => {
    harness = await startSlackHarness({ mode: 'socket' });
  });
  afterEach(async () => {
    await harness.close();
  });

  it('connects through apps.connections.open on the configured API URL and turns a mention into the same submit', async () => {
    const { slack, intake, trigger } = harness;
    expect(trigger.mode).toBe('socket');
    expect(trigger.requestListener).toBeUndefined();
    await eventually('the socket connection', () => slack.socketConnectionCount() === 1);
    expect(slack.callsTo('apps.connections.open').map((call) => call.token)).toEqual([slack.appToken]);

    const envelope = slack.envelope(
      appMentionEvent({
        user: ALICE,
        text: `<@${slack.botUserId}> fix the flaky login test`,
        channel: CHANNEL,
        ts: '30.0',
      }),
      { eventId: 'EvSOCKET1' },
    );
    const ack = await slack.socketDeliver(envelope);

    expect(ack.envelope_id).toBeTruthy();
    const request = await eventually('the submit', () => intake.submits[0]);
    expect(request).toMatchObject({
      origin: {
        kind: 'slack',
        teamId: TEAM,
        channelId: CHANNEL,
        threadTs: '30.0',
        messageTs: '30.0',
        userId: ALICE,
      },
      text: 'fix the flaky login test',
      repo: 'acme/web',
      dedupeKeys: ['slack-event:EvSOCKET1', `slack-msg:${CHANNEL}:30.0`],
    });
    await slack.socketDeliver(envelope, { retryAttempt: 1, retryReason: 'timeout' });
    // The ack comes after the listeners ran, so the retry has been seen as a duplicate by now.
    expect(harness.metrics.duplicates.value({ source: 'slack' })).toBe(1);
    expect(intake.submits).toHaveLength(1);
  });
});
