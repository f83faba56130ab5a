import { describeError } from '../observability/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Store } from '../store/types.ts';
import { runAbortError, watchCancellation } from './cancellation.ts';

export interface TurnLease {
  /** Aborted when the run is cancelled, or when this worker lost the turn to another. */
  signal: AbortSignal;
  release(): void;
}

/**
 * What a worker keeps up while it runs a turn: the heartbeat that says it is alive (and finds out
 * when another worker took the turn over), and the watch for a cancel request.
 */
export function holdTurn(options: {
  store: Pick<Store, 'heartbeat' | 'getTurn'>;
  turnId: string;
  workerId: string;
  heartbeatMs: number;
  cancelPollMs: number;
  log: Logger;
}): TurnLease {
  const { store, turnId, workerId, log } = options;
  const controller = new AbortController();
  let beating = false;
  const heartbeat = setInterval(() => {
    if (beating) return;
    beating = true;
    store
      .heartbeat(turnId, workerId)
      .then((held) => {
        if (!held && !controller.signal.aborted) {
          log.warn({ turnId }, 'turn-claim-lost');
          controller.abort(runAbortError('run_claim_lost', 'the turn ended or another worker took it over'));
        }
      })
      // A database blip: the next beat tries again; a long outage makes the turn stale and resumable.
      .catch((error: unknown) => log.warn({ turnId, error: describeError(error) }, 'turn-heartbeat-failed'))
      .finally(() => {
        beating = false;
      });
  }, options.heartbeatMs);
  heartbeat.unref();
  const cancellation = watchCancellation({
    store,
    turnId,
    controller,
    pollMs: options.cancelPollMs,
    log,
  });
  return {
    signal: controller.signal,
    release() {
      clearInterval(heartbeat);
      cancellation.stop();
    },
  };
}
