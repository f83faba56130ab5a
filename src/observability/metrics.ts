/**
 * A small Prometheus registry: counters and histograms with labels, rendered in the text
 * exposition format (version 0.0.4). Baton needs a handful of series; prom-client's default
 * collectors and cluster aggregation would not earn their weight here.
 */

export type Labels = Readonly<Record<string, string>>;

export interface Counter {
  inc(labels?: Labels, value?: number): void;
  /** The current value for one label set (0 when never incremented). */
  value(labels?: Labels): number;
}

export interface Histogram {
  /** Records one observation, in the histogram's unit (seconds for latencies). */
  observe(value: number, labels?: Labels): void;
  count(labels?: Labels): number;
}

export interface MetricsRegistry {
  counter(options: { name: string; help: string }): Counter;
  histogram(options: { name: string; help: string; buckets: readonly number[] }): Histogram;
  /** All series in the Prometheus text format. */
  render(): string;
}

/** The content type `/metrics` answers with. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const keyOf = (labels: Labels = {}): string =>
  Object.keys(labels)
    .sort()
    .map((name) => `${name}="${escapeLabelValue(labels[name] ?? '')}"`)
    .join(',');

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

const withBraces = (key: string): string => (key ? `{${key}}` : '');
const joinKeys = (key: string, extra: string): string => (key ? `${key},${extra}` : extra);

interface Series {
  header: string;
  lines(): string[];
}

function createCounter(name: string, help: string): Counter & Series {
  const values = new Map<string, number>();
  return {
    header: `# HELP ${name} ${help}\n# TYPE ${name} counter`,
    inc(labels, value = 1) {
      const key = keyOf(labels);
      values.set(key, (values.get(key) ?? 0) + value);
    },
    value: (labels) => values.get(keyOf(labels)) ?? 0,
    lines: () => [...values].map(([key, value]) => `${name}${withBraces(key)} ${value}`),
  };
}

interface Buckets {
  counts: number[];
  sum: number;
  count: number;
}

function createHistogram(name: string, help: string, bounds: readonly number[]): Histogram & Series {
  const sorted = [...bounds].sort((left, right) => left - right);
  const series = new Map<string, Buckets>();
  return {
    header: `# HELP ${name} ${help}\n# TYPE ${name} histogram`,
    observe(value, labels) {
      const key = keyOf(labels);
      const entry = series.get(key) ?? { counts: sorted.map(() => 0), sum: 0, count: 0 };
      sorted.forEach((bound, index) => {
        if (value <= bound) entry.counts[index] = (entry.counts[index] ?? 0) + 1;
      });
      entry.sum += value;
      entry.count += 1;
      series.set(key, entry);
    },
    count: (labels) => series.get(keyOf(labels))?.count ?? 0,
    lines: () =>
      [...series].flatMap(([key, entry]) => [
        ...sorted.map(
          (bound, index) =>
            `${name}_bucket${withBraces(joinKeys(key, `le="${bound}"`))} ${entry.counts[index] ?? 0}`,
        ),
        `${name}_bucket${withBraces(joinKeys(key, 'le="+Inf"'))} ${entry.count}`,
        `${name}_sum${withBraces(key)} ${entry.sum}`,
        `${name}_count${withBraces(key)} ${entry.count}`,
      ]),
  };
}

export function createMetricsRegistry(): MetricsRegistry {
  const all = new Map<string, Series>();
  const register = <T extends Series>(name: string, series: T): T => {
    if (all.has(name)) throw new Error(`metric ${name} is registered twice`);
    all.set(name, series);
    return series;
  };
  return {
    counter: ({ name, help }) => register(name, createCounter(name, help)),
    histogram: ({ name, help, buckets }) => register(name, createHistogram(name, help, buckets)),
    render: () =>
      `${[...all.values()].map((series) => [series.header, ...series.lines()].join('\n')).join('\n')}\n`,
  };
}

/** The series the gateway and the triggers report. One set per process, passed down as an argument. */
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
  /**
   * Labels: `origin` (slack, linear, github), `result` (delivered, found, retrying, undelivered).
   * Each attempt at a final reply; `undelivered` counts finals given up on (listed in the store).
   */
  finalDeliveries: Counter;
}

const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3, 5];

export function createBatonMetrics(registry: MetricsRegistry = createMetricsRegistry()): BatonMetrics {
  return {
    registry,
    eventsReceived: registry.counter({
      name: 'baton_events_received_total',
      help: 'Events received from a front door, by source and type.',
    }),
    duplicates: registry.counter({
      name: 'baton_events_duplicate_total',
      help: 'Deliveries dropped because their dedupe key was already claimed.',
    }),
    refusals: registry.counter({
      name: 'baton_requests_refused_total',
      help: 'Requests answered with a refusal instead of a run, by reason.',
    }),
    runsQueued: registry.counter({
      name: 'baton_runs_queued_total',
      help: 'Requests enqueued as a new turn (queued) or injected into an active run (injected).',
    }),
    finalDeliveries: registry.counter({
      name: 'baton_final_replies_total',
      help: 'Attempts at a final reply, by origin and result (delivered, found, retrying, undelivered).',
    }),
    ackLatency: registry.histogram({
      name: 'baton_http_ack_seconds',
      help: 'Time from request start to response end, by route.',
      buckets: ACK_BUCKETS,
    }),
  };
}
