import { afterEach, describe, expect, it } from 'vitest';
import {
  CHANNEL,
  createServerHarness,
  HOST_SECRETS,
  REPO,
  type ServerHarness,
  waitFor,
} from './server-harness.ts';

const finish = {
  name: 'finish',
  arguments: { summary: 'add() adds now.', pr_title: 'Fix add()', pr_body: 'Fixed add().' },
};
const readMath = { name: 'read_file', arguments: { path: 'src/math.js' } };
const fixAdd = {
  name: 'edit_file',
  arguments: { path: 'src/math.js', old_string: 'return a - b;', new_string: 'return a + b;' },
};

describe('Slack front door, end to end (baton start in-process, fake Slack and model)', () => {
  let harness: ServerHarness;
  afterEach(async () => harness?.close());

  it('answers a mention in its thread: 👀, a status message edited as the agent works, one final reply', async () => {
    harness = await createServerHarness();
    harness.model.enqueue(
      {
        type: 'tool_calls',
        calls: [{ name: 'todo', arguments: { items: [{ text: 'Fix add()', status: 'in_progress' }] } }],
      },
      // A slow model call: the coalesced status edit with the plan goes out meanwhile.
      { type: 'delay', ms: 3_500, reply: { type: 'tool_calls', calls: [readMath] } },
      { type: 'tool_calls', calls: [fixAdd] },
      { type: 'tool_calls', calls: [finish] },
    );

    const { ts, status } = await harness.mention(`please fix the add test repo:${REPO}`);
    expect(status).toBe(200);

    await waitFor('the final reaction', () =>
      harness.slack.reactions(CHANNEL, ts).includes('white_check_mark'),
    );
    const eyes = harness.slack
      .callsTo('reactions.add')
      .filter((call) => call.args.name === 'eyes' && call.args.timestamp === ts);
    expect(eyes.length).toBeGreaterThan(0);
    const messages = harness.botMessages(ts);
    const [statusMessage, ...rest] = messages;
    expect(statusMessage?.edits).toBeGreaterThan(0);
    const statusHistory = JSON.stringify(
      harness.slack.messages(CHANNEL).find((message) => message.ts === statusMessage?.ts)?.edits,
    );
    expect(statusHistory).toMatch(/Fix add\(\)/); // the plan reached the status message while it ran
    const finals = rest.filter((message) => message.text.includes('add() adds now.'));
    expect(finals).toHaveLength(1);
    expect(finals[0]?.text).toMatch(/baton\/[0-9a-f]{12}/);
    // Every bot message is in the mention's thread.
    for (const message of harness.slack
      .messages(CHANNEL)
      .filter((entry) => entry.user === harness.slack.botUserId)) {
      expect(message.thread_ts).toBe(ts);
    }
    const branch = harness.repo?.git('for-each-ref', '--format=%(refname:short)', 'refs/heads/baton/') ?? '';
    expect(harness.repo?.git('diff', `main..${branch}`)).toContain('+  return a + b;');
    const everything = JSON.stringify(harness.slack.calls) + harness.logLines().join('\n');
    for (const secret of Object.values(HOST_SECRETS)) expect(everything).not.toContain(secret);
  });
});
