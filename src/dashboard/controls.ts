import type { Logger } from '../observability/logger.ts';
import type { Intake, SubmitResult } from '../runs/intake.ts';
import { type QueuedRequest, queuedRequestOf } from '../runs/queued-request.ts';
import type { RunSummary } from '../store/run-queries.ts';
import type { Store } from '../store/types.ts';
import type { Viewer } from './access.ts';
import { ACTIVE_STATUSES, RETRYABLE_STATUSES } from './render-run.ts';

export type ControlResult =
  | { type: 'done'; message: string; turnId: string }
  | { type: 'conflict'; message: string };

export interface ControlsOptions {
  store: Pick<Store, 'appendItem' | 'findActiveTurn'>;
  intake: Pick<Intake, 'submit' | 'cancel'>;
  /** After a retry is queued: acknowledge it where it was asked (👀, a status message). */
  afterSubmit?: (request: QueuedRequest, result: Exclude<SubmitResult, { type: 'duplicate' }>) => void;
  now: () => number;
  log: Logger;
}

/** Cancel and retry from the dashboard; both are recorded as items of the run they act on. */
export function createControls(options: ControlsOptions) {
  const { store, intake, log } = options;
  return {
    async cancel(run: RunSummary, viewer: Viewer): Promise<ControlResult> {
      if (!ACTIVE_STATUSES.has(run.turn.status))
        return {
          type: 'conflict',
          message: `The run is ${run.turn.status}; only a queued or running run can be cancelled.`,
        };
      const result = await intake.cancel({ turnId: run.turn.id }, viewer.id);
      if (!result.cancelled) return { type: 'conflict', message: 'The run ended before the cancel arrived.' };
      await store.appendItem(
        run.turn.id,
        { type: 'status', text: `Cancel requested from the dashboard by ${viewer.name}.` },
        { completed: true },
      );
      log.info({ turnId: run.turn.id, by: viewer.id }, 'dashboard-cancel');
      return { type: 'done', message: 'Cancel requested.', turnId: run.turn.id };
    },

    async retry(run: RunSummary, viewer: Viewer): Promise<ControlResult> {
      if (!RETRYABLE_STATUSES.has(run.turn.status))
        return {
          type: 'conflict',
          message: `The run is ${run.turn.status}; only a failed, cancelled or budget-exhausted run can be retried.`,
        };
      const active = await store.findActiveTurn(run.thread.id);
      if (active)
        return { type: 'conflict', message: `The thread already has an active run (${active.id}).` };
      const original = queuedRequestOf(run.turn.id, run.turn.request);
      const request: QueuedRequest = {
        ...original,
        threadKey: run.thread.key,
        receivedAt: new Date(options.now()).toISOString(),
        // One retry per run: a double click or a resent form does not queue two.
        dedupeKeys: [`dashboard-retry:${run.turn.id}`],
      };
      const result = await intake.submit(request);
      switch (result.type) {
        case 'duplicate':
          return { type: 'conflict', message: 'This run was retried already.' };
        case 'injected':
          return { type: 'conflict', message: `The thread already has an active run (${result.turnId}).` };
        case 'queued':
          await store.appendItem(
            run.turn.id,
            { type: 'status', text: `Retried from the dashboard by ${viewer.name} as run ${result.turnId}.` },
            { completed: true },
          );
          options.afterSubmit?.(request, result);
          log.info({ turnId: run.turn.id, retry: result.turnId, by: viewer.id }, 'dashboard-retry');
          return { type: 'done', message: 'Retry queued.', turnId: result.turnId };
      }
    },
  };
}
