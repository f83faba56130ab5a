import type { MessageChangedEvent } from '@slack/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appMentionEvent, messageEvent } from '../../fakes/slack-server.ts';
import { ALICE, CHANNEL, eventually, type SlackHarness, startSlackHarness, TEAM } from './slack-harness.ts';

describe('the ack does not wait for afterSubmit', () => {
  it('acks 200 while the status message work is still pending', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const harness = await startSlackHarness({ afterSubmit: () => gate });
    try {
      const mention = appMentionEvent({ user: ALICE, text: '<@UBATON> go', channel: CHANNEL, ts: '0.5' });
      const delivery = await harness.slack.deliverEvent(harness.eventsUrl, mention);
      expect(delivery.status).toBe(200);
      await eventually('afterSubmit to start', () => harness.afterSubmits.length === 1);
    } finally {
      release();
      await harness.close();
    }
  });
});

describe('Slack events over HTTP', () => {
  let harness: SlackHarness;
  beforeEach(async () => {
    harness = await startSlackHarness();
  });
  afterEach(async () => {
    await harness.close();
  });

  it('turns a signed app_mention into one submit, acks 200, then calls afterSubmit', async () => {
    const { slack, intake } = harness;
    const mention = appMentionEvent({
      user: ALICE,
      text: `<@${slack.botUserId}> fix the flaky login test`,
      channel: CHANNEL,
      ts: '1700000000.000100',
    });
    const delivery = await slack.deliverEvent(harness.eventsUrl, mention, { eventId: 'Ev0001' });

    expect(delivery.status).toBe(200);
    expect(intake.submits).toHaveLength(1);
    const request = intake.submits[0];
    expect(request).toMatchObject({
      origin: {
        kind: 'slack',
        teamId: TEAM,
        channelId: CHANNEL,
        threadTs: '1700000000.000100',
        messageTs: '1700000000.000100',
        userId: ALICE,
      },
      requester: { id: ALICE },
      text: 'fix the flaky login test',
      repo: 'acme/web',
      dedupeKeys: ['slack-event:Ev0001', `slack-msg:${CHANNEL}:1700000000.000100`],
    });
    expect(Number.isNaN(Date.parse(request?.receivedAt ?? ''))).toBe(false);
    await harness.trigger.idle();
    expect(harness.afterSubmits).toEqual([
      { request, result: { type: 'queued', turnId: 'turn-1', threadId: 'thread-1', position: 1 } },
    ]);
  });

  it('acks a retry and the same message as a `message` event without a second submit', async () => {
    const { slack, intake } = harness;
    const text = `<@${slack.botUserId}> bump the lodash version`;
    const ts = '1700000000.000200';
    const mention = appMentionEvent({ user: ALICE, text, channel: CHANNEL, ts });
    const first = await slack.deliverEvent(harness.eventsUrl, mention, { eventId: 'Ev0002' });
    const retry = await slack.deliverEvent(harness.eventsUrl, mention, {
      eventId: 'Ev0002',
      retryNum: 1,
      retryReason: 'http_timeout',
    });
    const asMessage = await slack.deliverEvent(
      harness.eventsUrl,
      messageEvent({ user: ALICE, text, channel: CHANNEL, ts, channelType: 'im' }),
      { eventId: 'Ev0003' },
    );

    expect([first.status, retry.status, asMessage.status]).toEqual([200, 200, 200]);
    expect(intake.submits).toHaveLength(1);
    expect(harness.metrics.duplicates.value({ source: 'slack' })).toBe(2);
  });

  it('answers 500 when the intake fails, so Slack redelivers, and takes the redelivery', async () => {
    const { slack, intake } = harness;
    intake.failNext = new Error('connection terminated');
    const mention = appMentionEvent({
      user: ALICE,
      text: '<@UBATON> tidy the imports',
      channel: CHANNEL,
      ts: '1.5',
    });
    const first = await slack.deliverEvent(harness.eventsUrl, mention, { eventId: 'EvFAIL' });
    const retry = await slack.deliverEvent(harness.eventsUrl, mention, { eventId: 'EvFAIL', retryNum: 1 });

    expect([first.status, retry.status]).toEqual([500, 200]);
    expect(first.body).toBe('');
    expect(intake.submits.map((request) => request.text)).toEqual(['tidy the imports']);
  });

  it.each([
    ['a bad signature', { signature: 'v0=0000000000000000000000000000000000000000000000000000000000000000' }],
    ['a stale timestamp (six minutes old)', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
    ['a timestamp six minutes in the future', { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 }],
    // Signed with the real secret over the very header sent: only the integer form is Slack's.
    ['a fractional timestamp', { timestamp: `${Math.floor(Date.now() / 1000)}.5` }],
    ['a timestamp with trailing letters', { timestamp: `${Math.floor(Date.now() / 1000)}abc` }],
    ['a timestamp with a leading space', { timestamp: ` ${Math.floor(Date.now() / 1000)}` }],
    ['an exponent timestamp', { timestamp: `${Math.floor(Date.now() / 1000) / 1e9}e9` }],
    ['an empty timestamp', { timestamp: '' }],
  ])('refuses %s with 401 and no side effect', async (_label, signing) => {
    const { slack, intake } = harness;
    const mention = appMentionEvent({
      user: ALICE,
      text: `<@${slack.botUserId}> hi`,
      channel: CHANNEL,
      ts: '1.1',
    });
    const delivery = await slack.deliverEvent(harness.eventsUrl, mention, signing);

    expect(delivery.status).toBe(401);
    await harness.trigger.idle();
    expect(intake.submits).toEqual([]);
    expect(slack.calls.filter((call) => call.method.startsWith('chat.'))).toEqual([]);
  });

  it('answers a correctly signed but malformed JSON body with 400 and no submit', async () => {
    const { slack, intake } = harness;
    const body = '{"type":"event_callback","event":';
    const response = await fetch(harness.eventsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...slack.signRequest(body) },
      body,
    });

    expect(response.status).toBe(400);
    expect(intake.submits).toEqual([]);
  });

  it('answers a body over the gateway limit (1 MB) with 413 before Bolt sees it', async () => {
    const { slack, intake } = harness;
    const body = JSON.stringify({ type: 'event_callback', padding: 'x'.repeat(1_100_000) });
    const response = await fetch(harness.eventsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...slack.signRequest(body) },
      body,
    });

    expect(response.status).toBe(413);
    expect(intake.submits).toEqual([]);
  });

  it('refuses a message over 20,000 characters politely, once, without a run', async () => {
    const { slack, intake } = harness;
    const mention = appMentionEvent({
      user: ALICE,
      text: `<@${slack.botUserId}> ${'x'.repeat(20_001)}`,
      channel: CHANNEL,
      ts: '1700000000.000300',
    });
    const delivery = await slack.deliverEvent(harness.eventsUrl, mention);

    expect(delivery.status).toBe(200);
    const refusal = await eventually('the refusal', () => slack.ephemerals[0]);
    expect(refusal).toMatchObject({ channel: CHANNEL, user: ALICE });
    expect(refusal.text).toContain('20,001 characters');
    expect(intake.submits).toEqual([]);
    expect(harness.metrics.refusals.value({ source: 'slack', reason: 'too_long' })).toBe(1);
  });

  it('takes a DM as a request and ignores bot posts, edits and unaddressed channel chatter', async () => {
    const { slack, intake } = harness;
    const dm = messageEvent({
      user: ALICE,
      text: 'rename the config loader',
      channel: 'D0ALICE',
      ts: '2.1',
      channelType: 'im',
    });
    const fromBot = {
      ...messageEvent({ user: 'UOTHERBOT', text: 'beep', channel: 'D0ALICE', ts: '2.2', channelType: 'im' }),
      bot_id: 'B0OTHER',
    };
    const chatter = messageEvent({ user: ALICE, text: 'lunch?', channel: CHANNEL, ts: '2.3' });
    const original = messageEvent({
      user: ALICE,
      text: 'rename the config loader',
      channel: 'D0ALICE',
      ts: '2.1',
      channelType: 'im',
    });
    const edit: MessageChangedEvent = {
      type: 'message',
      subtype: 'message_changed',
      channel: 'D0ALICE',
      channel_type: 'im',
      ts: '2.4',
      event_ts: '2.4',
      hidden: true,
      message: { ...original, text: 'rename it' },
      previous_message: original,
    };
    for (const event of [dm, fromBot, chatter]) {
      expect((await slack.deliverEvent(harness.eventsUrl, event)).status).toBe(200);
    }
    expect((await slack.deliverEvent(harness.eventsUrl, edit)).status).toBe(200);

    expect(intake.submits.map((request) => [request.origin, request.text])).toEqual([
      [
        {
          kind: 'slack',
          teamId: TEAM,
          channelId: 'D0ALICE',
          threadTs: '2.1',
          messageTs: '2.1',
          userId: ALICE,
        },
        'rename the config loader',
      ],
    ]);
    expect(harness.metrics.eventsReceived.value({ source: 'slack', type: 'message' })).toBe(4);
  });

  it('turns a reply in a thread Baton works in into a request for the same thread and repo', async () => {
    const { slack, intake, store } = harness;
    store.threads.set(`slack:${TEAM}:${CHANNEL}:3.0`, { id: 'thread-7', repo: 'acme/api' });
    const reply = messageEvent({
      user: ALICE,
      text: 'also update the docs',
      channel: CHANNEL,
      ts: '3.5',
      threadTs: '3.0',
    });
    const elsewhere = messageEvent({
      user: ALICE,
      text: 'unrelated',
      channel: CHANNEL,
      ts: '4.5',
      threadTs: '4.0',
    });
    await slack.deliverEvent(harness.eventsUrl, reply);
    await slack.deliverEvent(harness.eventsUrl, elsewhere);

    expect(intake.submits).toHaveLength(1);
    expect(intake.submits[0]).toMatchObject({
      origin: { channelId: CHANNEL, threadTs: '3.0', messageTs: '3.5' },
      text: 'also update the docs',
      repo: 'acme/api',
    });
  });
});
