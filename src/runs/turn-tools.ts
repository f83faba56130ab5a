import type { UsageMeter } from '../agent/budget.ts';
import { createSubagentRunner } from '../agent/subagent.ts';
import type { Logger } from '../observability/logger.ts';
import type { EnvironmentRequest } from '../sandbox/environment/types.ts';
import type { Sandbox, SandboxCreateOptions } from '../sandbox/types.ts';
import { createToolState, type ToolContext } from '../tools/types.ts';
import type { ItemPayload } from './items.ts';
import type { Reporter } from './reporter.ts';
import type { TurnDependencies } from './turn-dependencies.ts';

export interface TurnToolsInput {
  deps: TurnDependencies;
  turnId: string;
  sandbox: Sandbox;
  reporter: Reporter;
  signal: AbortSignal;
  log: Logger;
  meter: UsageMeter;
  clock: () => number;
  record: (payload: ItemPayload) => Promise<void>;
  /** Options for a writer subagent's own workspace, on a scratch branch of its own. */
  writerSandbox: (index: number) => SandboxCreateOptions;
  /** The environment line shown with the progress (Slack status). */
  environmentLine?: () => string | undefined;
  /** What a writer subagent's workspace asks of its environment (the parent's repository settings). */
  environmentRequest?: EnvironmentRequest;
}

/** The tools' context for one turn, with live progress and the subagent runner wired in. */
export function createTurnToolContext(input: TurnToolsInput): {
  context: ToolContext;
  report: (activity: string) => void;
} {
  const { deps, meter, clock } = input;
  const state = createToolState();
  const report = (activity: string) =>
    input.reporter.progress({
      step: meter.steps,
      activity,
      elapsedMs: clock() - meter.startedAt,
      tokens: meter.tokens,
      costUsd: meter.costUsd,
      plan: state.plan,
      environment: input.environmentLine?.(),
    });
  const base: Omit<ToolContext, 'runSubagent' | 'state'> = {
    runId: input.turnId,
    sandbox: input.sandbox,
    signal: input.signal,
    log: input.log,
    reporter: input.reporter,
    policies: deps.config.policies,
    outputLimit: deps.config.agent.toolOutputLimit,
    progress: report,
    fetch: deps.fetch,
    secrets: deps.secrets,
  };
  let writers = 0;
  const runSubagent = createSubagentRunner({
    model: deps.model,
    prompts: deps.prompts,
    explorerRegistry: deps.registries.explorer,
    writerRegistry: deps.registries.writer,
    parentContext: base,
    provider: deps.provider,
    writerSandboxOptions: () => input.writerSandbox(++writers),
    prepareWriter: async (sandbox) => {
      if (input.environmentRequest) await sandbox.prepareEnvironment?.(input.environmentRequest);
    },
    meter,
    budgets: deps.config.budgets,
    maxSteps: deps.config.agent.subagentMaxSteps,
    clock,
    record: input.record,
  });
  return { context: { ...base, state, runSubagent }, report };
}
