import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/index.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server.ts';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-server.ts';
import { createFixtureRepo, createTempDir } from '../fixtures/git-repo.ts';
import { calculatorProject } from '../fixtures/projects/calculator.ts';
import { type BatonProcess, createFreshDatabase, mention, spawnBaton } from './process-harness.ts';
import { CHANNEL, REPO, waitFor } from './server-harness.ts';

const readMath = { name: 'read_file', arguments: { path: 'src/math.js' } };
const fixAdd = {
  name: 'edit_file',
  arguments: { path: 'src/math.js', old_string: 'return a - b;', new_string: 'return a + b;' },
};
const finish = {
  name: 'finish',
  arguments: { summary: 'add() adds now.', pr_title: 'Fix add()', pr_body: 'Fixed add().' },
};

/** One series' value from a Prometheus text page; 0 when the series is absent. */
function sample(page: string, series: string): number {
  const line = page.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const scrape = async (port: number | undefined) => {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
};

describe('/metrics on the gateway and on a worker process (Postgres, two processes)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('shows the counters move during an end-to-end run', async () => {
    const model: FakeOpenAI = await startFakeOpenAI();
    const slack: FakeSlack = await startFakeSlack();
    const repo = createFixtureRepo(calculatorProject);
    const root = createTempDir('baton-metrics-e2e-');
    const database = await createFreshDatabase();
    const processes: BatonProcess[] = [];
    cleanups.push(
      () => model.close(),
      () => slack.close(),
      () => repo.cleanup(),
      () => root.cleanup(),
      () => database.drop(),
      async () => {
        for (const child of processes) await child.stop();
      },
    );
    const config: ConfigInput = {
      model: { name: 'gpt-test', prices: { 'gpt-test': { inputPerMillion: 2, outputPerMillion: 8 } } },
      repos: [{ name: REPO, url: repo.path }],
      server: { port: 0, workerPort: 0, host: '127.0.0.1' },
      runs: { heartbeatSeconds: 10, workerConcurrency: 1 },
    };
    const common = { config, model, slack, databaseUrl: database.url };
    const gateway = await spawnBaton({ ...common, role: 'gateway', dataDir: join(root.path, 'gateway') });
    processes.push(gateway);
    const worker = await spawnBaton({ ...common, role: 'worker', dataDir: join(root.path, 'worker') });
    processes.push(worker);
    expect(worker.port).toBeUndefined();
    expect(worker.workerPort).toBeGreaterThan(0);
    const health = await fetch(`http://127.0.0.1:${worker.workerPort}/healthz`);
    expect(health.status).toBe(200);

    const gatewayBefore = await scrape(gateway.port);
    const workerBefore = await scrape(worker.workerPort);
    expect(sample(workerBefore, 'baton_runs_started_total{origin="slack"}')).toBe(0);
    expect(gatewayBefore).toContain('# TYPE baton_process_cpu_user_seconds_total counter');

    // The model is slow on its last answer, so the worker is scraped while the turn runs.
    model.enqueue(
      { type: 'tool_calls', calls: [readMath] },
      { type: 'tool_calls', calls: [fixAdd] },
      { type: 'delay', ms: 2_000, reply: { type: 'tool_calls', calls: [finish] } },
    );
    const { ts } = await mention(slack, gateway.port ?? 0, `please fix the add test repo:${REPO}`);
    const running = await waitFor('the turn running on the worker', async () => {
      const page = await scrape(worker.workerPort);
      return sample(page, 'baton_active_turns') === 1 ? page : undefined;
    });
    expect(sample(running, 'baton_runs_started_total{origin="slack"}')).toBe(1);

    await waitFor('the final reaction', () => slack.reactions(CHANNEL, ts).includes('white_check_mark'));
    const gatewayAfter = await scrape(gateway.port);
    expect(sample(gatewayAfter, 'baton_events_received_total{source="slack",type="app_mention"}')).toBe(1);
    expect(sample(gatewayAfter, 'baton_runs_queued_total{source="slack",type="queued"}')).toBe(1);

    const workerAfter = await waitFor('the finished counter', async () => {
      const page = await scrape(worker.workerPort);
      return sample(page, 'baton_runs_finished_total{origin="slack",outcome="succeeded"}') === 1
        ? page
        : undefined;
    });
    expect(sample(workerAfter, 'baton_active_turns')).toBe(0);
    expect(sample(workerAfter, 'baton_agent_steps_total{model="gpt-test"}')).toBe(3);
    expect(sample(workerAfter, 'baton_tokens_total{kind="input",model="gpt-test"}')).toBeGreaterThan(0);
    expect(sample(workerAfter, 'baton_cost_usd_total{model="gpt-test"}')).toBeGreaterThan(0);
    expect(sample(workerAfter, 'baton_tool_calls_total{code="ok",tool="edit_file"}')).toBe(1);
    expect(sample(workerAfter, 'baton_middleware_results_total{status="passed",step="commit"}')).toBe(1);
    expect(sample(workerAfter, 'baton_run_duration_seconds_count{origin="slack",outcome="succeeded"}')).toBe(
      1,
    );
    expect(sample(workerAfter, 'baton_queue_wait_seconds_count')).toBe(1);
    expect(sample(workerAfter, 'baton_sandbox_create_seconds_count{provider="local",result="ok"}')).toBe(1);
    expect(sample(workerAfter, 'baton_queue_depth')).toBe(0);
  });
});
