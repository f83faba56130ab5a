import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeReply } from '../fakes/openai-server.ts';
import { appMentionEvent, type FakeSlackMessage, messageEvent } from '../fakes/slack-server.ts';
import { CHANNEL, createServerHarness, REPO, type ServerHarness, USER, waitFor } from './server-harness.ts';

const finish = (summary: string, title = 'Fix add()') => ({
  name: 'finish',
  arguments: { summary, pr_title: title, pr_body: summary },
});
const readMath = { name: 'read_file', arguments: { path: 'src/math.js' } };
const fixAdd = {
  name: 'edit_file',
  arguments: { path: 'src/math.js', old_string: 'return a - b;', new_string: 'return a + b;' },
};
const addTriple = {
  name: 'edit_file',
  arguments: {
    path: 'src/math.js',
    old_string: 'export function double(a) {',
    new_string: 'export function triple(a) {\n  return a * 3;\n}\n\nexport function double(a) {',
  },
};
const calls = (...list: { name: string; arguments: unknown }[]): FakeReply => ({
  type: 'tool_calls',
  calls: list,
});

/** Host processes whose command line holds `token` (the sandboxed `sh -c` and the bwrap around it). */
function processesWith(token: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(token)) found.push(Number(entry));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return found;
}

/** The user messages (text) a chat-completions request carried. */
function userTexts(body: Record<string, unknown>): string[] {
  const messages = Array.isArray(body.messages)
    ? (body.messages as { role?: unknown; content?: unknown }[])
    : [];
  return messages
    .filter((message) => message.role === 'user')
    .map((message) =>
      typeof message.content === 'string' ? message.content : JSON.stringify(message.content),
    );
}

function statusMessageOf(harness: ServerHarness, threadTs: string): FakeSlackMessage {
  const first = harness.botMessages(threadTs)[0];
  const message = harness.slack.messages(CHANNEL).find((candidate) => candidate.ts === first?.ts);
  if (!message) throw new Error(`no status message in thread ${threadTs}`);
  return message;
}

/** Waits for the run's verdict on the request message (✅ or ❌) and returns it. */
function finalReaction(harness: ServerHarness, ts: string): Promise<string> {
  return waitFor('the final reaction', () =>
    harness.slack.reactions(CHANNEL, ts).find((name) => name === 'white_check_mark' || name === 'x'),
  );
}

function branchOf(harness: ServerHarness): string {
  return harness.repo?.git('for-each-ref', '--format=%(refname:short)', 'refs/heads/baton/').trim() ?? '';
}

describe('Slack, durable: redeliveries, replies during and after a run, cancellation, Socket Mode, rate limits', () => {
  let harness: ServerHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('runs a mention delivered four times (two at once) and again as a message event exactly once', async () => {
    const server = await createServerHarness();
    harness = server;
    server.model.enqueue(calls(readMath, fixAdd), calls(finish('add() adds now.')));
    const text = `<@${server.slack.botUserId}> please fix the add test repo:${REPO}`;
    const { ts } = server.slack.userSays({ channel: CHANNEL, user: USER, text });
    const mention = appMentionEvent({ user: USER, text, channel: CHANNEL, ts, team: server.slack.teamId });
    const eventId = 'EvDURABLE00001';

    // Slack redelivers a slow ack with the same event_id; the first retry races the original.
    const racing = await Promise.all([
      server.deliver(mention, { eventId }),
      server.deliver(mention, { eventId, retryNum: 1 }),
    ]);
    const retries = [
      await server.deliver(mention, { eventId, retryNum: 2 }),
      await server.deliver(mention, { eventId, retryNum: 3 }),
    ];
    // The channel subscription delivers the same message once more, as a `message` event.
    const asMessage = await server.deliver(
      messageEvent({ user: USER, text, channel: CHANNEL, ts, team: server.slack.teamId }),
    );
    for (const delivery of [...racing, ...retries, asMessage]) expect(delivery.status).toBe(200);

    expect(await finalReaction(server, ts)).toBe('white_check_mark');
    const runs = await server.runs();
    expect(runs).toHaveLength(1);
    expect(runs[0]?.turn.status).toBe('succeeded');
    // One conversation: two model calls, each carrying the task once.
    const requests = server.model.modelRequests();
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      expect(userTexts(request.body).filter((line) => line.includes('please fix the add test'))).toHaveLength(
        1,
      );
    }
    expect(server.model.remaining()).toBe(0);
    const eyes = server.slack
      .callsTo('reactions.add')
      .filter((call) => call.args.name === 'eyes' && call.args.timestamp === ts);
    expect(eyes).toHaveLength(1);
    const [status, ...rest] = server.botMessages(ts);
    expect(status?.text).toMatch(/Done/);
    expect(rest).toHaveLength(1);
    expect(rest[0]?.text).toContain('add() adds now.');
  });

  it('injects a thread reply into the running turn; a reply after it ends runs a second turn on the same branch', async () => {
    const server = await createServerHarness();
    harness = server;
    const during = 'Also keep double() working, please.';
    server.model.enqueue(
      // The model "thinks" for a while: the reply arrives while the turn is mid-way.
      { type: 'delay', ms: 3_000, reply: calls(readMath) },
      (request) => {
        const injected = userTexts(request.body).filter((line) => line.includes(during));
        if (injected.length !== 1) throw new Error(`the reply reached the model ${injected.length} times`);
        if (!injected[0]?.includes('added a message while you were working'))
          throw new Error('the reply was not introduced as a message from the requester');
        return calls(fixAdd);
      },
      calls(finish('add() adds now.')),
    );
    const { ts } = await server.mention(`please fix the add test repo:${REPO}`);
    await waitFor('the first model call', () => server.model.modelRequests().length === 1);
    expect((await server.threadReply(ts, during)).status).toBe(200);
    const verdict = await finalReaction(server, ts);
    expect(server.model.scriptErrors).toEqual([]);
    expect(verdict).toBe('white_check_mark');
    expect(server.model.modelRequests()).toHaveLength(3);
    const [first] = await server.runs();
    expect(first?.turn.status).toBe('succeeded');
    expect(await server.runs()).toHaveLength(1); // the reply joined the turn, it did not start one
    const firstRun = await server.run(first?.turn.id ?? '');
    expect(
      firstRun.items.some((item) => item.payload.type === 'user_message' && item.payload.text === during),
    ).toBe(true);

    server.model.enqueue(calls(readMath, addTriple), calls(finish('triple() is there now.', 'Add triple()')));
    const after = await server.threadReply(ts, 'Now add a triple() function too.');
    expect(after.status).toBe(200);
    expect(await finalReaction(server, after.ts)).toBe('white_check_mark');
    const runs = await waitFor('both turns to end', async () => {
      const listed = await server.runs();
      return listed.length === 2 && listed.every((run) => run.turn.status === 'succeeded') && listed;
    });
    expect(new Set(runs.map((run) => run.thread.id)).size).toBe(1);
    const branch = branchOf(server);
    expect(runs[0]?.thread.branch).toBe(branch);
    expect(server.repo?.git('rev-list', '--count', `main..${branch}`).trim()).toBe('2');
    expect(server.repo?.git('log', '--format=%s', `main..${branch}`).trim().split('\n')).toEqual([
      'Add triple()',
      'Fix add()',
    ]);
    const diff = server.repo?.git('diff', `main..${branch}`) ?? '';
    expect(diff).toContain('+  return a + b;'); // the second turn started from the first one's work
    expect(diff).toContain('+export function triple(a) {');
    const second = server.slack
      .messages(CHANNEL)
      .find(
        (message) =>
          message.user === server.slack.botUserId && message.text?.includes('triple() is there now.'),
      );
    expect(second?.thread_ts).toBe(ts);
  });

  it('Cancel on the status message kills the running command and ends the turn as cancelled', async () => {
    const server = await createServerHarness();
    harness = server;
    const token = `baton-e2e-${randomBytes(6).toString('hex')}`;
    server.model.enqueue(
      calls(readMath, fixAdd),
      calls({ name: 'run_command', arguments: { command: `sleep 30; echo done > ${token}.txt` } }),
      calls(finish('never reached')),
    );
    const { ts } = await server.mention(`please fix the add test repo:${REPO}`);
    await waitFor('the long command to run', () => processesWith(token).length > 0);

    const pressed = await server.pressCancel(ts);
    expect(pressed.status).toBe(200);
    await waitFor('the command to be killed', () => processesWith(token).length === 0, 10_000);
    await waitFor('the cancelled reaction', () => server.slack.reactions(CHANNEL, ts).includes('x'), 15_000);

    const runs = await server.runs();
    expect(runs.map((run) => run.turn.id)).toEqual([pressed.turnId]);
    expect(runs[0]?.turn.status).toBe('cancelled');
    expect(runs[0]?.turn.cancelRequestedBy).toBe(USER);
    expect(server.model.modelRequests()).toHaveLength(2);
    expect(server.model.remaining()).toBe(1);
    const [status, ...rest] = server.botMessages(ts);
    expect(status?.text).toContain('Cancelled');
    expect(status?.text).not.toContain('baton_cancel');
    expect(rest).toHaveLength(1);
    expect(rest[0]?.text).toMatch(/Cancelled/);
    // The work done before the cancel is kept on the branch as a WIP commit; the command's file is not.
    const branch = branchOf(server);
    expect(server.repo?.git('log', '--format=%s', `main..${branch}`).trim()).toMatch(/^WIP \(cancelled\)/);
    expect(server.repo?.git('diff', `main..${branch}`)).toContain('+  return a + b;');
    expect(server.repo?.git('ls-tree', '-r', '--name-only', branch)).not.toContain(token);
  });

  it('a `stop` reply in the thread cancels the run the same way', async () => {
    const server = await createServerHarness();
    harness = server;
    const token = `baton-e2e-${randomBytes(6).toString('hex')}`;
    server.model.enqueue(
      calls({ name: 'run_command', arguments: { command: `sleep 30; echo done > ${token}.txt` } }),
      calls(finish('never reached')),
    );
    const { ts } = await server.mention(`please fix the add test repo:${REPO}`);
    await waitFor('the long command to run', () => processesWith(token).length > 0);

    expect((await server.threadReply(ts, 'stop')).status).toBe(200);
    await waitFor('the command to be killed', () => processesWith(token).length === 0, 10_000);
    await waitFor('the cancelled reaction', () => server.slack.reactions(CHANNEL, ts).includes('x'), 15_000);
    const runs = await server.runs();
    expect(runs).toHaveLength(1);
    expect(runs[0]?.turn.status).toBe('cancelled');
    expect(server.model.modelRequests()).toHaveLength(1);
    expect(server.model.remaining()).toBe(1);
    const finals = server.botMessages(ts).slice(1);
    expect(finals).toHaveLength(1);
    expect(finals[0]?.text).toMatch(/Cancelled/);
  });

  it('over Socket Mode (app token, no signing secret) a mention gets the same answer', async () => {
    const server = await createServerHarness({ slackMode: 'socket' });
    harness = server;
    expect(server.slack.callsTo('apps.connections.open').map((call) => call.token)).toEqual([
      server.slack.appToken,
    ]);
    server.model.enqueue(calls(readMath, fixAdd), calls(finish('add() adds now.')));
    const text = `<@${server.slack.botUserId}> please fix the add test repo:${REPO}`;
    const { ts } = server.slack.userSays({ channel: CHANNEL, user: USER, text });
    await server.deliver(
      appMentionEvent({ user: USER, text, channel: CHANNEL, ts, team: server.slack.teamId }),
    );

    expect(await finalReaction(server, ts)).toBe('white_check_mark');
    expect(
      server.slack
        .callsTo('reactions.add')
        .filter((call) => call.args.name === 'eyes' && call.args.timestamp === ts),
    ).toHaveLength(1);
    const [status, ...rest] = server.botMessages(ts);
    expect(status?.text).toMatch(/Done/);
    expect(rest).toHaveLength(1);
    expect(rest[0]?.text).toContain('add() adds now.');
    expect(server.repo?.git('diff', `main..${branchOf(server)}`)).toContain('+  return a + b;');
    expect((await server.runs()).map((run) => run.turn.status)).toEqual(['succeeded']);
  });

  it('a 429 with Retry-After on chat.update mid-run still leaves the finished status and one final reply', async () => {
    const server = await createServerHarness();
    harness = server;
    server.model.enqueue(
      calls({ name: 'todo', arguments: { items: [{ text: 'Fix add()', status: 'in_progress' }] } }),
      { type: 'delay', ms: 3_000, reply: calls(readMath) },
      calls(fixAdd),
      calls(finish('add() adds now.')),
    );
    server.slack.rateLimit('chat.update', { times: 1, retryAfterSeconds: 2 });
    const { ts } = await server.mention(`please fix the add test repo:${REPO}`);

    expect(await finalReaction(server, ts)).toBe('white_check_mark');
    const status = statusMessageOf(server, ts);
    const updates = server.slack.callsTo('chat.update').filter((call) => call.args.ts === status.ts);
    expect(updates[0]?.status).toBe(429); // the first edit of the run was refused …
    const accepted = updates.filter((call) => call.status === 200 && call.error === undefined);
    expect(accepted.length).toBeGreaterThan(0); // … and retried after Retry-After
    expect(updates.at(-1)).toBe(accepted.at(-1));
    expect(JSON.stringify(accepted.at(-1)?.args.blocks)).toContain('*Done*');
    expect(JSON.stringify(status.blocks)).toContain('*Done*');
    expect(JSON.stringify(status.blocks)).not.toContain('baton_cancel');
    const finals = server.botMessages(ts).slice(1);
    expect(finals).toHaveLength(1);
    expect(finals[0]?.text).toContain('add() adds now.');
    expect(server.logLines().filter((line) => line.includes('status update failed'))).toEqual([]);
  });
});
