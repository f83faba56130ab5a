import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../observability/logger.ts';
import { type KnownSecrets, redactSecrets } from '../../observability/redact.ts';
import type { AskOutcome, Reporter, RunOutcome, RunProgress, TodoItem } from '../../runs/reporter.ts';
import { type RenderedLongMessage, renderFinal, renderLongText } from './final-blocks.ts';
import type { SlackReporterStateStore } from './reporter-state.ts';
import { rateLimitRetryAfter, slackErrorCode, toSlackBatonError } from './slack-errors.ts';
import type { SlackOrigin } from './slack-origin.ts';
import { type RenderedMessage, renderStatus, type StatusView } from './status-blocks.ts';
import {
  type ClearTimer,
  createCoalescer,
  defaultClearTimer,
  defaultSetTimer,
  type SetTimer,
} from './status-coalescer.ts';

export interface SlackReporterOptions {
  client: WebClient;
  origin: SlackOrigin;
  turnId: string;
  state: SlackReporterStateStore;
  /** Dashboard base URL; the status message links to `${publicBaseUrl}/runs/${turnId}`. */
  publicBaseUrl?: string;
  /** The status message is edited at least this often while the run works. */
  statusRefreshMs: number;
  /** At most one chat.update per this interval (default 3 s). */
  minUpdateIntervalMs?: number;
  /** How long `start` waits for another process that claimed the status message to save its ts. */
  statusClaimWaitMs?: number;
  /** Secret values to mask besides the credential shapes `redactSecrets` knows. */
  secrets?: KnownSecrets;
  clock?: () => number;
  setTimer?: SetTimer;
  clearTimer?: ClearTimer;
  log: Logger;
}

export type SlackReporter = Reporter & {
  /**
   * Right after enqueue (gateway): 👀 on the request and one status message in the thread.
   * `position`: runs ahead of this one in the queue; 0 shows "Working on it".
   */
  acknowledge(input: { position: number }): Promise<void>;
  /** Resolves when no status edit is in flight (for shutdown and tests). */
  settle(): Promise<void>;
};

/** Reactions on the request message. */
export const REACTIONS = { working: 'eyes', succeeded: 'white_check_mark', failed: 'x' } as const;

const CLAIM_POLL_MS = 250;

function sanitiseProgress(progress: RunProgress, clean: (text: string) => string): RunProgress {
  const plan: TodoItem[] = progress.plan.map((item) => ({ ...item, text: clean(item.text) }));
  return { ...progress, activity: clean(progress.activity), plan };
}

function cleanOutcome(outcome: RunOutcome, clean: (text: string) => string): RunOutcome {
  return {
    ...outcome,
    summary: clean(outcome.summary),
    ...(outcome.branch ? { branch: clean(outcome.branch) } : {}),
    checks: outcome.checks.map((check) => ({ ...check, summary: clean(check.summary) })),
  };
}

/** Reports one turn into its Slack thread: status message, replies, questions, the final answer. */
export function createSlackReporter(options: SlackReporterOptions): SlackReporter {
  const { client, origin, turnId, state } = options;
  const log = options.log.child({ component: 'slack-reporter', turnId });
  const now = options.clock ?? Date.now;
  const setTimer = options.setTimer ?? defaultSetTimer;
  const clearTimer = options.clearTimer ?? defaultClearTimer;
  const clean = (text: string) => redactSecrets(text, options.secrets ?? []);
  const runUrl = options.publicBaseUrl
    ? `${options.publicBaseUrl.replace(/\/+$/, '')}/runs/${turnId}`
    : undefined;
  const thread = { channel: origin.channelId, thread_ts: origin.threadTs };
  let statusTs: string | undefined;
  let startedAt = now();
  let latest: { progress: RunProgress; receivedAt: number } | undefined;
  let finished = false;

  const render = (view: StatusView): RenderedMessage =>
    renderStatus({ view, turnId, ...(runUrl ? { runUrl } : {}) });
  const workingView = (): StatusView => ({
    kind: 'working',
    progress: latest?.progress,
    elapsedMs: latest ? latest.progress.elapsedMs + (now() - latest.receivedAt) : now() - startedAt,
  });

  const react = async (name: string, remove = false) => {
    const args = { channel: origin.channelId, timestamp: origin.messageTs, name };
    try {
      await (remove ? client.reactions.remove(args) : client.reactions.add(args));
    } catch (error) {
      const code = slackErrorCode(error);
      // Harmless: the reaction is already there (a retried acknowledge) or already gone.
      if (code === 'already_reacted' || code === 'no_reaction') return;
      log.warn(
        { err: toSlackBatonError(error, `${remove ? 'remove' : 'add'} the ${name} reaction`) },
        'reaction failed',
      );
    }
  };

  const postInThread = async (message: RenderedLongMessage | RenderedMessage, what: string) => {
    try {
      const posted = await client.chat.postMessage({ ...thread, text: message.text, blocks: message.blocks });
      if ('attachment' in message && message.attachment) {
        await client.filesUploadV2({
          channel_id: origin.channelId,
          thread_ts: origin.threadTs,
          content: message.attachment.content,
          filename: message.attachment.filename,
          title: message.attachment.title,
        });
      }
      return posted.ts;
    } catch (error) {
      throw toSlackBatonError(error, what);
    }
  };

  const coalescer = createCoalescer<StatusView | 'working'>({
    // `working` is rendered at send time, so a refresh shows the current elapsed time.
    send: async (value) => {
      if (!statusTs) return;
      const message = render(value === 'working' ? workingView() : value);
      await client.chat.update({
        channel: origin.channelId,
        ts: statusTs,
        text: message.text,
        blocks: message.blocks,
      });
    },
    minIntervalMs: options.minUpdateIntervalMs ?? 3_000,
    refreshMs: options.statusRefreshMs,
    now,
    setTimer,
    clearTimer,
    retryAfterMs: (error) => {
      const seconds = rateLimitRetryAfter(error);
      return seconds === undefined ? undefined : seconds * 1000;
    },
    onError: (error) =>
      log.warn({ err: toSlackBatonError(error, 'update the status message') }, 'status update failed'),
  });

  /** Posts the status message if this caller wins the claim; returns whether it now exists. */
  const claimAndPost = async (view: StatusView): Promise<'posted' | 'claimed-elsewhere'> => {
    if (!(await state.claimStatusMessage())) return 'claimed-elsewhere';
    statusTs = await postInThread(render(view), 'post the status message');
    const saved = (await state.load()) ?? {};
    await state.save({ ...saved, ...(statusTs ? { statusMessageTs: statusTs } : {}) });
    return 'posted';
  };

  const loadStatusTs = async () => {
    statusTs ??= (await state.load())?.statusMessageTs;
    return statusTs;
  };

  /** Another process claimed the status message: wait (bounded) until it saves the ts. */
  const waitForStatusTs = async () => {
    const deadline = now() + (options.statusClaimWaitMs ?? 5_000);
    while (!(await loadStatusTs()) && now() < deadline) {
      await new Promise<void>((resolve) => setTimer(resolve, CLAIM_POLL_MS));
    }
    if (!statusTs) log.warn('the status message was claimed but never saved; continuing without it');
  };

  return {
    async acknowledge({ position }) {
      await react(REACTIONS.working);
      if (await loadStatusTs()) return;
      await claimAndPost({ kind: 'queued', position });
    },

    settle: () => coalescer.settle(),

    async start() {
      startedAt = now();
      if (await loadStatusTs()) {
        coalescer.push('working');
        return;
      }
      if ((await claimAndPost(workingView())) === 'claimed-elsewhere') {
        await waitForStatusTs();
        coalescer.push('working');
        return;
      }
      // Nobody acknowledged this turn (a resumed run, a CLI-started one): mark the request too.
      await react(REACTIONS.working);
    },

    progress(progress) {
      if (finished) return;
      latest = { progress: sanitiseProgress(progress, clean), receivedAt: now() };
      coalescer.push('working');
    },

    async reply(text) {
      const message = renderLongText({ text: clean(text), filename: 'baton-reply.txt', title: 'Reply' });
      await postInThread(message, 'reply in the thread');
    },

    async ask(question): Promise<AskOutcome> {
      const message = renderLongText({
        text: clean(question),
        prefix: `<@${origin.userId}> `,
        filename: 'baton-question.txt',
        title: 'Question',
      });
      await postInThread(message, 'ask in the thread');
      return { type: 'deferred' };
    },

    async finish(outcome: RunOutcome) {
      finished = true;
      const elapsedMs = latest ? latest.progress.elapsedMs + (now() - latest.receivedAt) : now() - startedAt;
      // Another finish (a retried job, a second process) already reported this turn.
      if (!(await state.claimFinal())) {
        await coalescer.close();
        return;
      }
      await loadStatusTs();
      const { status, tokens, costUsd } = outcome;
      await coalescer.close({ kind: 'finished', status, elapsedMs, tokens, costUsd });
      // A waiting turn already asked its question in the thread; the status line says it waits.
      if (status === 'waiting') return;
      const finalTs = await postInThread(renderFinal(cleanOutcome(outcome, clean)), 'post the final reply');
      const saved = (await state.load()) ?? {};
      await state.save({ ...saved, ...(finalTs ? { finalMessageTs: finalTs } : {}) });
      await react(REACTIONS.working, true);
      await react(status === 'succeeded' ? REACTIONS.succeeded : REACTIONS.failed);
    },
  };
}
