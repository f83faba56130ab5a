import { afterEach, describe, expect, it } from 'vitest';
import { appMentionEvent, startFakeSlack } from '../../fakes/slack-server.ts';
import { ALICE, CHANNEL, type SlackHarness, startSlackHarness } from './slack-harness.ts';

const MALLORY = 'UMALLORY';
const BOB = 'UBOB';

describe('who may ask Baton in Slack', () => {
  let harness: SlackHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  const mention = (user: string, ts: string, text = 'fix the build', threadTs?: string) =>
    appMentionEvent({
      user,
      text: `<@UBATON> ${text}`,
      channel: CHANNEL,
      ts,
      ...(threadTs ? { threadTs } : {}),
    });

  it('refuses a user outside the allowlist once per thread, with no run, counted in metrics', async () => {
    harness = await startSlackHarness({
      config: { repos: [{ name: 'acme/web', url: '/srv/web.git' }], slack: { allowedUsers: [ALICE] } },
    });
    const { slack, intake, trigger, eventsUrl } = harness;

    expect((await slack.deliverEvent(eventsUrl, mention(MALLORY, '5.0'))).status).toBe(200);
    expect((await slack.deliverEvent(eventsUrl, mention(MALLORY, '5.1', 'please', '5.0'))).status).toBe(200);
    await trigger.idle();

    expect(intake.submits).toEqual([]);
    expect(slack.ephemerals).toHaveLength(1);
    expect(slack.ephemerals[0]).toMatchObject({ channel: CHANNEL, user: MALLORY });
    expect(slack.ephemerals[0]?.text).toMatch(/^Sorry, I can only take requests/);
    expect(harness.metrics.refusals.value({ source: 'slack', reason: 'unauthorised' })).toBe(2);

    await slack.deliverEvent(eventsUrl, mention(ALICE, '6.0'));
    expect(intake.submits.map((request) => request.requester.id)).toEqual([ALICE]);
  });

  it('lets members of an allowed user group in (usergroups.users.list, cached) and keeps others out', async () => {
    const slack = await startFakeSlack({ teamId: 'T0FAKE' });
    slack.addUserGroup('S0DEVS', [BOB]);
    harness = await startSlackHarness({
      slack,
      config: {
        repos: [{ name: 'acme/web', url: '/srv/web.git' }],
        slack: { allowedUserGroups: ['S0DEVS'] },
      },
    });
    try {
      await slack.deliverEvent(harness.eventsUrl, mention(BOB, '7.0'));
      await slack.deliverEvent(harness.eventsUrl, mention(BOB, '7.1'));
      await slack.deliverEvent(harness.eventsUrl, mention(MALLORY, '7.2'));
      await harness.trigger.idle();

      expect(harness.intake.submits.map((request) => request.requester.id)).toEqual([BOB, BOB]);
      // Warmed at start, then served from the cache on the ack path.
      expect(slack.callsTo('usergroups.users.list')).toHaveLength(1);
      expect(slack.ephemerals.map((ephemeral) => ephemeral.user)).toEqual([MALLORY]);
    } finally {
      await harness.close();
      harness = undefined;
      await slack.close();
    }
  });

  it('refuses requests from a channel or team outside the allowlists', async () => {
    harness = await startSlackHarness({
      config: {
        repos: [{ name: 'acme/web', url: '/srv/web.git' }],
        slack: { allowedChannels: ['C0BATON'], allowedTeams: ['T0FAKE'] },
      },
    });
    const { slack, intake, eventsUrl } = harness;
    await slack.deliverEvent(eventsUrl, mention(ALICE, '8.0'));
    await slack.deliverEvent(
      eventsUrl,
      appMentionEvent({ user: ALICE, text: '<@UBATON> go', channel: 'C0BATON', ts: '8.1' }),
      { teamId: 'T0OTHER' },
    );
    await slack.deliverEvent(
      eventsUrl,
      appMentionEvent({ user: ALICE, text: '<@UBATON> go', channel: 'C0BATON', ts: '8.2' }),
    );

    expect(intake.submits.map((request) => request.origin)).toMatchObject([
      { channelId: 'C0BATON', messageTs: '8.2' },
    ]);
    expect(harness.metrics.refusals.value({ source: 'slack', reason: 'unauthorised' })).toBe(2);
  });
});
