import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../observability/logger.ts';
import { type KnownSecrets, redactSecrets } from '../../observability/redact.ts';
import { deliverOnce, type FinalDeliveryResult } from '../../runs/deliver-once.ts';
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
  /** Told how each attempt at the final reply ended (for metrics). */
  onFinalResult?: (result: FinalDeliveryResult) => void;
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
/** Slack message metadata type of a final reply; its payload carries the turn id. */
export const FINAL_EVENT_TYPE = 'baton_final';

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

  const postInThread = async (
    message: RenderedLongMessage | RenderedMessage,
    what: string,
    metadata?: { event_type: string; event_payload: Record<string, string> },
  ) => {
    try {
      const posted = await client.chat.postMessage({
        ...thread,
        text: message.text,
        blocks: message.blocks,
        ...(metadata ? { metadata } : {}),
      });
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

  /** Whether this turn's final is already in the thread (its metadata names the turn). */
  const findFinalInThread = async (): Promise<boolean> => {
    let cursor: string | undefined;
    do {
      const page = await client.conversations.replies({
        channel: origin.channelId,
        ts: origin.threadTs,
        include_all_metadata: true,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      const found = (page.messages ?? []).some((message) => {
        const metadata = (message as { metadata?: { event_type?: string; event_payload?: unknown } })
          .metadata;
        const payload = metadata?.event_payload as { turn_id?: unknown } | undefined;
        return metadata?.event_type === FINAL_EVENT_TYPE && payload?.turn_id === turnId;
      });
      if (found) return true;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return false;
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
      const { status, tokens, costUsd } = outcome;
      let statusClosed = false;
      const closeStatus = async () => {
        if (statusClosed) return;
        statusClosed = true;
        await loadStatusTs();
        await coalescer.close({ kind: 'finished', status, elapsedMs, tokens, costUsd });
      };
      const result = await deliverOnce({
        ledger: state,
        outcome,
        // The final carries the turn id in its metadata: a retry after a crash finds it in the thread.
        findPosted: () => findFinalInThread(),
        post: async (claim) => {
          // A retry comes from the sweep, long after the run: the first attempt closed the status.
          if (claim.attempt === 1) await closeStatus();
          // A waiting turn already asked its question in the thread; the status line says it waits.
          if (status === 'waiting') return;
          const finalTs = await postInThread(
            renderFinal(cleanOutcome(outcome, clean)),
            'post the final reply',
            { event_type: FINAL_EVENT_TYPE, event_payload: { turn_id: turnId } },
          );
          const saved = (await state.load()) ?? {};
          await state.save({ ...saved, ...(finalTs ? { finalMessageTs: finalTs } : {}) });
        },
        log,
        onResult: options.onFinalResult,
      });
      // Another finish (a retried job, a second process) already reported this turn, or will.
      if (result !== 'delivered' && result !== 'found') {
        await coalescer.close();
        return;
      }
      if (status === 'waiting') return;
      await react(REACTIONS.working, true);
      await react(status === 'succeeded' ? REACTIONS.succeeded : REACTIONS.failed);
    },
  };
}
