import { createHash } from 'node:crypto';
import type { Middleware, MiddlewareContext, StepRecord } from '../../middleware/types.ts';
import { createUsageMeter } from '../agent/budget.ts';
import { createCompactor } from '../agent/compaction.ts';
import { type AgentLoopResult, runAgentLoop } from '../agent/loop.ts';
import type { Prompts } from '../agent/prompts.ts';
import { createSubagentRunner } from '../agent/subagent.ts';
import { buildTaskMessage } from '../agent/task-message.ts';
import type { Config, RepoConfig } from '../config/schema.ts';
import { nestedAgentsMd, readRootAgentsMd } from '../context/agents-md.ts';
import type { ContextDocument } from '../context/types.ts';
import type { ChatMessage, ModelClient, ToolCall } from '../model/types.ts';
import { describeError } from '../observability/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { ChangeExport, Sandbox, SandboxCreateOptions, SandboxProvider } from '../sandbox/types.ts';
import type { Store } from '../store/types.ts';
import type { ToolRegistry } from '../tools/registry.ts';
import { createToolState, type FinishPayload, type ToolContext, type ToolResult } from '../tools/types.ts';
import { runCheckRounds } from './check-rounds.ts';
import type { Item, ItemPayload } from './items.ts';
import { keepWork } from './keep-work.ts';
import { buildOutcome } from './outcome.ts';
import type { Reporter, RunOutcome } from './reporter.ts';

/** Takes a turn's exported commits to where people see them (a local repo's branch, or GitHub). */
export type Publisher = (input: {
  exported: ChangeExport;
  repo: RepoConfig;
  branch: string;
}) => Promise<{ location: string }>;

export interface TurnDependencies {
  config: Config;
  provider: SandboxProvider;
  model: ModelClient;
  registries: { main: ToolRegistry; explorer: ToolRegistry; writer: ToolRegistry };
  middlewares: readonly Middleware[];
  store: Store;
  prompts: Prompts;
  publish: Publisher;
  log: Logger;
  clock?: () => number;
  fetch?: typeof fetch;
  onItem?: (item: Item) => void;
}

export interface TurnRequest {
  threadKey: string;
  origin: Record<string, unknown>;
  repo: RepoConfig;
  task: string;
  requester?: string;
  documents?: readonly ContextDocument[];
  reporter: Reporter;
  signal?: AbortSignal;
  drainInbox?: () => Promise<string[]>;
}

export interface TurnResult {
  turnId: string;
  threadId: string;
  outcome: RunOutcome;
}

/** One turn: sandbox, agent, checks, keep the work, publish, report. Always ends with a report. */
export async function runTurn(deps: TurnDependencies, request: TurnRequest): Promise<TurnResult> {
  const clock = deps.clock ?? Date.now;
  const { config, store, reporter } = { ...deps, reporter: request.reporter };
  const signal = request.signal ?? new AbortController().signal;
  const threadRecord = await store.upsertThread({
    key: request.threadKey,
    origin: request.origin,
    repo: request.repo.name,
    branch: threadBranch(config.git.branchPrefix, request.threadKey),
  });
  const branch = threadRecord.branch;
  const turn = await store.createTurn({
    threadId: threadRecord.id,
    request: { task: request.task, requester: request.requester },
  });
  const log = deps.log.child({ turnId: turn.id, thread: threadRecord.key });
  const record = async (payload: ItemPayload) => {
    const item = await store.appendItem(turn.id, payload, { completed: true });
    deps.onItem?.(item);
  };
  const meter = createUsageMeter(clock());

  await store.updateTurn(turn.id, { status: 'running' });
  await record({ type: 'user_message', text: request.task, author: request.requester });
  await reporter.start({ runId: turn.id, task: request.task });

  const sandboxOptions = (forBranch: string): SandboxCreateOptions => ({
    repo: { name: request.repo.name, url: request.repo.url },
    baseRef: request.repo.defaultBranch,
    branch: forBranch,
    limits: config.sandbox,
    signal,
  });

  let outcome: RunOutcome;
  let sandbox: Sandbox | undefined;
  try {
    sandbox = await deps.provider.create(sandboxOptions(branch));
    const activeSandbox = sandbox;
    const toolState = createToolState();
    const report = (activity: string) =>
      reporter.progress({
        step: meter.steps,
        activity,
        elapsedMs: clock() - meter.startedAt,
        tokens: meter.tokens,
        costUsd: meter.costUsd,
        plan: toolState.plan,
      });
    const baseContext: Omit<ToolContext, 'runSubagent' | 'state'> = {
      runId: turn.id,
      sandbox: activeSandbox,
      signal,
      log,
      reporter,
      policies: config.policies,
      outputLimit: config.agent.toolOutputLimit,
      progress: report,
      fetch: deps.fetch,
    };
    let writerCount = 0;
    const toolContext: ToolContext = {
      ...baseContext,
      state: toolState,
      runSubagent: createSubagentRunner({
        model: deps.model,
        prompts: deps.prompts,
        explorerRegistry: deps.registries.explorer,
        writerRegistry: deps.registries.writer,
        parentContext: baseContext,
        provider: deps.provider,
        writerSandboxOptions: () => sandboxOptions(`${branch}-writer-${++writerCount}`),
        meter,
        budgets: config.budgets,
        maxSteps: config.agent.subagentMaxSteps,
        clock,
        record,
      }),
    };

    const agentsMd = await readRootAgentsMd(activeSandbox);
    const messages: ChatMessage[] = [
      {
        role: 'user',
        content: buildTaskMessage({
          task: request.task,
          requester: request.requester,
          repo: request.repo.name,
          branch,
          agentsMd,
          documents: request.documents ?? [],
        }),
      },
    ];
    const seenAgentsFiles = new Set<string>();
    const agent = (): Promise<AgentLoopResult> =>
      runAgentLoop({
        model: deps.model,
        registry: deps.registries.main,
        system: deps.prompts.system,
        messages,
        toolContext,
        budgets: config.budgets,
        meter,
        clock,
        record,
        drainInbox: request.drainInbox,
        compactor: createCompactor({
          model: deps.model,
          contextWindowTokens: config.model.contextWindowTokens,
          atFraction: config.agent.compactAtFraction,
          instructions: deps.prompts.compaction,
        }),
        cacheKey: `baton:${threadRecord.id}`,
        maxOutputTokens: config.model.maxOutputTokens,
        annotateToolResult: (call, result) =>
          annotateWithAgentsMd(activeSandbox, call, result, seenAgentsFiles),
        onActivity: report,
      });

    const middlewareContext = (finish: FinishPayload): Omit<MiddlewareContext, 'previous'> => ({
      runId: turn.id,
      sandbox: activeSandbox,
      repo: request.repo,
      branch,
      baseRef: request.repo.defaultBranch,
      finish,
      git: config.git,
      requester: request.requester,
      log,
      signal,
    });
    const first = await agent();
    report('checking');
    const rounds = await runCheckRounds(first, {
      middlewares: deps.middlewares,
      fixRounds: config.agent.fixRounds,
      context: middlewareContext,
      continueAgent: async (feedback) => {
        messages.push({ role: 'user', content: feedback });
        await record({ type: 'user_message', text: feedback, author: 'baton' });
        return agent();
      },
      record,
    });
    const kept = await keepWork({
      rounds,
      middlewares: deps.middlewares,
      context: middlewareContext,
      task: request.task,
    });
    for (const step of kept) await recordStep(record, step);

    const exported = await activeSandbox.exportChanges();
    const published =
      exported.commitCount > 0 ? await deps.publish({ exported, repo: request.repo, branch }) : undefined;
    outcome = buildOutcome({
      rounds: {
        ...rounds,
        records: [...rounds.records, ...kept.filter((step) => step.status !== 'skipped')],
      },
      budgets: config.budgets,
      branch,
      publishedTo: published?.location,
      commit: exported.commitCount > 0 ? exported.headCommit : undefined,
      tokens: meter.tokens,
      costUsd: meter.costUsd,
    });
  } catch (error) {
    log.error({ err: error }, 'turn failed');
    await record({ type: 'error', code: errorCode(error), message: describeError(error) });
    outcome = {
      status: 'failed',
      summary: `The run failed: ${describeError(error)}. Nothing was pushed; the thread's branch ${branch} is unchanged.`,
      checks: [],
      tokens: meter.tokens,
      costUsd: meter.costUsd,
    };
  } finally {
    await sandbox?.dispose().catch((error: unknown) => log.warn({ err: error }, 'sandbox dispose failed'));
  }

  await store.updateTurn(turn.id, {
    status: outcome.status,
    tokens: outcome.tokens,
    costUsd: outcome.costUsd,
    completedAt: new Date(clock()).toISOString(),
    error: outcome.status === 'failed' ? outcome.summary : null,
  });
  await record({ type: 'status', text: `turn ${outcome.status}` });
  await reporter.finish(outcome);
  return { turnId: turn.id, threadId: threadRecord.id, outcome };
}

async function recordStep(record: (payload: ItemPayload) => Promise<void>, step: StepRecord): Promise<void> {
  await record({
    type: 'middleware_step',
    name: step.name,
    status: step.status,
    summary: step.summary,
    output: step.output,
  });
}

async function annotateWithAgentsMd(
  sandbox: Sandbox,
  call: ToolCall,
  result: ToolResult,
  seen: Set<string>,
): Promise<string | null> {
  if (call.name !== 'read_file' || !result.ok) return null;
  let path: unknown;
  try {
    path = (JSON.parse(call.arguments) as { path?: unknown }).path;
  } catch {
    return null;
  }
  if (typeof path !== 'string') return null;
  const found = await nestedAgentsMd(sandbox, path, seen);
  if (found.length === 0) return null;
  return found
    .map((file) => `Instructions from ${file.path} (they apply to files in its directory):\n\n${file.text}`)
    .join('\n\n');
}

/** `baton/<id>`: deterministic per thread, so every turn of a thread works on the same branch. */
export function threadBranch(prefix: string, threadKey: string): string {
  return `${prefix}${createHash('sha256').update(threadKey).digest('hex').slice(0, 12)}`;
}

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : 'internal_error';
}
