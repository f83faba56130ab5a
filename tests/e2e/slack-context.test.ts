import { afterEach, describe, expect, it } from 'vitest';
import { CHANNEL, createServerHarness, REPO, type ServerHarness, waitFor } from './server-harness.ts';

describe('context gathered for a Slack request', () => {
  let harness: ServerHarness;
  afterEach(async () => harness?.close());

  it('brings in the Linear issue a Slack request names and earlier thread messages, fenced as untrusted', async () => {
    harness = await createServerHarness({ linear: true });
    harness.linear?.addIssue({
      id: 'issue-eng-321',
      identifier: 'ENG-321',
      title: 'add() subtracts instead of adding',
      description: 'Seen in the nightly build: add(2, 3) returns -1.',
      teamKey: 'ENG',
      labels: [],
    });
    const parent = harness.slack.userSays({
      channel: CHANNEL,
      user: 'U0BOB',
      text: 'the nightly is red since Tuesday',
    });
    harness.model.enqueue({ type: 'text', content: 'Looked; nothing to change yet.' });

    const { ts } = await harness.mention(`please look at ENG-321 repo:${REPO}`, { threadTs: parent.ts });
    await waitFor('the run to end', () =>
      harness.slack.reactions(CHANNEL, ts).some((name) => name !== 'eyes'),
    );

    const [request] = harness.model.modelRequests();
    const firstMessage = ((request?.body.messages ?? []) as { role: string; content: string }[]).find(
      (message) => message.role === 'user',
    )?.content;
    expect(firstMessage).toMatch(/<untrusted source="[^"]*ENG-321[^"]*">[\s\S]*add\(2, 3\) returns -1/);
    expect(firstMessage).toMatch(/<untrusted source="[^"]*">\s*the nightly is red since Tuesday/);
    expect(firstMessage).toContain('Task from');
  });
});
