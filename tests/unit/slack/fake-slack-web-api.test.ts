import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackErrorCode } from '../../../src/integrations/slack/slack-errors.ts';
import { type FakeSlack, startFakeSlack } from '../../fakes/slack-server.ts';
import { clientFor } from './slack-harness.ts';

describe('fake Slack Web API, driven by the real WebClient', () => {
  let fake: FakeSlack;
  let client: WebClient;
  beforeAll(async () => {
    fake = await startFakeSlack();
    client = clientFor(fake);
  });
  afterAll(() => fake.close());

  it('answers auth.test with the bot identity and rejects a wrong token', async () => {
    const auth = await client.auth.test();
    expect(auth).toMatchObject({
      ok: true,
      user_id: fake.botUserId,
      bot_id: fake.botId,
      team_id: fake.teamId,
    });
    expect(fake.callsTo('auth.test')[0]?.token).toBe(fake.botToken);

    const stranger = clientFor(fake, 'xoxb-not-the-right-token');
    const error = await stranger.auth.test().catch((caught: unknown) => caught);
    expect(slackErrorCode(error)).toBe('invalid_auth');
  });

  it('threads a reply under its parent, edits it in place and keeps the edit history', async () => {
    const parent = fake.userSays({ channel: 'C1', user: 'U1', text: 'please fix the build' });
    const posted = await client.chat.postMessage({ channel: 'C1', thread_ts: parent.ts, text: 'on it' });
    expect(posted.ts).toBeDefined();
    await client.chat.update({ channel: 'C1', ts: posted.ts ?? '', text: 'done' });

    const thread = fake.thread('C1', parent.ts);
    expect(thread.map((message) => message.text)).toEqual(['please fix the build', 'done']);
    expect(thread[1]).toMatchObject({ thread_ts: parent.ts, user: fake.botUserId });
    expect(thread[1]?.edits.map((edit) => edit.text)).toEqual(['on it']);

    const replies = await client.conversations.replies({ channel: 'C1', ts: parent.ts });
    expect(replies.messages?.map((message) => message.text)).toEqual(['please fix the build', 'done']);
  });

  it('refuses a reply threaded under a reply, a message over the limits and an unknown method', async () => {
    const parent = fake.userSays({ channel: 'C2', user: 'U1', text: 'hello' });
    const reply = fake.userSays({ channel: 'C2', user: 'U2', text: 'reply', threadTs: parent.ts });
    const underReply = await client.chat
      .postMessage({ channel: 'C2', thread_ts: reply.ts, text: 'wrong parent' })
      .catch((caught: unknown) => caught);
    expect(slackErrorCode(underReply)).toBe('fake_thread_ts_is_a_reply');

    const tooLong = await client.chat
      .postMessage({
        channel: 'C2',
        text: 'x',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3001) } }],
      })
      .catch((caught: unknown) => caught);
    expect(slackErrorCode(tooLong)).toBe('invalid_blocks');

    const unknown = await client.apiCall('chat.teleport', {}).catch((caught: unknown) => caught);
    expect(slackErrorCode(unknown)).toBe('unknown_method');
  });

  it('answers already_reacted the second time and no_reaction for a missing one', async () => {
    const message = fake.userSays({ channel: 'C3', user: 'U1', text: 'hi' });
    await client.reactions.add({ channel: 'C3', timestamp: message.ts, name: 'eyes' });
    const twice = await client.reactions
      .add({ channel: 'C3', timestamp: message.ts, name: 'eyes' })
      .catch((caught: unknown) => caught);
    expect(slackErrorCode(twice)).toBe('already_reacted');
    expect(fake.reactions('C3', message.ts)).toEqual(['eyes']);
    const missing = await client.reactions
      .remove({ channel: 'C3', timestamp: message.ts, name: 'x' })
      .catch((caught: unknown) => caught);
    expect(slackErrorCode(missing)).toBe('no_reaction');
  });

  it('answers 429 with Retry-After for a rate-limited method', async () => {
    fake.rateLimit('chat.postEphemeral', { times: 1, retryAfterSeconds: 7 });
    const rejecting = new WebClient(fake.botToken, {
      slackApiUrl: fake.apiUrl,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
    });
    const error = await rejecting.chat
      .postEphemeral({ channel: 'C4', user: 'U1', text: 'only you' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 });
    const second = await rejecting.chat.postEphemeral({ channel: 'C4', user: 'U1', text: 'only you' });
    expect(second.ok).toBe(true);
    expect(fake.callsTo('chat.postEphemeral').map((call) => call.status)).toEqual([429, 200]);
  });

  it('takes a files upload v2 (URL, bytes, complete) into the thread', async () => {
    const parent = fake.userSays({ channel: 'C5', user: 'U1', text: 'long output please' });
    await client.filesUploadV2({
      channel_id: 'C5',
      thread_ts: parent.ts,
      content: 'line\n'.repeat(1000),
      filename: 'output.txt',
      title: 'Output',
    });
    const [file] = fake.files();
    expect(file).toMatchObject({
      filename: 'output.txt',
      title: 'Output',
      channel: 'C5',
      thread_ts: parent.ts,
    });
    expect(file?.content).toBe('line\n'.repeat(1000));
    expect(fake.calls.map((call) => call.method).slice(-2)).toEqual([
      'files.getUploadURLExternal',
      'files.completeUploadExternal',
    ]);
  });

  it('serves users, user groups and the assistant status', async () => {
    fake.addUser({ id: 'U9', name: 'ada', realName: 'Ada Lovelace' });
    fake.addUserGroup('S1', ['U9', 'U8']);
    expect((await client.users.info({ user: 'U9' })).user).toMatchObject({
      id: 'U9',
      real_name: 'Ada Lovelace',
    });
    expect((await client.usergroups.users.list({ usergroup: 'S1' })).users).toEqual(['U9', 'U8']);
    await client.assistant.threads.setStatus({ channel_id: 'C6', thread_ts: '1.2', status: 'is thinking…' });
    expect(fake.statuses).toEqual([{ channel_id: 'C6', thread_ts: '1.2', status: 'is thinking…' }]);
  });
});
