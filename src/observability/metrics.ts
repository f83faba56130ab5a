import {
  type Counter,
  createMetricsRegistry,
  type Gauge,
  type Histogram,
  type MetricsRegistry,
} from './prometheus-registry.ts';

export type { Counter, Gauge, Histogram, Labels, MetricsRegistry } from './prometheus-registry.ts';
export { createMetricsRegistry, PROMETHEUS_CONTENT_TYPE } from './prometheus-registry.ts';

/**
 * Every series Baton reports, one set per process, passed down as an argument. docs/metrics.md
 * explains each one and the alerts built on them.
 */
export interface BatonMetrics {
  registry: MetricsRegistry;
  /** Labels: `source` (slack, linear, github), `type` (app_mention, message, slash_command, block_actions…). */
  eventsReceived: Counter;
  /** Labels: `source`. A retry or a second delivery of the same message. */
  duplicates: Counter;
  /** Labels: `source`, `reason` (unauthorised, unknown_repo, too_long, no_repo). */
  refusals: Counter;
  /** Labels: `source`, `type` (queued, injected). */
  runsQueued: Counter;
  /** Labels: `route`. Seconds from the first byte of a request to the end of its response. */
  ackLatency: Histogram;
  /** Labels: `source`, `reason` (bad_signature, stale, missing_secret, malformed). */
  webhookRejected: Counter;
  /** Labels: `origin`. */
  runsStarted: Counter;
  /** Labels: `origin`, `outcome` (succeeded, failed, cancelled, needs_input…). */
  runsFinished: Counter;
  /** Labels: `origin`, `outcome`. Seconds from a turn's start on a worker to its end. */
  runDuration: Histogram;
  /** Turns running in this process. */
  activeTurns: Gauge;
  /** Seconds from a request's receipt to a worker starting its turn. */
  queueWait: Histogram;
  /** Turns queued and not yet running (read from the store at scrape time). */
  queueDepth: Gauge;
  /** Labels: `model`. One per model call. */
  steps: Counter;
  /** Labels: `model`, `kind` (input, cached, output). */
  tokens: Counter;
  /** Labels: `model`. US dollars. */
  costUsd: Counter;
  /** Labels: `model`, `code` (ok or the error code). Seconds per model call. */
  modelCallDuration: Histogram;
  /** Labels: `tool`, `code` (ok or the tool's error code). */
  toolCalls: Counter;
  /** Labels: `step`, `status`. */
  middlewareResults: Counter;
  /** Labels: `provider`, `result` (ok, failed). Seconds to create a sandbox. */
  sandboxCreate: Histogram;
  /** Labels: `provider`, `result` (ok, nonzero, timeout, failed). Seconds per sandbox command. */
  sandboxExec: Histogram;
  /** Labels: `cached` (true, false), `status`. */
  environments: Counter;
  /** Labels: `origin`. Final replies that could not be delivered (yet). */
  undeliveredFinals: Counter;
  /** Labels: `reason` (turn_ended, superseded). E2B sandboxes found running with no turn to serve, killed. */
  e2bOrphans: Counter;
}

const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3, 5];
const CALL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const RUN_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];
const WAIT_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

export function createBatonMetrics(
  registry: MetricsRegistry = createMetricsRegistry(),
  options: { queueDepth?: () => Promise<number> } = {},
): BatonMetrics {
  const counter = (name: string, help: string, labelNames: string[]) =>
    registry.counter({ name, help, labelNames });
  const histogram = (name: string, help: string, labelNames: string[], buckets: readonly number[]) =>
    registry.histogram({ name, help, labelNames, buckets });
  const queueDepth: Gauge = registry.gauge({
    name: 'baton_queue_depth',
    help: 'Turns queued and not yet running.',
    collect: async () => {
      if (options.queueDepth) queueDepth.set(await options.queueDepth().catch(() => Number.NaN));
    },
  });
  return {
    registry,
    eventsReceived: counter(
      'baton_events_received_total',
      'Events received from a front door, by source and type.',
      ['source', 'type'],
    ),
    duplicates: counter(
      'baton_events_duplicate_total',
      'Deliveries dropped because their dedupe key was already claimed.',
      ['source'],
    ),
    refusals: counter(
      'baton_requests_refused_total',
      'Requests answered with a refusal instead of a run, by reason.',
      ['source', 'reason'],
    ),
    runsQueued: counter(
      'baton_runs_queued_total',
      'Requests enqueued as a new turn (queued) or injected into an active run (injected).',
      ['source', 'type'],
    ),
    ackLatency: histogram(
      'baton_http_ack_seconds',
      'Time from request start to response end, by route.',
      ['route'],
      ACK_BUCKETS,
    ),
    webhookRejected: counter(
      'baton_webhook_rejected_total',
      'Webhook deliveries refused before any work, by source and reason.',
      ['source', 'reason'],
    ),
    runsStarted: counter('baton_runs_started_total', 'Turns a worker started, by origin.', ['origin']),
    runsFinished: counter('baton_runs_finished_total', 'Turns that ended, by origin and outcome.', [
      'origin',
      'outcome',
    ]),
    runDuration: histogram(
      'baton_run_duration_seconds',
      'Seconds from a turn starting on a worker to its end.',
      ['origin', 'outcome'],
      RUN_BUCKETS,
    ),
    activeTurns: registry.gauge({ name: 'baton_active_turns', help: 'Turns running in this process.' }),
    queueWait: histogram(
      'baton_queue_wait_seconds',
      'Seconds from receipt of a request to its turn starting.',
      [],
      WAIT_BUCKETS,
    ),
    queueDepth,
    steps: counter('baton_agent_steps_total', 'Model calls made by agents, by model.', ['model']),
    tokens: counter('baton_tokens_total', 'Tokens by model and kind (input, cached, output).', [
      'model',
      'kind',
    ]),
    costUsd: counter('baton_cost_usd_total', 'Model cost in US dollars, by model.', ['model']),
    modelCallDuration: histogram(
      'baton_model_call_seconds',
      'Seconds per model call, by model and result code.',
      ['model', 'code'],
      CALL_BUCKETS,
    ),
    toolCalls: counter(
      'baton_tool_calls_total',
      'Tool calls, by tool and result code (ok or the error code).',
      ['tool', 'code'],
    ),
    middlewareResults: counter('baton_middleware_results_total', 'Middleware steps, by step and status.', [
      'step',
      'status',
    ]),
    sandboxCreate: histogram(
      'baton_sandbox_create_seconds',
      'Seconds to create a sandbox, by provider and result.',
      ['provider', 'result'],
      CALL_BUCKETS,
    ),
    sandboxExec: histogram(
      'baton_sandbox_exec_seconds',
      'Seconds per sandboxed command, by provider and result.',
      ['provider', 'result'],
      CALL_BUCKETS,
    ),
    environments: counter(
      'baton_environments_total',
      'Environments prepared for turns, by cache hit and status.',
      ['cached', 'status'],
    ),
    undeliveredFinals: counter(
      'baton_finals_undelivered_total',
      'Final replies that could not be delivered, by origin.',
      ['origin'],
    ),
    e2bOrphans: counter(
      'baton_e2b_orphan_sandboxes_total',
      'E2B sandboxes found running with no turn to serve (killed), by reason.',
      ['reason'],
    ),
  };
}
