import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveRepo } from '../../../src/triggers/slack/index.ts';
import { appMentionEvent, buttonActionPayload } from '../../fakes/slack-server.ts';
import { ALICE, CHANNEL, eventually, type SlackHarness, startSlackHarness } from './slack-harness.ts';

const repos = [
  { name: 'acme/web', url: 'https://github.com/acme/web.git' },
  { name: 'acme/api', url: 'https://github.com/acme/api.git' },
  { name: 'tools', url: 'https://github.com/acme/internal-tools' },
];

describe('which repository a Slack request is for', () => {
  let harness: SlackHarness;
  beforeEach(async () => {
    harness = await startSlackHarness({ config: { repos, slack: { channelRepos: { C0API: 'acme/api' } } } });
  });
  afterEach(async () => {
    await harness.close();
  });

  const mention = (text: string, ts: string, channel = CHANNEL) =>
    appMentionEvent({ user: ALICE, text: `<@UBATON> ${text}`, channel, ts });

  it('uses repo:owner/name or a GitHub URL named in the message, as the repo hint', async () => {
    const { slack, intake, eventsUrl } = harness;
    await slack.deliverEvent(eventsUrl, mention('fix the header repo:acme/api', '10.0'));
    await slack.deliverEvent(
      eventsUrl,
      mention('see <https://github.com/acme/internal-tools/issues/3|#3>', '10.1'),
    );

    expect(intake.submits.map((request) => [request.repo, request.repoHint])).toEqual([
      ['acme/api', 'acme/api'],
      ['tools', 'tools'],
    ]);
  });

  it("falls back to the channel's repository", async () => {
    const { slack, intake, eventsUrl } = harness;
    await slack.deliverEvent(eventsUrl, mention('fix the 500 on /users', '11.0', 'C0API'));

    expect(intake.submits.map((request) => [request.repo, request.repoHint])).toEqual([
      ['acme/api', undefined],
    ]);
  });

  it('replies once, listing the allowed repositories, when the named one is not configured', async () => {
    const { slack, intake, eventsUrl } = harness;
    await slack.deliverEvent(eventsUrl, mention('upgrade react repo:evil/corp', '12.0'));

    const reply = await eventually('the reply', () => slack.thread(CHANNEL, '12.0')[0]);
    expect(reply.text).toBe(
      "I'm not set up to work on evil/corp. I can work on: acme/web, acme/api, tools. Name one with repo:owner/name.",
    );
    expect(intake.submits).toEqual([]);
    expect(harness.metrics.refusals.value({ source: 'slack', reason: 'unknown_repo' })).toBe(1);
  });

  it('asks with a button per repository, starts nothing, and submits the original request on a pick', async () => {
    const { slack, intake, eventsUrl } = harness;
    expect((await slack.deliverEvent(eventsUrl, mention('add a dark mode', '13.0'))).status).toBe(200);
    const ask = await eventually('the question', () => slack.thread(CHANNEL, '13.0')[0]);
    expect(intake.submits).toEqual([]);
    expect(ask.text).toBe('Which repository should I work in?');
    const buttons = (ask.blocks ?? []).flatMap((block) => {
      const accessory = (block as { accessory?: { action_id: string; value: string } }).accessory;
      return accessory ? [accessory] : [];
    });
    expect(buttons.map((button) => [button.action_id, JSON.parse(button.value).repo])).toEqual([
      ['baton_pick_repo', 'acme/web'],
      ['baton_pick_repo', 'acme/api'],
      ['baton_pick_repo', 'tools'],
    ]);

    const pick = buttons[1]?.value ?? '';
    const press = (user: string) =>
      buttonActionPayload({
        actionId: 'baton_pick_repo',
        value: pick,
        user,
        channel: CHANNEL,
        messageTs: ask.ts,
        threadTs: '13.0',
      });
    expect((await slack.deliverAction(eventsUrl, press('UMALLORY'))).status).toBe(200);
    expect((await slack.deliverAction(eventsUrl, press(ALICE))).status).toBe(200);
    expect((await slack.deliverAction(eventsUrl, press(ALICE))).status).toBe(200);

    expect(intake.submits).toHaveLength(1);
    expect(intake.submits[0]).toMatchObject({
      origin: { channelId: CHANNEL, threadTs: '13.0', messageTs: '13.0', userId: ALICE },
      text: 'add a dark mode',
      repo: 'acme/api',
      dedupeKeys: [`slack-msg:${CHANNEL}:13.0`],
    });
    await harness.trigger.idle();
    expect(slack.ephemerals.map((ephemeral) => [ephemeral.user, ephemeral.text])).toEqual([
      ['UMALLORY', `Only <@${ALICE}> can choose the repository for this request.`],
    ]);
    expect(slack.thread(CHANNEL, '13.0')[0]?.text).toBe(`Working in *acme/api* (picked by <@${ALICE}>).`);
  });
});

describe('resolveRepo', () => {
  it('takes the only configured repository when nothing is named', () => {
    expect(
      resolveRepo({
        text: 'fix it',
        channelId: 'C1',
        repos: repos.slice(0, 1).map((repo) => ({ ...repo, defaultBranch: 'main', protectedBranches: [] })),
        channelRepos: {},
      }),
    ).toEqual({
      type: 'resolved',
      repo: 'acme/web',
    });
  });

  it('says so when no repository is configured at all', () => {
    expect(resolveRepo({ text: 'repo:acme/web', channelId: 'C1', repos: [], channelRepos: {} })).toEqual({
      type: 'none',
    });
  });
});
