import {
  collectDefaultMetrics,
  Counter as PromCounter,
  Gauge as PromGauge,
  Histogram as PromHistogram,
  Registry,
} from 'prom-client';

/*
 * The Prometheus registry behind a small interface: prom-client does the exposition format and the
 * process defaults (CPU, memory, event loop lag, GC); callers see counters, gauges and histograms
 * whose label names are declared up front, and `value()`/`count()` read back for tests and logs.
 */

export type Labels = Readonly<Record<string, string>>;

export interface Counter {
  inc(labels?: Labels, value?: number): void;
  /** The current value for one label set (0 when never incremented). */
  value(labels?: Labels): number;
}

export interface Gauge {
  set(value: number, labels?: Labels): void;
  inc(labels?: Labels, value?: number): void;
  dec(labels?: Labels, value?: number): void;
  value(labels?: Labels): number;
}

export interface Histogram {
  /** Records one observation, in the histogram's unit (seconds for latencies). */
  observe(value: number, labels?: Labels): void;
  count(labels?: Labels): number;
}

interface SeriesOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

export interface MetricsRegistry {
  counter(options: SeriesOptions): Counter;
  gauge(options: SeriesOptions & { collect?: () => Promise<void> | void }): Gauge;
  histogram(options: SeriesOptions & { buckets: readonly number[] }): Histogram;
  /** All series in the Prometheus text format. */
  render(): Promise<string>;
}

/** The content type `/metrics` answers with. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const keyOf = (labels: Labels = {}): string =>
  Object.keys(labels)
    .sort()
    .map((name) => `${name}=${labels[name]}`)
    .join(',');

/** Label sets in name order, so the exposition is stable whatever order a caller wrote them in. */
const sorted = (labels: Labels = {}): Record<string, string> =>
  Object.fromEntries(Object.entries(labels).sort(([left], [right]) => left.localeCompare(right)));

/** Label names seen at first use when none were declared; prom-client needs them up front. */
const labelNamesOf = (options: SeriesOptions): string[] => [...(options.labelNames ?? [])];

export function createMetricsRegistry(options: { defaults?: boolean } = {}): MetricsRegistry {
  const registry = new Registry();
  if (options.defaults ?? true) collectDefaultMetrics({ register: registry, prefix: 'baton_' });
  return {
    counter(series) {
      const values = new Map<string, number>();
      const counter = new PromCounter({ ...series, labelNames: labelNamesOf(series), registers: [registry] });
      return {
        inc(labels = {}, value = 1) {
          counter.inc(sorted(labels), value);
          const key = keyOf(labels);
          values.set(key, (values.get(key) ?? 0) + value);
        },
        value: (labels) => values.get(keyOf(labels)) ?? 0,
      };
    },
    gauge(series) {
      const values = new Map<string, number>();
      const gauge = new PromGauge({
        name: series.name,
        help: series.help,
        labelNames: labelNamesOf(series),
        registers: [registry],
        ...(series.collect ? { collect: series.collect } : {}),
      });
      const change = (labels: Labels, delta: number) => {
        const key = keyOf(labels);
        const next = (values.get(key) ?? 0) + delta;
        values.set(key, next);
        gauge.set(sorted(labels), next);
      };
      return {
        set(value, labels = {}) {
          values.set(keyOf(labels), value);
          gauge.set(sorted(labels), value);
        },
        inc: (labels = {}, value = 1) => change(labels, value),
        dec: (labels = {}, value = 1) => change(labels, -value),
        value: (labels) => values.get(keyOf(labels)) ?? 0,
      };
    },
    histogram(series) {
      const counts = new Map<string, number>();
      const histogram = new PromHistogram({
        name: series.name,
        help: series.help,
        labelNames: labelNamesOf(series),
        buckets: [...series.buckets],
        registers: [registry],
      });
      return {
        observe(value, labels = {}) {
          histogram.observe(sorted(labels), value);
          const key = keyOf(labels);
          counts.set(key, (counts.get(key) ?? 0) + 1);
        },
        count: (labels) => counts.get(keyOf(labels)) ?? 0,
      };
    },
    render: () => registry.metrics(),
  };
}
