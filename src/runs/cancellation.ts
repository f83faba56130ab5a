import { BatonError, describeError } from '../observability/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Store } from '../store/types.ts';

/** Why a worker aborted a run's signal; an executor tells a cancel from a lost claim by `code`. */
export type RunAbortCode = 'run_cancelled' | 'run_claim_lost';

export function runAbortError(code: RunAbortCode, detail: string): BatonError {
  const messages: Record<RunAbortCode, string> = {
    run_cancelled: `cancelled by ${detail}`,
    run_claim_lost: `this worker no longer holds the run: ${detail}`,
  };
  return new BatonError({ code, message: messages[code] });
}

/** The code of the worker's abort reason, when the signal was aborted by a worker. */
export function runAbortCodeOf(signal: AbortSignal): RunAbortCode | undefined {
  const reason: unknown = signal.reason;
  if (!(reason instanceof BatonError)) return undefined;
  switch (reason.code) {
    case 'run_cancelled':
    case 'run_claim_lost':
      return reason.code;
    default:
      return undefined;
  }
}

export interface CancellationWatch {
  stop(): void;
}

/**
 * Polls the turn's cancel request (about every `pollMs`) and aborts `controller` when one appears.
 * Polling the store rather than listening works the same on PGlite and on a server, across processes.
 */
export function watchCancellation(options: {
  store: Pick<Store, 'getTurn'>;
  turnId: string;
  controller: AbortController;
  pollMs: number;
  log: Logger;
}): CancellationWatch {
  const { controller } = options;
  let checking = false;
  const timer = setInterval(() => {
    if (checking || controller.signal.aborted) return;
    checking = true;
    options.store
      .getTurn(options.turnId)
      .then((turn) => {
        if (turn?.cancelRequestedAt && !controller.signal.aborted) {
          controller.abort(runAbortError('run_cancelled', turn.cancelRequestedBy ?? 'someone'));
        }
      })
      .catch((error: unknown) => options.log.warn({ error: describeError(error) }, 'cancel-check-failed'))
      .finally(() => {
        checking = false;
      });
  }, options.pollMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
    },
  };
}
