import type { Config } from '../config/schema.ts';
import { describeError } from '../observability/errors.ts';
import { instrumentExecutor } from '../observability/instrument-dispatch.ts';
import type { Telemetry } from '../observability/instrument-turn.ts';
import type { Logger } from '../observability/logger.ts';
import { runAbortCodeOf } from '../runs/cancellation.ts';
import { executeTurn } from '../runs/execute-turn.ts';
import type { TurnQueue } from '../runs/queue.ts';
import { queuedRequestOf } from '../runs/queued-request.ts';
import type { RunOutcome } from '../runs/reporter.ts';
import type { TurnDependencies } from '../runs/turn-dependencies.ts';
import { createWorker, type TurnExecutor, type Worker } from '../runs/worker.ts';
import type { Store } from '../store/types.ts';
import type { Integrations } from './compose-integrations.ts';
import { gatherContext } from './gather-context.ts';
import { originLink } from './origin-link.ts';
import type { createReporterFactory } from './reporter-factory.ts';

export interface WorkerCompositionOptions {
  config: Config;
  store: Store;
  queue: TurnQueue;
  deps: TurnDependencies;
  integrations: Integrations;
  reporterFor: ReturnType<typeof createReporterFactory>;
  githubApiUrl?: string;
  workerId: string;
  log: Logger;
  /** Turn spans (under the request's trace) and the run counters. */
  telemetry?: Telemetry;
}

/** The worker role: takes turns off the queue and runs them, replying where each request came from. */
export function composeWorker(options: WorkerCompositionOptions): Worker {
  const { config, log } = options;
  const execute: TurnExecutor = async ({ turn, thread, request, signal, drainInbox, resumed }) => {
    const reporter = options.reporterFor(request, turn.id);
    const repo = config.repos.find((candidate) => candidate.name === request.repo);
    if (!repo) {
      await reporter.finish(refusal(`Repository ${request.repo} is not configured for Baton.`));
      await options.store.updateTurn(turn.id, {
        status: 'failed',
        error: `unknown repository ${request.repo}`,
      });
      return;
    }
    const documents = gatherContext({
      request,
      integrations: options.integrations,
      config,
      githubApiUrl: options.githubApiUrl,
      log,
    });
    await executeTurn(options.deps, {
      turn,
      thread,
      repo,
      task: request.text,
      requester: request.requester.name ?? request.requester.id,
      documents,
      reporter,
      signal,
      drainInbox,
      resumed,
      lostOwnership: () => runAbortCodeOf(signal) === 'run_claim_lost',
      claimFinish: (status, error) => options.store.finishTurn(turn.id, options.workerId, { status, error }),
      // Owed from here: if this process dies before the reply is confirmed, a worker's sweep sends it.
      recordFinal: (outcome) =>
        options.store.recordFinal(turn.id, {
          origin: request.origin.kind,
          outcome,
          dueAt: new Date(Date.now() + config.runs.finals.leaseSeconds * 1000).toISOString(),
        }),
      requestInfo: {
        threadKey: thread.key,
        requester: request.requester.name ?? request.requester.id,
        linearIssueKey: request.linearIssueKey,
        ...(await originLink(request, options.integrations, log)),
        runUrl: config.server.publicBaseUrl
          ? `${config.server.publicBaseUrl.replace(/\/$/, '')}/runs/${turn.id}`
          : undefined,
      },
    }).catch((error: unknown) => {
      log.error({ turnId: turn.id, error: describeError(error) }, 'turn crashed');
      throw error;
    });
  };
  return createWorker({
    store: options.store,
    queue: options.queue,
    execute: options.telemetry
      ? instrumentExecutor(execute, { telemetry: options.telemetry, store: options.store })
      : execute,
    onAbandoned: async (turn) => {
      const request = queuedRequestOf(turn.id, turn.request);
      const thread = await options.store.getThread(turn.threadId);
      const where = thread ? ` The work kept so far is on branch ${thread.branch}.` : '';
      await options
        .reporterFor(request, turn.id)
        .finish(
          refusal(
            `The run stopped: the workers running it stopped ${turn.attempt} times, so Baton is not trying again.${where}`,
          ),
        );
    },
    redeliverFinals: () => redeliverFinals(options),
    finalsSweepMs: config.runs.finals.sweepMs,
    config: config.runs,
    workerId: options.workerId,
    log,
  });
}

/**
 * The finals that are due (a post that failed, or a process that died mid-post) go out again
 * through their origin's reporter, which claims, looks for the reply already posted, and posts.
 */
async function redeliverFinals(options: WorkerCompositionOptions): Promise<void> {
  for (const due of await options.store.listDueFinals({ limit: 20 })) {
    try {
      const turn = await options.store.getTurn(due.turnId);
      if (!turn) continue;
      const request = queuedRequestOf(turn.id, turn.request);
      await options.reporterFor(request, turn.id).finish(due.outcome as RunOutcome);
    } catch (error) {
      options.log.warn({ turnId: due.turnId, error: describeError(error) }, 'final-redelivery-failed');
    }
  }
}

function refusal(summary: string): RunOutcome {
  return { status: 'failed', summary, checks: [], tokens: 0, costUsd: 0 };
}
