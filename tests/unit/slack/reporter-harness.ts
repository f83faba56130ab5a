import type { WebClient } from '@slack/web-api';
import {
  createMemoryReporterState,
  type SlackReporterStateStore,
} from '../../../src/integrations/slack/reporter-state.ts';
import type { SlackOrigin } from '../../../src/integrations/slack/slack-origin.ts';
import { createSlackReporter, type SlackReporter } from '../../../src/integrations/slack/slack-reporter.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import type { RunOutcome, RunProgress } from '../../../src/runs/reporter.ts';
import type { FakeSlack, FakeSlackMessage } from '../../fakes/slack-server.ts';
import { clientFor, type createManualTimers } from './slack-harness.ts';

export const TURN_ID = 'turn-0001';

/** A requester's message in a fresh channel, and the origin a trigger would build from it. */
export function requestIn(
  fake: FakeSlack,
  channel: string,
  text = '<@UBATON> fix the flaky test',
): {
  request: FakeSlackMessage;
  origin: SlackOrigin;
} {
  const request = fake.userSays({ channel, user: 'U1', text });
  return {
    request,
    origin: {
      kind: 'slack',
      teamId: fake.teamId,
      channelId: channel,
      threadTs: request.ts,
      messageTs: request.ts,
      userId: 'U1',
    },
  };
}

export function reporterFor(
  fake: FakeSlack,
  origin: SlackOrigin,
  options: {
    state?: SlackReporterStateStore;
    timers?: ReturnType<typeof createManualTimers>;
    client?: WebClient;
    secrets?: string[];
  } = {},
): SlackReporter {
  const timers = options.timers;
  return createSlackReporter({
    client: options.client ?? clientFor(fake),
    origin,
    turnId: TURN_ID,
    state: options.state ?? createMemoryReporterState(),
    publicBaseUrl: 'https://baton.example.com',
    statusRefreshMs: 60_000,
    minUpdateIntervalMs: 3_000,
    statusClaimWaitMs: 5_000,
    log: createSilentLogger(),
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(timers ? { clock: timers.now, setTimer: timers.setTimer, clearTimer: timers.clearTimer } : {}),
  });
}

export function progressAt(step: number, overrides: Partial<RunProgress> = {}): RunProgress {
  return {
    step,
    activity: `Running step ${step}`,
    elapsedMs: step * 1_000,
    tokens: step * 1_000,
    costUsd: step / 100,
    plan: [
      { text: 'Reproduce the failure', status: step >= 2 ? 'done' : 'in_progress' },
      { text: 'Fix the race', status: step >= 10 ? 'done' : step >= 2 ? 'in_progress' : 'pending' },
      { text: 'Run the tests', status: step >= 20 ? 'in_progress' : 'pending' },
    ],
    ...overrides,
  };
}

export function outcome(overrides: Partial<RunOutcome> = {}): RunOutcome {
  return {
    status: 'succeeded',
    summary: 'Fixed the race in the retry loop.\nPull request: https://github.example/acme/app/pull/7',
    branch: 'baton/abc123',
    commit: '0123456789abcdef',
    pullRequestUrl: 'https://github.example/acme/app/pull/7',
    checks: [
      { name: 'lint', status: 'passed', summary: 'biome: no issues' },
      { name: 'test', status: 'passed', summary: '42 tests passed' },
    ],
    tokens: 123_456,
    costUsd: 1.23,
    ...overrides,
  };
}

/** Every text a message carries (text and blocks), for asserting on what reached Slack. */
export function visibleText(message: FakeSlackMessage | undefined): string {
  return `${message?.text ?? ''}\n${JSON.stringify(message?.blocks ?? [])}`;
}

interface ButtonLike {
  action_id?: string;
  value?: string;
  url?: string;
}

export function buttonsOf(blocks: unknown[] | undefined): ButtonLike[] {
  return (blocks ?? []).flatMap((block) => {
    const record = block as { type?: string; elements?: ButtonLike[] };
    return record.type === 'actions' ? (record.elements ?? []) : [];
  });
}
