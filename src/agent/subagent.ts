import type { BudgetsConfig } from '../config/schema.ts';
import type { ModelClient } from '../model/types.ts';
import type { ItemPayload } from '../runs/items.ts';
import type { Sandbox, SandboxCreateOptions, SandboxProvider } from '../sandbox/types.ts';
import type { ToolRegistry } from '../tools/registry.ts';
import {
  createToolState,
  type SubagentRequest,
  type SubagentResult,
  type ToolContext,
} from '../tools/types.ts';
import type { UsageMeter } from './budget.ts';
import { runAgentLoop } from './loop.ts';
import type { Prompts } from './prompts.ts';

export interface SubagentRunnerOptions {
  model: ModelClient;
  prompts: Prompts;
  explorerRegistry: ToolRegistry;
  writerRegistry: ToolRegistry;
  /** The parent's context; a subagent shares its sandbox (explorer) or gets its own (writer). */
  parentContext: Omit<ToolContext, 'runSubagent' | 'state'>;
  provider: SandboxProvider;
  /** How the writer's own workspace is made: the parent's repository and base, on a scratch branch. */
  writerSandboxOptions: () => SandboxCreateOptions;
  /** Gives the writer's workspace the run's environment (from the cache, as a rule) before it works. */
  prepareWriter?: (sandbox: Sandbox) => Promise<void>;
  /** The subagent's steps also count against the parent turn's budgets. */
  meter: UsageMeter;
  budgets: BudgetsConfig;
  maxSteps: number;
  clock: () => number;
  record: (payload: ItemPayload) => Promise<void>;
}

/** The `task` tool's implementation: a child agent with a fresh context and a bounded budget. */
export function createSubagentRunner(options: SubagentRunnerOptions) {
  return async (request: SubagentRequest, signal: AbortSignal): Promise<SubagentResult> => {
    if (request.kind === 'explore') return runChild(options, request, options.parentContext.sandbox, signal);
    const sandbox = await options.provider.create({ ...options.writerSandboxOptions(), signal });
    try {
      await options.prepareWriter?.(sandbox);
      const result = await runChild(options, request, sandbox, signal);
      const patch = await collectPatch(sandbox);
      return { ...result, patch };
    } finally {
      await sandbox.dispose();
    }
  };
}

async function runChild(
  options: SubagentRunnerOptions,
  request: SubagentRequest,
  sandbox: Sandbox,
  signal: AbortSignal,
): Promise<SubagentResult> {
  const stepsBefore = options.meter.steps;
  const budgets = {
    ...options.budgets,
    maxSteps: Math.min(options.budgets.maxSteps, stepsBefore + options.maxSteps),
  };
  await options.record({
    type: 'status',
    text: `subagent (${request.kind}) started: ${request.prompt.slice(0, 200)}`,
  });
  const result = await runAgentLoop({
    model: options.model,
    registry: request.kind === 'explore' ? options.explorerRegistry : options.writerRegistry,
    system: request.kind === 'explore' ? options.prompts.explorer : options.prompts.writer,
    messages: [{ role: 'user', content: request.prompt }],
    toolContext: { ...options.parentContext, sandbox, signal, state: createToolState() },
    budgets,
    meter: options.meter,
    clock: options.clock,
    record: (payload) => options.record({ ...payload, scope: 'subagent' }),
  });
  const summary =
    result.type === 'finished'
      ? result.payload.summary
      : `The subagent stopped without finishing (${result.type === 'failed' ? result.error.message : result.type}).`;
  await options.record({ type: 'status', text: `subagent (${request.kind}) ended: ${result.type}` });
  return { summary };
}

/** Everything the writer changed, new files included, as one unified diff. */
async function collectPatch(sandbox: Sandbox): Promise<string | undefined> {
  // Through a file, so a large patch is not cut by the command output cap.
  const result = await sandbox.exec({
    cmd: 'mkdir -p .baton && git add -A && git diff --cached --binary > .baton/subagent.patch',
  });
  if (result.exitCode !== 0) return undefined;
  const patch = await sandbox.readFile('.baton/subagent.patch');
  return patch.trim() ? patch : undefined;
}
