import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { context, trace } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-node';
import { createUsageMeter } from '../src/agent/budget.ts';
import { runAgentLoop } from '../src/agent/loop.ts';
import { parseConfig } from '../src/config/loader.ts';
import type { ModelClient, ModelResponse } from '../src/model/types.ts';
import {
  instrumentModel,
  instrumentToolRegistry,
  type Telemetry,
} from '../src/observability/instrument-turn.ts';
import { createSilentLogger } from '../src/observability/logger.ts';
import { createBatonMetrics, createMetricsRegistry } from '../src/observability/metrics.ts';
import { defaultTracer } from '../src/observability/tracing.ts';
import type { Reporter } from '../src/runs/reporter.ts';
import type { Sandbox } from '../src/sandbox/types.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { createToolRegistry } from '../src/tools/registry.ts';
import { createToolState } from '../src/tools/types.ts';
import { formatMs, median, percentile, printFigure } from './stats.ts';

const STEPS = 300;
const ROUNDS = 3;

/** An exporter that accepts and drops: the cost measured is making and batching spans, not shipping them. */
const discard: SpanExporter = {
  export: (_spans: ReadableSpan[], done: (result: ExportResult) => void) => done({ code: 0 }),
  shutdown: async () => {},
};

/**
 * One agent loop of STEPS `todo` calls, instrumented as in production, persisting its items to the
 * embedded store as a turn does (as the loop-overhead benchmark measures it); the median step time.
 */
async function loopStepMs(telemetry: Telemetry, store: Store, turnId: string): Promise<number> {
  let calls = 0;
  const raw: ModelClient = {
    provider: 'chat-completions',
    model: 'bench',
    async complete(): Promise<ModelResponse> {
      calls += 1;
      const done = calls > STEPS;
      const args = done
        ? { summary: 'done', pr_title: 'done', pr_body: 'done' }
        : { items: [{ text: `step ${calls}`, status: 'in_progress' }] };
      return {
        message: {
          content: null,
          toolCalls: [
            { id: `call_${calls}`, name: done ? 'finish' : 'todo', arguments: JSON.stringify(args) },
          ],
        },
        usage: { inputTokens: 1000, cachedInputTokens: 900, outputTokens: 20 },
        costUsd: 0,
        finishReason: 'tool_calls',
      };
    },
  };
  const reporter: Reporter = {
    start: async () => undefined,
    progress: () => undefined,
    reply: async () => undefined,
    ask: async () => ({ type: 'deferred' }),
    finish: async () => undefined,
  };
  const config = parseConfig({ budgets: { maxSteps: STEPS + 10 } });
  const steps: number[] = [];
  let last = performance.now();
  const tracer = telemetry.tracer;
  const turn = tracer.startSpan('turn');
  await context.with(trace.setSpan(context.active(), turn), () =>
    runAgentLoop({
      model: instrumentModel(raw, telemetry),
      registry: instrumentToolRegistry(createToolRegistry({}), telemetry),
      system: 'bench',
      messages: [{ role: 'user', content: 'bench' }],
      toolContext: {
        runId: 'bench',
        sandbox: { id: 'bench', workdir: '/workspace' } as unknown as Sandbox, // `todo` never touches it
        signal: new AbortController().signal,
        log: createSilentLogger(),
        reporter,
        state: createToolState(),
        policies: config.policies,
        outputLimit: config.agent.toolOutputLimit,
        progress: () => undefined,
        secrets: [],
      },
      budgets: config.budgets,
      meter: createUsageMeter(Date.now()),
      clock: Date.now,
      record: async (payload) => {
        await store.appendItem(turnId, payload, { completed: true });
        if (payload.type !== 'tool_result') return;
        const now = performance.now();
        steps.push(now - last);
        last = now;
      },
    }),
  );
  turn.end();
  return median(steps.slice(20));
}

/** p99 of acks from a gateway child process (tracing on or off), loaded from this process. */
async function ackP99(tracing: 'on' | 'off'): Promise<{ p99: number; errors: number }> {
  const child = fork(new URL('./tracing-gateway.ts', import.meta.url), [tracing], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (message) => resolve(Number(message))),
  );
  const latencies: number[] = [];
  let errors = 0;
  // 200 requests/s for 8 s, paced, never more than the rate: bounded and on loopback only.
  const total = 1600;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let index = 0; index < total; index += 1) {
    const due = started + index * 5;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    pending.push(
      fetch(`http://127.0.0.1:${port}/bench`, { method: 'POST', body: '{"type":"event_callback"}' }).then(
        async (response) => {
          await response.arrayBuffer();
          if (response.status !== 200) errors += 1;
          latencies.push(performance.now() - sent);
        },
        () => {
          errors += 1;
        },
      ),
    );
  }
  await Promise.all(pending);
  child.kill('SIGTERM');
  return { p99: percentile(latencies.slice(200), 0.99), errors };
}

/** Tracing on vs off: per-step loop time and gateway ack p99; goal at most 5% more with tracing on. */
export async function benchTracingOverhead(): Promise<void> {
  // Production's tracer either way; off is a process with no SDK registered (no context manager either).
  const telemetry: Telemetry = {
    tracer: defaultTracer(),
    metrics: createBatonMetrics(createMetricsRegistry({ defaults: false })),
  };
  const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(discard)] });
  const tracingOff = () => {
    trace.disable();
    context.disable();
  };
  const { store } = await openStore({});
  const thread = await store.upsertThread({ key: 'bench', origin: {}, repo: 'bench', branch: 'baton/bench' });
  const loop = async () => {
    const turn = await store.createTurn({ threadId: thread.id, request: {} });
    return loopStepMs(telemetry, store, turn.id);
  };
  const offSteps: number[] = [];
  const onSteps: number[] = [];
  await loop(); // warm-up
  for (let round = 0; round < ROUNDS; round += 1) {
    tracingOff();
    offSteps.push(await loop());
    provider.register();
    onSteps.push(await loop());
  }
  tracingOff();
  await provider.shutdown();
  await store.close();
  const stepOff = median(offSteps);
  const stepOn = median(onSteps);
  printFigure(
    'loop step, tracing on vs off',
    { off: formatMs(stepOff), on: formatMs(stepOn), ratio: (stepOn / stepOff).toFixed(3) },
    'ratio ≤ 1.05',
    stepOn / stepOff <= 1.05,
  );
  await ackP99('off'); // warm-up: the machine, not the code under test
  // Interleaved, so a change in the machine's load between rounds falls on both sides alike.
  const offRuns: { p99: number; errors: number }[] = [];
  const onRuns: { p99: number; errors: number }[] = [];
  for (let round = 0; round < 3; round += 1) {
    offRuns.push(await ackP99('off'));
    onRuns.push(await ackP99('on'));
  }
  const offAck = {
    p99: median(offRuns.map((run) => run.p99)),
    errors: offRuns.reduce((sum, run) => sum + run.errors, 0),
  };
  const onAck = {
    p99: median(onRuns.map((run) => run.p99)),
    errors: onRuns.reduce((sum, run) => sum + run.errors, 0),
  };
  printFigure(
    'gateway ack p99, tracing on vs off (separate process)',
    {
      off: formatMs(offAck.p99),
      on: formatMs(onAck.p99),
      ratio: (onAck.p99 / offAck.p99).toFixed(3),
      errors: String(offAck.errors + onAck.errors),
    },
    'ratio ≤ 1.05, 0 errors',
    onAck.p99 / offAck.p99 <= 1.05 && offAck.errors + onAck.errors === 0,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await benchTracingOverhead();
