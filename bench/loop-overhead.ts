import { performance } from 'node:perf_hooks';
import { createUsageMeter } from '../src/agent/budget.ts';
import { runAgentLoop } from '../src/agent/loop.ts';
import { parseConfig } from '../src/config/loader.ts';
import type { ModelClient, ModelRequest, ModelResponse } from '../src/model/types.ts';
import { createSilentLogger } from '../src/observability/logger.ts';
import type { Reporter } from '../src/runs/reporter.ts';
import type { Sandbox } from '../src/sandbox/types.ts';
import { openStore } from '../src/store/index.ts';
import { createToolRegistry } from '../src/tools/registry.ts';
import { createToolState } from '../src/tools/types.ts';
import { formatMs, median, printFigure } from './stats.ts';

const STEPS = 200;

/**
 * Loop overhead per step: everything but the model and tool time (argument validation, dispatch,
 * history, persisting items to the embedded store). The model answers instantly from memory and the
 * tool is `todo`, which touches no sandbox; their own time is measured and subtracted.
 */
export async function benchLoopOverhead(): Promise<void> {
  const { store } = await openStore({});
  const thread = await store.upsertThread({ key: 'bench', origin: {}, repo: 'bench', branch: 'baton/bench' });
  const turn = await store.createTurn({ threadId: thread.id, request: {} });
  let modelMs = 0;
  let calls = 0;
  const model: ModelClient = {
    provider: 'chat-completions',
    model: 'bench',
    async complete(_request: ModelRequest): Promise<ModelResponse> {
      const start = performance.now();
      calls += 1;
      const done = calls > STEPS;
      const name = done ? 'finish' : 'todo';
      const args = done
        ? { summary: 'done', pr_title: 'done', pr_body: 'done' }
        : { items: [{ text: `step ${calls}`, status: 'in_progress' }] };
      const response: ModelResponse = {
        message: {
          content: null,
          toolCalls: [{ id: `call_${calls}`, name, arguments: JSON.stringify(args) }],
        },
        usage: { inputTokens: 1000, cachedInputTokens: 900, outputTokens: 20 },
        costUsd: 0,
        finishReason: 'tool_calls',
      };
      modelMs += performance.now() - start;
      return response;
    },
  };
  const registry = createToolRegistry({});
  const todo = registry.get('todo');
  let toolMs = 0;
  if (todo) {
    const execute = todo.execute.bind(todo);
    todo.execute = async (args, context) => {
      const start = performance.now();
      try {
        return await execute(args, context);
      } finally {
        toolMs += performance.now() - start;
      }
    };
  }
  const reporter: Reporter = {
    start: async () => undefined,
    progress: () => undefined,
    reply: async () => undefined,
    ask: async () => ({ type: 'deferred' }),
    finish: async () => undefined,
  };
  const config = parseConfig({ budgets: { maxSteps: STEPS + 10 } });
  const perStep: number[] = [];
  let last = performance.now();
  let lastModel = 0;
  let lastTool = 0;
  const sandbox = { id: 'bench', workdir: '/workspace' } as unknown as Sandbox; // `todo` never touches it
  await runAgentLoop({
    model,
    registry,
    system: 'bench',
    messages: [{ role: 'user', content: 'bench' }],
    toolContext: {
      runId: turn.id,
      sandbox,
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
      await store.appendItem(turn.id, payload, { completed: true });
      if (payload.type === 'tool_result') {
        const now = performance.now();
        perStep.push(now - last - (modelMs - lastModel) - (toolMs - lastTool));
        last = now;
        lastModel = modelMs;
        lastTool = toolMs;
      }
    },
  });
  await store.close();
  const overhead = median(perStep.slice(10));
  printFigure(
    'loop overhead per step',
    { median: formatMs(overhead), steps: String(perStep.length) },
    '< 5 ms median',
    overhead < 5,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await benchLoopOverhead();
