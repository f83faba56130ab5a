import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createBatonMetrics, createMetricsRegistry } from '../../../src/observability/metrics.ts';

const root = join(import.meta.dirname, '../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Baton's own series, as declared: every `# TYPE` line of a registry without the process defaults. */
async function batonSeries(): Promise<string[]> {
  const text = await createBatonMetrics(createMetricsRegistry({ defaults: false })).registry.render();
  return [...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1] ?? '');
}

/** Metric names a PromQL expression uses (histogram suffixes folded onto their series). */
const namesIn = (expression: string) =>
  [...expression.matchAll(/\bbaton_[a-z_]+/g)].map((match) => match[0].replace(/_(bucket|count|sum)$/, ''));

describe('the metrics documentation', () => {
  it('explains every series Baton registers', async () => {
    const doc = read('docs/observability.md');
    const series = await batonSeries();
    expect(series.length).toBeGreaterThan(15);
    for (const name of series)
      expect(doc, `docs/observability.md should explain ${name}`).toContain(`\`${name}\``);
  });

  it('builds the Grafana dashboard and the alert rules only on series that exist', async () => {
    const known = new Set([...(await batonSeries()), 'baton_process_resident_memory_bytes']);
    const dashboard = JSON.parse(read('docs/grafana-dashboard.json')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const alerts = parse(read('docs/prometheus-alerts.yaml')) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const expressions = [
      ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)),
      ...alerts.groups.flatMap((group) => group.rules.map((rule) => rule.expr)),
    ];
    expect(expressions.length).toBeGreaterThan(20);
    for (const expression of expressions)
      for (const name of namesIn(expression)) expect(known.has(name), `${name} in ${expression}`).toBe(true);
    const alertNames = alerts.groups.flatMap((group) => group.rules.map((rule) => rule.alert));
    expect(alertNames).toEqual(
      expect.arrayContaining([
        'BatonQueueWaitHigh',
        'BatonFailureRateHigh',
        'BatonUndeliveredFinals',
        'BatonCostPerHourHigh',
      ]),
    );
  });
});
