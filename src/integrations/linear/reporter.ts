import type { LinearConfig } from '../../config/schema.ts';
import { describeError } from '../../observability/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { type KnownSecrets, redactSecrets } from '../../observability/redact.ts';
import { deliverOnce, type FinalDeliveryResult, type FinalLedger } from '../../runs/deliver-once.ts';
import type { AskOutcome, Reporter, RunOutcome, RunProgress } from '../../runs/reporter.ts';
import { createMemoryFinalLedger } from '../../store/final-ledger.ts';
import type { LinearActivityContent, LinearClient } from './client.ts';
import { formatFinalMessage, progressAction } from './final-message.ts';

export interface LinearReporterOptions {
  client: LinearClient;
  issueId: string;
  /** With a session, the run talks through agent activities; without, through comments. */
  agentSessionId?: string;
  config: LinearConfig;
  log: Logger;
  /** Known secret values, masked in everything posted (credential shapes are masked regardless). */
  secrets?: KnownSecrets;
  /** Milliseconds; injectable for tests. */
  now?: () => number;
  /** At most one progress activity per interval. */
  progressIntervalMs?: number;
  /** Linear marks a session stale after 30 minutes without activity; post at least this often. */
  keepAliveMs?: number;
  /** The turn this reporter reports; its id marks the final comment (found again after a crash). */
  turnId?: string;
  /** The final reply's ledger (claim, confirm, release for a retry); in memory when absent. */
  finals?: FinalLedger;
  /** Told how each attempt at the final reply ended (for metrics). */
  onFinalResult?: (result: FinalDeliveryResult) => void;
}

const DEFAULT_PROGRESS_INTERVAL_MS = 30_000;
const DEFAULT_KEEP_ALIVE_MS = 10 * 60_000;

/**
 * Reports a run on its Linear issue. Progress goes out as throttled `action` activities when there
 * is an agent session (comments would flood the issue); the end is one `response`/`error` activity
 * or one comment; a pull request is attached to the issue and the issue moved to the review state.
 */
export function createLinearReporter(options: LinearReporterOptions): Reporter {
  const { client, issueId, agentSessionId } = options;
  const log = options.log.child({ component: 'linear-reporter', issueId, agentSessionId });
  const now = options.now ?? Date.now;
  const progressIntervalMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  const keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
  const clean = (text: string) => redactSecrets(text, options.secrets ?? []);
  const fallbackLedger = createMemoryFinalLedger();

  // Posts go out one at a time so activities appear in the order they were made.
  let chain: Promise<void> = Promise.resolve();
  let lastPostAt = now();
  let pending: RunProgress | undefined;
  let latest: RunProgress | undefined;
  let lastActivity = '';
  let timer: NodeJS.Timeout | undefined;
  let finished = false;

  function enqueue(task: () => Promise<unknown>): Promise<void> {
    const result = chain.then(task).then(() => undefined);
    chain = result.catch(() => undefined);
    lastPostAt = now();
    return result;
  }

  function activity(content: LinearActivityContent): Promise<void> {
    const session = agentSessionId;
    if (!session) return Promise.resolve();
    return enqueue(() => client.agentActivity(session, sanitize(content, clean)));
  }

  function comment(body: string): Promise<void> {
    return enqueue(() => client.comment(issueId, clean(body)));
  }

  const warn = (what: string) => (error: unknown) =>
    log.warn({ err: error }, `Linear ${what} failed: ${describeError(error)}`);

  function tick(): void {
    if (finished || !agentSessionId) return;
    const idle = now() - lastPostAt;
    if (pending && idle >= progressIntervalMs) {
      const progress = pending;
      pending = undefined;
      activity({ type: 'action', ...progressAction(progress) }).catch(warn('progress activity'));
    } else if (idle >= keepAliveMs) {
      const step = latest ? ` (step ${latest.step}: ${latest.activity})` : '';
      activity({ type: 'thought', body: `Still working${step}.` }).catch(warn('keep-alive activity'));
    }
  }

  return {
    async start(info) {
      if (!agentSessionId) return;
      const task = info.task.split('\n')[0]?.trim() ?? '';
      await activity({ type: 'thought', body: task ? `Working on it: ${task}` : 'Working on it.' }).catch(
        warn('start activity'),
      );
      timer = setInterval(tick, Math.max(1, Math.min(progressIntervalMs, keepAliveMs)));
      timer.unref();
    },

    progress(progress) {
      if (!agentSessionId || finished) return;
      latest = progress;
      if (progress.activity === lastActivity) return;
      lastActivity = progress.activity;
      pending = progress;
      tick();
    },

    async reply(text) {
      if (agentSessionId) await activity({ type: 'thought', body: text });
      else await comment(text);
    },

    async ask(question): Promise<AskOutcome> {
      if (agentSessionId) await activity({ type: 'elicitation', body: question });
      else
        await comment(
          `**Baton has a question:** ${question}\n\nAnswer in a comment that mentions ${options.config.mention}.`,
        );
      return { type: 'deferred' };
    },

    async finish(outcome) {
      finished = true;
      if (timer) clearInterval(timer);
      await chain.catch(() => undefined);
      const marker = options.turnId ? finalMarker(options.turnId) : undefined;
      await deliverOnce({
        ledger: options.finals ?? fallbackLedger,
        outcome,
        // A comment carries a hidden marker with the turn id; a retry after a crash finds it.
        findPosted: async () =>
          !agentSessionId &&
          marker !== undefined &&
          (await client.getIssue(issueId)).comments.some((comment) => comment.body.includes(marker)),
        post: async () => {
          // Attaching is idempotent (one attachment per URL), so a retry attaches again harmlessly.
          const notes = outcome.status === 'succeeded' ? await linkPullRequest(outcome) : [];
          // After an elicitation the session waits for the person; a final activity would close it.
          if (outcome.status === 'waiting') return;
          const message = formatFinalMessage(outcome, notes);
          const failedRun = outcome.status === 'failed' || outcome.status === 'budget_exhausted';
          if (agentSessionId) {
            await client.agentActivity(
              agentSessionId,
              sanitize(
                failedRun ? { type: 'error', body: message } : { type: 'response', body: message },
                clean,
              ),
            );
          } else {
            await client.comment(issueId, marker ? `${clean(message)}\n\n${marker}` : clean(message));
          }
        },
        log,
        onResult: options.onFinalResult,
      });
    },
  };

  /**
   * Attaches the pull request (a failure throws: the final is retried with it) and moves the issue
   * (best effort: a missing state is a note in the final, not a reason to hold it back).
   */
  async function linkPullRequest(outcome: RunOutcome): Promise<string[]> {
    const url = outcome.pullRequestUrl;
    if (!url) return [];
    await client.attachPullRequest(issueId, { url, title: pullRequestTitle(url) });
    const notes: string[] = [];
    const reviewState = options.config.reviewState;
    if (reviewState) {
      try {
        await client.moveToState(issueId, reviewState);
      } catch (error) {
        warn('state move')(error);
        notes.push(`Could not move this issue to "${reviewState}": ${describeError(error)}`);
      }
    }
    return notes.map(clean);
  }
}

/** The hidden marker in a final comment: names the turn, so the final is never posted twice. */
export function finalMarker(turnId: string): string {
  return `<!-- baton:final:${turnId} -->`;
}

function pullRequestTitle(url: string): string {
  const match = /github\.[^/]+\/([^/]+\/[^/]+)\/pull\/(\d+)/.exec(url);
  return match ? `Draft pull request ${match[1]}#${match[2]}` : 'Draft pull request by Baton';
}

function sanitize(content: LinearActivityContent, clean: (text: string) => string): LinearActivityContent {
  switch (content.type) {
    case 'action':
      return {
        type: 'action',
        action: clean(content.action),
        parameter: clean(content.parameter),
        ...(content.result === undefined ? {} : { result: clean(content.result) }),
      };
    case 'thought':
    case 'response':
    case 'error':
    case 'elicitation':
      return { type: content.type, body: clean(content.body) };
  }
}
