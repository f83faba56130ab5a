import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryReporterState } from '../../../src/integrations/slack/reporter-state.ts';
import { type FakeSlack, startFakeSlack } from '../../fakes/slack-server.ts';
import {
  buttonsOf,
  outcome,
  progressAt,
  reporterFor,
  requestIn,
  TURN_ID,
  visibleText,
} from './reporter-harness.ts';
import { clientFor, createManualTimers, waitUntil } from './slack-harness.ts';

describe('Slack reporter', () => {
  let fake: FakeSlack;
  beforeEach(async () => {
    fake = await startFakeSlack();
  });
  afterEach(() => fake.close());

  it('acknowledge adds 👀 and posts one status message in the thread with Cancel and View run', async () => {
    const { request, origin } = requestIn(fake, 'C1');
    const state = createMemoryReporterState();
    await reporterFor(fake, origin, { state }).acknowledge({ position: 2 });
    await reporterFor(fake, origin, { state }).acknowledge({ position: 2 });

    expect(fake.reactions('C1', request.ts)).toEqual(['eyes']);
    const bot = fake.thread('C1', request.ts).filter((message) => message.user === fake.botUserId);
    expect(bot).toHaveLength(1);
    expect(bot[0]?.thread_ts).toBe(request.ts);
    expect(visibleText(bot[0])).toContain('Queued* (position 2)');
    expect(buttonsOf(bot[0]?.blocks)).toEqual([
      expect.objectContaining({ action_id: 'baton_cancel', value: TURN_ID }),
      expect.objectContaining({ url: `https://baton.example.com/runs/${TURN_ID}` }),
    ]);
    expect(state.current?.statusMessageTs).toBe(bot[0]?.ts);
  });

  it('replies under the thread parent when the request is itself a reply', async () => {
    const parent = fake.userSays({ channel: 'C2', user: 'U2', text: 'the build is red' });
    const request = fake.userSays({ channel: 'C2', user: 'U1', text: '<@UBATON> look', threadTs: parent.ts });
    const origin = {
      kind: 'slack',
      teamId: fake.teamId,
      channelId: 'C2',
      threadTs: parent.ts,
      messageTs: request.ts,
      userId: 'U1',
    } as const;
    await reporterFor(fake, origin).acknowledge({ position: 0 });
    expect(fake.reactions('C2', request.ts)).toEqual(['eyes']);
    expect(fake.messages('C2').at(-1)).toMatchObject({ thread_ts: parent.ts, user: fake.botUserId });
    expect(visibleText(fake.messages('C2').at(-1))).toContain('Working on it');
  });

  it('start reuses the acknowledged status message, and racing the acknowledge still makes one', async () => {
    const { request, origin } = requestIn(fake, 'C3');
    const state = createMemoryReporterState();
    const gateway = reporterFor(fake, origin, { state });
    const worker = reporterFor(fake, origin, { state });
    await Promise.all([gateway.acknowledge({ position: 1 }), worker.start({ runId: TURN_ID, task: 'fix' })]);
    await worker.settle();

    const bot = fake.thread('C3', request.ts).filter((message) => message.user === fake.botUserId);
    expect(bot).toHaveLength(1);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(visibleText(bot[0])).toContain('Working on it');
  });

  it('start waits for the status message another process claimed, then edits it', async () => {
    const { request, origin } = requestIn(fake, 'C11');
    const state = createMemoryReporterState();
    const timers = createManualTimers();
    // The gateway has claimed the status message and is still posting it.
    expect(await state.claimStatusMessage()).toBe(true);
    const worker = reporterFor(fake, origin, { state, timers });
    const started = worker.start({ runId: TURN_ID, task: 'fix' });
    const gatewayPost = await clientFor(fake).chat.postMessage({
      channel: 'C11',
      thread_ts: request.ts,
      text: 'Queued',
    });
    await state.save({ statusMessageTs: gatewayPost.ts ?? '' });
    await waitUntil(() => timers.pending() > 0, { what: 'the worker to poll' });
    timers.advance(250);
    await started;
    await worker.settle();

    const bot = fake.thread('C11', request.ts).filter((message) => message.user === fake.botUserId);
    expect(bot).toHaveLength(1);
    expect(visibleText(bot[0])).toContain('Working on it');
    expect(bot[0]?.edits.map((edit) => edit.text)).toEqual(['Queued']);
  });

  it('coalesces progress: many calls become few edits, the latest state wins, and it refreshes', async () => {
    const { request, origin } = requestIn(fake, 'C4');
    const timers = createManualTimers();
    const reporter = reporterFor(fake, origin, { timers });
    await reporter.start({ runId: TURN_ID, task: 'fix' });
    for (let step = 1; step <= 20; step += 1) reporter.progress(progressAt(step));
    await reporter.settle();
    expect(fake.callsTo('chat.update')).toHaveLength(1);
    expect(visibleText(fake.thread('C4', request.ts)[1])).toContain('Running step 1');

    timers.advance(3_000);
    await waitUntil(() => fake.callsTo('chat.update').length === 2, { what: 'the coalesced edit' });
    await reporter.settle();
    const status = fake.thread('C4', request.ts)[1];
    expect(visibleText(status)).toContain('Running step 20');
    expect(visibleText(status)).toContain('☑ Reproduce the failure');
    expect(visibleText(status)).toContain('◐ *Run the tests*');
    expect(visibleText(status)).toContain('20,000 tokens · $0.20');

    timers.advance(60_000);
    await waitUntil(() => fake.callsTo('chat.update').length === 3, { what: 'the refresh' });
    await reporter.settle();
    expect(visibleText(fake.thread('C4', request.ts)[1])).toContain('1m 23s');

    await reporter.finish(outcome());
    const updates = fake.callsTo('chat.update');
    expect(updates).toHaveLength(4);
    const finalStatus = fake.thread('C4', request.ts)[1];
    expect(visibleText(finalStatus)).toContain('*Done*');
    expect(buttonsOf(finalStatus?.blocks).map((button) => button.action_id)).toEqual(['baton_view_run']);
  });

  it('finish posts exactly one final message and ✅; a second finish or reporter posts nothing', async () => {
    const { request, origin } = requestIn(fake, 'C5');
    const state = createMemoryReporterState();
    const first = reporterFor(fake, origin, { state });
    await first.acknowledge({ position: 0 });
    await first.start({ runId: TURN_ID, task: 'fix' });
    await first.finish(outcome());
    const callsAfterFirst = fake.calls.length;
    await first.finish(outcome());
    await reporterFor(fake, origin, { state }).finish(outcome());

    expect(fake.calls.length).toBe(callsAfterFirst);
    const bot = fake.thread('C5', request.ts).filter((message) => message.user === fake.botUserId);
    expect(bot).toHaveLength(2);
    const final = visibleText(bot[1]);
    expect(final).toContain('Fixed the race in the retry loop.');
    expect(final).toContain('<https://github.example/acme/app/pull/7|');
    expect(final).toContain('baton/abc123');
    expect(final).toContain('*lint*: biome: no issues');
    expect(final).toContain('123,456 tokens · $1.23');
    expect(fake.reactions('C5', request.ts)).toEqual(['white_check_mark']);
    expect(state.current?.finalMessageTs).toBe(bot[1]?.ts);
  });

  it('a failure says what went wrong in one line, with ❌', async () => {
    const { request, origin } = requestIn(fake, 'C6');
    const reporter = reporterFor(fake, origin);
    await reporter.start({ runId: TURN_ID, task: 'fix' });
    await reporter.finish(
      outcome({
        status: 'failed',
        summary: 'The model service did not answer. The work is committed on branch baton/abc123.',
        pullRequestUrl: undefined,
        checks: [],
      }),
    );
    const final = fake.thread('C6', request.ts).at(-1);
    expect(final?.text).toBe(
      ':x: The model service did not answer. The work is committed on branch baton/abc123.',
    );
    expect(visibleText(final)).not.toMatch(/\n\s+at /);
    expect(fake.reactions('C6', request.ts)).toEqual(['x']);
  });

  it('ask mentions the requester in the thread and defers', async () => {
    const { request, origin } = requestIn(fake, 'C7');
    const answer = await reporterFor(fake, origin).ask('Which branch should I target?');
    expect(answer).toEqual({ type: 'deferred' });
    const question = fake.thread('C7', request.ts).at(-1);
    expect(question?.thread_ts).toBe(request.ts);
    expect(question?.text).toBe('<@U1> Which branch should I target?');
  });

  it('keeps a 10,000-character summary within Slack limits; a 60,000-character one goes to a file', async () => {
    const { request, origin } = requestIn(fake, 'C8');
    const paragraph = `${'word '.repeat(199)}end.\n\n`;
    const tenThousand = paragraph.repeat(10).slice(0, 10_000);
    await reporterFor(fake, origin).finish(outcome({ summary: tenThousand }));
    expect(fake.files()).toHaveLength(0);
    const final = fake.thread('C8', request.ts).at(-1);
    const sections = (final?.blocks ?? []).filter((block) => (block as { type: string }).type === 'section');
    const texts = sections.map((block) => (block as { text?: { text: string } }).text?.text ?? '');
    expect(texts.length).toBeGreaterThan(3);
    expect(texts.every((text) => text.length <= 3_000)).toBe(true);
    expect((final?.blocks ?? []).length).toBeLessThanOrEqual(50);
    expect(texts.join(' ').replace(/\s+/g, ' ')).toContain(
      tenThousand.replace(/\s+/g, ' ').trim().slice(-200),
    );

    const other = requestIn(fake, 'C9');
    const sixtyThousand = paragraph.repeat(60).slice(0, 60_000);
    await reporterFor(fake, other.origin).finish(outcome({ summary: sixtyThousand }));
    const [file] = fake.files();
    expect(file).toMatchObject({ channel: 'C9', thread_ts: other.request.ts, filename: 'baton-summary.txt' });
    expect(file?.content).toBe(sixtyThousand);
    const posted = fake.thread('C9', other.request.ts).filter((message) => message.user === fake.botUserId);
    expect(posted.map((message) => (message.text ?? '').length).every((length) => length <= 40_000)).toBe(
      true,
    );
  });

  it('redacts secrets from the status, the summary and replies', async () => {
    const { request, origin } = requestIn(fake, 'C10');
    const known = 'hunter2-database-password';
    const token = `ghp_${'A'.repeat(36)}`;
    const timers = createManualTimers();
    const reporter = reporterFor(fake, origin, { timers, secrets: [known] });
    await reporter.start({ runId: TURN_ID, task: 'fix' });
    reporter.progress(progressAt(1, { activity: `curl -H "Authorization: ${token}"` }));
    await reporter.settle();
    await reporter.reply(`The password is ${known}`);
    await reporter.finish(outcome({ summary: `Rotated ${token} and ${known}.` }));

    const everything = fake
      .thread('C10', request.ts)
      .map((message) =>
        [
          visibleText(message),
          ...message.edits.map((edit) => `${edit.text}${JSON.stringify(edit.blocks)}`),
        ].join('\n'),
      )
      .join('\n');
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(known);
    expect(everything).toContain('Rotated [redacted] and [redacted].');
  });
});
