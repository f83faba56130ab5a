import type { RequestInfo } from '../../middleware/types.ts';
import { createUsageMeter, type UsageMeter } from '../agent/budget.ts';
import { createCompactor } from '../agent/compaction.ts';
import type { InboxText } from '../agent/loop.ts';
import { type AgentLoopResult, runAgentLoop } from '../agent/loop.ts';
import type { RepoConfig } from '../config/schema.ts';
import { nestedAgentsMd } from '../context/agents-md.ts';
import type { ContextDocument } from '../context/types.ts';
import type { ToolCall } from '../model/types.ts';
import { describeError } from '../observability/errors.ts';
import type { Sandbox, SandboxCreateOptions } from '../sandbox/types.ts';
import type { ThreadRecord, TurnRecord } from '../store/types.ts';
import type { FinishPayload, ToolResult } from '../tools/types.ts';
import { runCheckRounds } from './check-rounds.ts';
import { takeCheckpoint, workspaceHead } from './checkpoint.ts';
import { startConversation } from './conversation.ts';
import { readDeliveryFacts } from './delivery-facts.ts';
import type { ItemPayload } from './items.ts';
import { keepWork } from './keep-work.ts';
import { buildOutcome, failureOutcome } from './outcome.ts';
import type { Reporter, RunOutcome } from './reporter.ts';
import { lastCheckpoint } from './resume.ts';
import type { TurnDependencies } from './turn-dependencies.ts';
import { createTurnEnvironment, setupFailureMessage } from './turn-environment.ts';
import { createTurnHost } from './turn-host.ts';
import { createTurnToolContext } from './turn-tools.ts';

export interface TurnInput {
  /** Where the request came from, for the pull request and replies. */
  requestInfo?: RequestInfo;
  turn: TurnRecord;
  thread: ThreadRecord;
  repo: RepoConfig;
  task: string;
  requester?: string;
  /** Gathered context; a promise lets gathering overlap the sandbox's creation. */
  documents?: readonly ContextDocument[] | Promise<readonly ContextDocument[]>;
  reporter: Reporter;
  signal: AbortSignal;
  /** Messages from the requester that arrived while the turn works; injected before the next model call. */
  drainInbox?: () => Promise<readonly (string | InboxText)[]>;
  /** The turn ran before on a worker that stopped: continue from its items and last checkpoint. */
  resumed?: boolean;
  /** True once another worker has taken the turn over: this one then stops without a word. */
  lostOwnership?: () => boolean;
  /** Records the turn's end only if this process still owns it (a worker); false: another one reports. */
  claimFinish?: (status: RunOutcome['status'], error: string | null) => Promise<boolean>;
  /** Records the final reply as owed before it is posted, so a crash in between cannot lose it. */
  recordFinal?: (outcome: RunOutcome) => Promise<void>;
}

/** Time a sandbox gets past the run's wall-clock budget: the checks, the export and the push. */
const SANDBOX_GRACE_MS = 10 * 60_000;

/** Tools whose calls may change the workspace; a checkpoint follows them. */
const CHANGING_EFFECTS = new Set(['write', 'exec']);

/** One turn: sandbox, agent, checks, keep the work, publish, report. Always ends with a report. */
export async function executeTurn(deps: TurnDependencies, input: TurnInput): Promise<RunOutcome> {
  const clock = deps.clock ?? Date.now;
  const { config, store } = deps;
  const { turn, reporter, signal } = input;
  const branch = input.thread.branch;
  const log = deps.log.child({ turnId: turn.id, thread: input.thread.key });
  const record = async (payload: ItemPayload) => {
    const item = await store.appendItem(turn.id, payload, { completed: true });
    deps.onItem?.(item);
  };
  const meter: UsageMeter = {
    ...createUsageMeter(input.resumed ? Date.parse(turn.startedAt) : clock()),
    tokens: turn.tokens,
    costUsd: turn.costUsd,
  };
  let repoAuth: { username: string; password: string } | undefined;
  const sandboxOptions = (forBranch: string): SandboxCreateOptions => ({
    repo: { name: input.repo.name, url: input.repo.url, ...(repoAuth ? { auth: repoAuth } : {}) },
    baseRef: input.repo.defaultBranch,
    branch: forBranch,
    // A cloud sandbox lives as long as the run may (what is left of its wall-clock budget), never longer.
    limits: {
      ...config.sandbox,
      lifetimeMs: Math.min(
        config.sandbox.lifetimeMs,
        Math.max(0, config.budgets.maxWallClockMs - (clock() - meter.startedAt)) + SANDBOX_GRACE_MS,
      ),
    },
    labels: { thread: input.thread.key, turn: turn.id },
    lastCheckpoint: async () => lastCheckpoint(await store.listItems(turn.id)),
    signal,
  });

  const factsOf = (workspace: Sandbox | undefined) =>
    readDeliveryFacts({
      sandbox: workspace,
      repo: input.repo,
      branch,
      remoteBranch: deps.remoteBranch,
      pullRequests: deps.pullRequestsFor?.(input.repo),
      log,
    });

  let outcome: RunOutcome;
  let sandbox: Sandbox | undefined;
  let environmentLine: (() => string | undefined) | undefined;
  try {
    await store.updateTurn(turn.id, { status: 'running' });
    await reporter.start({ runId: turn.id, task: input.task });
    repoAuth = await deps.repoAuthFor?.(input.repo);
    sandbox = await deps.provider.create(sandboxOptions(branch));
    const workspace = sandbox;
    let environment: ReturnType<typeof createTurnEnvironment> | undefined;
    const tools = createTurnToolContext({
      deps,
      turnId: turn.id,
      sandbox: workspace,
      reporter,
      signal,
      log,
      meter,
      clock,
      record,
      writerSandbox: (index) => sandboxOptions(`${branch}-writer-${index}`),
      environmentLine: () => environment?.line(),
      environmentRequest: {
        repo: input.repo.name,
        setup: input.repo.setup,
        setupSecrets: input.repo.setupSecrets ?? [],
        signal,
      },
    });
    environment = createTurnEnvironment({
      sandbox: workspace,
      repo: input.repo,
      record,
      progress: tools.report,
      announce: reporter.environment ? (line) => reporter.environment?.(line) : undefined,
      log,
      signal,
    });
    environmentLine = environment.line;
    // Before any command: a cached environment is mounted into a workspace nothing has touched yet.
    const environmentReport = await environment.prepare();
    const baseCommit = await workspaceHead(workspace);
    const messages = await startConversation({
      store,
      turnId: turn.id,
      threadId: input.thread.id,
      sandbox: workspace,
      task: input.task,
      requester: input.requester,
      repo: input.repo.name,
      branch,
      documents: (await input.documents) ?? [],
      resumed: input.resumed ?? false,
      record,
      log,
      onFilesSeen: (paths) => {
        for (const path of paths) tools.context.state.readFiles.add(path);
      },
    });
    const setupFailure = environmentReport ? setupFailureMessage(environmentReport) : undefined;
    if (setupFailure && !input.resumed) {
      messages.push({ role: 'user', content: setupFailure });
      await record({ type: 'user_message', text: setupFailure, author: 'baton' });
    }
    const seenAgentsFiles = new Set<string>();
    const agent = (): Promise<AgentLoopResult> =>
      runAgentLoop({
        model: deps.model,
        registry: deps.registries.main,
        system: deps.prompts.system,
        messages,
        toolContext: tools.context,
        budgets: config.budgets,
        meter,
        clock,
        record,
        drainInbox: input.drainInbox,
        compactor: createCompactor({
          model: deps.model,
          contextWindowTokens: config.model.contextWindowTokens,
          atFraction: config.agent.compactAtFraction,
          instructions: deps.prompts.compaction,
        }),
        cacheKey: `baton:${input.thread.id}`,
        maxOutputTokens: config.model.maxOutputTokens,
        annotateToolResult: (call, result) => annotateWithAgentsMd(workspace, call, result, seenAgentsFiles),
        onActivity: tools.report,
        afterToolCalls: async (calls) => {
          const changing = calls.some((call) =>
            CHANGING_EFFECTS.has(deps.registries.main.get(call.name)?.effect ?? ''),
          );
          if (!changing) return;
          const patch = await takeCheckpoint(workspace, baseCommit, log);
          if (patch !== null) await record({ type: 'checkpoint', baseCommit, patch });
        },
      });

    const host = createTurnHost({
      deps,
      workspace,
      repo: input.repo,
      branch,
      request: input.requestInfo ?? { threadKey: input.thread.key, requester: input.requester },
    });
    const middlewareContext = (finish: FinishPayload) => ({
      runId: turn.id,
      sandbox: workspace,
      repo: input.repo,
      branch,
      baseRef: input.repo.defaultBranch,
      finish,
      git: config.git,
      requester: input.requester,
      environment: environment?.line(),
      log,
      signal,
      host,
      secrets: deps.secrets,
    });
    const first = await agent();
    tools.report('checking');
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
      beforeChecks: () => environment.refresh(),
    });
    const kept = await keepWork({
      rounds,
      middlewares: deps.middlewares,
      context: middlewareContext,
      task: input.task,
    });
    for (const step of kept) {
      await record({
        type: 'middleware_step',
        name: step.name,
        status: step.status,
        summary: step.summary,
        output: step.output,
      });
    }

    outcome = buildOutcome({
      rounds: { ...rounds, records: [...rounds.records, ...kept] },
      budgets: config.budgets,
      branch,
      tokens: meter.tokens,
      costUsd: meter.costUsd,
      facts: await factsOf(workspace),
    });
  } catch (error) {
    log.error({ err: error }, 'turn failed');
    await record({ type: 'error', code: errorCode(error), message: describeError(error) }).catch(
      () => undefined,
    );
    outcome = failureOutcome({
      cancelled: signal.aborted,
      reason: describeError(error),
      branch,
      facts: await factsOf(sandbox).catch(() => ({})),
      tokens: meter.tokens,
      costUsd: meter.costUsd,
    });
  } finally {
    await sandbox?.dispose().catch((error: unknown) => log.warn({ err: error }, 'sandbox dispose failed'));
  }
  const line = environmentLine?.();
  if (line) outcome = { ...outcome, environment: line };

  if (input.lostOwnership?.()) {
    log.warn('turn taken over by another worker; leaving the report to it');
    return outcome;
  }
  const error = outcome.status === 'failed' ? outcome.summary : null;
  await store.updateTurn(turn.id, { tokens: outcome.tokens, costUsd: outcome.costUsd });
  // The thread's pull request, as GitHub has it: the dashboard and later turns read it from here.
  if (outcome.pullRequestUrl)
    await store.updateThread(input.thread.id, { pullRequestUrl: outcome.pullRequestUrl });
  const owned = input.claimFinish
    ? await input.claimFinish(outcome.status, error)
    : (await store.updateTurn(turn.id, {
        status: outcome.status,
        completedAt: new Date(clock()).toISOString(),
        error,
      }),
      true);
  if (!owned) {
    log.warn('turn taken over by another worker at its end; leaving the report to it');
    return outcome;
  }
  await record({ type: 'status', text: `turn ${outcome.status}` });
  await input.recordFinal?.(outcome);
  await reporter.finish(outcome);
  return outcome;
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

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : 'internal_error';
}
