import type { Intake } from '../runs/intake.ts';
import type { Item } from '../runs/items.ts';
import type { TurnExecutor } from '../runs/worker.ts';
import type { Store } from '../store/types.ts';
import type { Telemetry } from './instrument-turn.ts';
import { contextOfTraceparent, inSpan, SpanKind, traceIdOf, traceparentOf } from './tracing.ts';

/**
 * Dedupe and enqueue as one producer span. The request is stored with the span's `traceparent`
 * (unless it came with one), so the worker that takes the turn continues the same trace.
 */
export function instrumentIntake(intake: Intake, telemetry: Telemetry): Intake {
  return {
    cancel: (target, by) => intake.cancel(target, by),
    submit: (request) =>
      inSpan(
        telemetry.tracer,
        'intake submit',
        {
          kind: SpanKind.PRODUCER,
          attributes: { 'baton.origin': request.origin.kind, 'baton.repo': request.repo },
        },
        async (span) => {
          const traceparent = request.traceparent ?? traceparentOf();
          const result = await intake.submit(traceparent ? { ...request, traceparent } : request);
          span.setAttribute('baton.intake.result', result.type);
          if (result.type !== 'duplicate') span.setAttribute('baton.turn.id', result.turnId);
          return result;
        },
      ),
  };
}

/**
 * A turn as a consumer span under the request's trace, with the run counters: started, finished by
 * outcome (read back from the store, where the turn recorded it), duration, queue wait, active turns.
 */
export function instrumentExecutor(
  execute: TurnExecutor,
  options: { telemetry: Telemetry; store: Pick<Store, 'getTurn'>; clock?: () => number },
): TurnExecutor {
  const { tracer, metrics } = options.telemetry;
  const clock = options.clock ?? Date.now;
  return (input) => {
    const { turn, request } = input;
    const origin = request.origin.kind;
    const started = clock();
    if (!input.resumed)
      metrics.queueWait.observe(Math.max(0, started - Date.parse(request.receivedAt)) / 1000);
    metrics.runsStarted.inc({ origin });
    metrics.activeTurns.inc();
    return inSpan(
      tracer,
      'turn',
      {
        kind: SpanKind.CONSUMER,
        parent: contextOfTraceparent(request.traceparent),
        attributes: {
          'baton.turn.id': turn.id,
          'baton.thread.key': input.thread.key,
          'baton.origin': origin,
          'baton.repo': request.repo,
          'baton.resumed': input.resumed,
          ...(traceIdOf(request.traceparent)
            ? { 'baton.request.trace_id': traceIdOf(request.traceparent) }
            : {}),
        },
      },
      async (span) => {
        try {
          await execute(input);
        } finally {
          metrics.activeTurns.dec();
          const outcome = (await options.store.getTurn(turn.id).catch(() => undefined))?.status ?? 'unknown';
          span.setAttribute('baton.turn.status', outcome);
          metrics.runsFinished.inc({ origin, outcome });
          metrics.runDuration.observe((clock() - started) / 1000, { origin, outcome });
        }
      },
    );
  };
}

/** Counts what a turn's items tell and no decorator sees: environments prepared, cache hits. */
export function observeItems(telemetry: Pick<Telemetry, 'metrics'>): (item: Item) => void {
  return (item) => {
    const { payload } = item;
    if (payload.type === 'environment' && payload.status !== 'none') {
      telemetry.metrics.environments.inc({ cached: String(payload.cached), status: payload.status });
    }
  };
}
