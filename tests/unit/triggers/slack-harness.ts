import { type ConfigInput, configSchema } from '../../../src/config/schema.ts';
import { createGateway, createRouteTable, type Gateway } from '../../../src/gateway/index.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { type BatonMetrics, createBatonMetrics } from '../../../src/observability/metrics.ts';
import {
  type CancelTarget,
  createSlackTrigger,
  type Intake,
  SLACK_EVENTS_PATH,
  type SlackTrigger,
  type SubmitResult,
  type SubmittedRequest,
  type ThreadLookup,
} from '../../../src/triggers/slack/index.ts';
import { type FakeSlack, startFakeSlack } from '../../fakes/slack-server.ts';

/** An intake that claims dedupe keys in memory and records what it was given (a seam argument, not a mock). */
export interface RecordingIntake extends Intake {
  submits: SubmittedRequest[];
  cancels: { target: CancelTarget; by: string }[];
  /** What `cancel` answers (default: a run was cancelled). */
  cancelAnswer: { cancelled: boolean; turnId?: string };
  /** The next submit throws this (the database is down), once. */
  failNext?: Error;
}

export function createRecordingIntake(): RecordingIntake {
  const claimed = new Set<string>();
  const intake: RecordingIntake = {
    submits: [],
    cancels: [],
    cancelAnswer: { cancelled: true, turnId: 'turn-1' },
    async submit(request): Promise<SubmitResult> {
      const failure = intake.failNext;
      intake.failNext = undefined;
      if (failure) throw failure;
      if (request.dedupeKeys.some((key) => claimed.has(key))) return { type: 'duplicate' };
      for (const key of request.dedupeKeys) claimed.add(key);
      intake.submits.push(request);
      return { type: 'queued', turnId: `turn-${intake.submits.length}`, threadId: 'thread-1', position: 1 };
    },
    async cancel(target, by) {
      intake.cancels.push({ target, by });
      return intake.cancelAnswer;
    },
  };
  return intake;
}

export interface ThreadTable extends ThreadLookup {
  threads: Map<string, { id: string; repo: string }>;
}

export function createThreadTable(): ThreadTable {
  const threads = new Map<string, { id: string; repo: string }>();
  return { threads, getThreadByKey: async (key) => threads.get(key) ?? null };
}

export interface SlackHarness {
  slack: FakeSlack;
  intake: RecordingIntake;
  store: ThreadTable;
  metrics: BatonMetrics;
  trigger: SlackTrigger;
  /** Every afterSubmit call, in order. */
  afterSubmits: { request: SubmittedRequest; result: SubmitResult }[];
  /** `http://127.0.0.1:PORT/slack/events` (HTTP mode). */
  eventsUrl: string;
  baseUrl: string;
  close(): Promise<void>;
}

export const TEAM = 'T0FAKE';
export const CHANNEL = 'C0GENERAL';
export const ALICE = 'UALICE';

export async function startSlackHarness(
  options: {
    config?: ConfigInput;
    mode?: 'http' | 'socket';
    slack?: FakeSlack;
    /** Runs after the recording of each afterSubmit call (e.g. to hold it open). */
    afterSubmit?: () => Promise<void>;
  } = {},
): Promise<SlackHarness> {
  const slack = options.slack ?? (await startFakeSlack({ teamId: TEAM }));
  const config = configSchema.parse(
    options.config ?? { repos: [{ name: 'acme/web', url: '/srv/acme-web.git' }] },
  );
  const intake = createRecordingIntake();
  const store = createThreadTable();
  const metrics = createBatonMetrics();
  const log = createSilentLogger();
  const afterSubmits: SlackHarness['afterSubmits'] = [];
  const socket = options.mode === 'socket';
  const trigger = createSlackTrigger({
    config,
    botToken: slack.botToken,
    ...(socket ? { appToken: slack.appToken } : { signingSecret: slack.signingSecret }),
    apiUrl: slack.apiUrl,
    intake,
    store,
    log,
    metrics,
    afterSubmit: async (request, result) => {
      afterSubmits.push({ request, result });
      await options.afterSubmit?.();
    },
  });
  await trigger.start();
  const routes = createRouteTable();
  if (trigger.requestListener) routes.register(SLACK_EVENTS_PATH, trigger.requestListener);
  const gateway: Gateway = createGateway({ port: 0, host: '127.0.0.1', log, routes, readiness: {}, metrics });
  const port = await gateway.start();
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    slack,
    intake,
    store,
    metrics,
    trigger,
    afterSubmits,
    eventsUrl: `${baseUrl}${SLACK_EVENTS_PATH}`,
    baseUrl,
    async close() {
      await trigger.stop();
      await gateway.stop({ graceMs: 100 });
      if (!options.slack) await slack.close();
    },
  };
}

/** Waits for a condition the system reaches asynchronously (post-ack work); fails with `what` after 5 s. */
export async function eventually<T>(what: string, probe: () => T | undefined | false): Promise<T> {
  for (let attempt = 0; attempt < 250; attempt += 1) {
    const value = probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
