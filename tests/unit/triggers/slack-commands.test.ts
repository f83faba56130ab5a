import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buttonActionPayload, messageEvent, reactionAddedEvent } from '../../fakes/slack-server.ts';
import { ALICE, CHANNEL, eventually, type SlackHarness, startSlackHarness, TEAM } from './slack-harness.ts';

describe('the /baton command, the cancel button, `stop` and the cancel reaction', () => {
  let harness: SlackHarness;
  beforeEach(async () => {
    harness = await startSlackHarness({
      config: { repos: [{ name: 'acme/web', url: '/srv/web.git' }], slack: { allowedUsers: [ALICE] } },
    });
  });
  afterEach(async () => {
    await harness.close();
  });

  it('acks /baton with an ephemeral "On it", opens a thread with the task and submits it there', async () => {
    const { slack, intake, eventsUrl } = harness;
    const delivery = await slack.deliverSlashCommand(eventsUrl, {
      command: '/baton',
      text: 'fix the login test',
      user_id: ALICE,
      channel_id: CHANNEL,
      trigger_id: 'trigger-42',
    });

    expect(delivery.status).toBe(200);
    expect(JSON.parse(delivery.body)).toEqual({
      response_type: 'ephemeral',
      text: "On it: I'm starting a thread for this in the channel.",
    });
    const request = await eventually('the submit', () => intake.submits[0]);
    const parent = slack.messages(CHANNEL)[0];
    expect(parent?.text).toBe(`<@${ALICE}> asked: fix the login test`);
    expect(request).toMatchObject({
      origin: {
        kind: 'slack',
        teamId: TEAM,
        channelId: CHANNEL,
        threadTs: parent?.ts,
        messageTs: parent?.ts,
      },
      text: 'fix the login test',
      repo: 'acme/web',
      dedupeKeys: ['slack-command:trigger-42', `slack-msg:${CHANNEL}:${parent?.ts}`],
    });
  });

  it('answers an empty or unauthorised /baton in the ack, with no thread and no run', async () => {
    const { slack, intake, eventsUrl } = harness;
    const empty = await slack.deliverSlashCommand(eventsUrl, {
      command: '/baton',
      text: ' ',
      user_id: ALICE,
      channel_id: CHANNEL,
    });
    const stranger = await slack.deliverSlashCommand(eventsUrl, {
      command: '/baton',
      text: 'delete prod',
      user_id: 'UMALLORY',
      channel_id: CHANNEL,
    });
    await harness.trigger.idle();

    expect(JSON.parse(empty.body).text).toMatch(/^Tell me what to do/);
    expect(JSON.parse(stranger.body)).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.parse(stranger.body).text).toMatch(/^Sorry, I can only take requests/);
    expect(slack.messages(CHANNEL)).toEqual([]);
    expect(intake.submits).toEqual([]);
  });

  it('cancels the run named by the cancel button, and says so when it had already finished', async () => {
    const { slack, intake, eventsUrl } = harness;
    const press = buttonActionPayload({
      actionId: 'baton_cancel',
      value: 'turn-42',
      user: ALICE,
      channel: CHANNEL,
      messageTs: '20.5',
      threadTs: '20.0',
    });
    expect((await slack.deliverAction(eventsUrl, press)).status).toBe(200);
    intake.cancelAnswer = { cancelled: false };
    expect((await slack.deliverAction(eventsUrl, press)).status).toBe(200);
    await harness.trigger.idle();

    expect(intake.cancels).toEqual([
      { target: { turnId: 'turn-42' }, by: ALICE },
      { target: { turnId: 'turn-42' }, by: ALICE },
    ]);
    expect(
      slack.ephemerals.map((ephemeral) => [ephemeral.user, ephemeral.thread_ts, ephemeral.text]),
    ).toEqual([[ALICE, '20.0', 'That run has already finished.']]);
  });

  it('cancels the thread run on a reply that is exactly "stop", without submitting it', async () => {
    const { slack, intake, store, eventsUrl } = harness;
    const threadKey = `slack:${TEAM}:${CHANNEL}:21.0`;
    store.threads.set(threadKey, { id: 'thread-21', repo: 'acme/web' });
    await slack.deliverEvent(
      eventsUrl,
      messageEvent({ user: ALICE, text: 'Stop', channel: CHANNEL, ts: '21.4', threadTs: '21.0' }),
    );
    await slack.deliverEvent(
      eventsUrl,
      messageEvent({ user: ALICE, text: 'stop using tabs', channel: CHANNEL, ts: '21.5', threadTs: '21.0' }),
    );

    expect(intake.cancels).toEqual([{ target: { threadKey }, by: ALICE }]);
    expect(intake.submits.map((request) => request.text)).toEqual(['stop using tabs']);
  });

  it('cancels on the configured reaction by an allowed user, and ignores other reactions and users', async () => {
    const { slack, intake, eventsUrl } = harness;
    const react = (user: string, reaction: string) =>
      reactionAddedEvent({ user, reaction, channel: CHANNEL, ts: '22.0', itemUser: ALICE });
    await slack.deliverEvent(eventsUrl, react(ALICE, 'thumbsup'));
    await slack.deliverEvent(eventsUrl, react('UMALLORY', 'octagonal_sign'));
    await slack.deliverEvent(eventsUrl, react(ALICE, 'octagonal_sign'));

    expect(intake.cancels).toEqual([{ target: { threadKey: `slack:${TEAM}:${CHANNEL}:22.0` }, by: ALICE }]);
    expect(harness.metrics.eventsReceived.value({ source: 'slack', type: 'reaction_added' })).toBe(3);
  });
});
