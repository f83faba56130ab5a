import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../fakes/openai-server.ts';
import { CHANNEL, createServerHarness, REPO, type ServerHarness, waitFor } from './server-harness.ts';

const messagesOf = (request: RecordedRequest) =>
  (request.body.messages ?? []) as { role: string; content: string | null }[];

describe('a question in the thread, answered there', () => {
  let harness: ServerHarness;
  afterEach(async () => harness?.close());

  it('posts the question, waits, and continues the same conversation when the requester answers', async () => {
    harness = await createServerHarness();
    harness.model.enqueue(
      { type: 'tool_calls', calls: [{ name: 'read_file', arguments: { path: 'src/math.js' } }] },
      {
        type: 'tool_calls',
        calls: [{ name: 'ask', arguments: { question: 'Should double() also be fixed?' } }],
      },
      (request) => {
        // The answer's turn: the earlier conversation, unchanged, then the answer.
        const messages = messagesOf(request);
        expect(JSON.stringify(messages)).toContain('Should double() also be fixed?');
        expect(JSON.stringify(messages)).toContain('return a - b'); // the read_file result from the first turn
        expect(messages.at(-1)?.content).toBe(
          'The requester answered your question:\n\nyes, only add() needs the fix',
        );
        return {
          type: 'tool_calls',
          calls: [
            {
              name: 'edit_file',
              arguments: { path: 'src/math.js', old_string: 'return a - b;', new_string: 'return a + b;' },
            },
          ],
        };
      },
      {
        type: 'tool_calls',
        calls: [
          {
            name: 'finish',
            arguments: { summary: 'Fixed add().', pr_title: 'Fix add()', pr_body: 'Fixed.' },
          },
        ],
      },
    );

    const { ts } = await harness.mention(`fix the add test repo:${REPO}`);
    await waitFor('the question in the thread', () =>
      harness.botMessages(ts).some((message) => message.text.includes('Should double() also be fixed?')),
    );
    await waitFor('the first turn to wait', async () =>
      (await harness.runs()).some((run) => run.turn.status === 'waiting'),
    );
    expect(harness.model.modelRequests()).toHaveLength(2);

    const answer = await harness.threadReply(ts, 'yes, only add() needs the fix');
    // The answer is the request of the second turn: its reaction marks the answer message.
    await waitFor('the answer turn to finish', () =>
      harness.slack.reactions(CHANNEL, answer.ts).includes('white_check_mark'),
    );
    expect(harness.botMessages(ts).filter((message) => message.text.includes('Fixed add().'))).toHaveLength(
      1,
    );

    expect(harness.model.modelRequests()).toHaveLength(4);
    const [, askRequest, answerRequest] = harness.model.modelRequests();
    // The answer turn extends the first turn's conversation: the prompt prefix still matches.
    const before = JSON.stringify(messagesOf(askRequest as RecordedRequest));
    expect(JSON.stringify(messagesOf(answerRequest as RecordedRequest)).startsWith(before.slice(0, -1))).toBe(
      true,
    );
    const branch = harness.repo?.git('for-each-ref', '--format=%(refname:short)', 'refs/heads/baton/') ?? '';
    expect(harness.repo?.git('diff', `main..${branch}`)).toContain('+  return a + b;');
  });
});
