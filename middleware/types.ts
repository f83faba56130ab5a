import type { GitConfig, RepoConfig } from '../src/config/schema.ts';
import type { Logger } from '../src/observability/logger.ts';
import type { Sandbox } from '../src/sandbox/types.ts';
import type { FinishPayload } from '../src/tools/types.ts';

export type StepStatus = 'passed' | 'failed' | 'skipped' | 'blocked';

export interface StepResult {
  status: StepStatus;
  /** One line: what ran and how it ended, e.g. `npm test: 12 passed`. */
  summary: string;
  /** The command output (bounded), fed back to the agent when a check fails. */
  output?: string;
  /** The command that ran, for the PR body ("how it was checked"). */
  command?: string;
  /** Set by `commit`. */
  commit?: string;
}

export interface StepRecord extends StepResult {
  name: string;
}

export interface MiddlewareContext {
  runId: string;
  sandbox: Sandbox;
  repo: RepoConfig;
  branch: string;
  baseRef: string;
  finish: FinishPayload;
  git: GitConfig;
  requester?: string;
  /** Results of the steps that already ran in this pass. */
  previous: readonly StepRecord[];
  log: Logger;
  signal: AbortSignal;
}

/**
 * A deterministic step after `finish`. `feedback: true` marks a check whose failure goes back to
 * the agent for another round (lint, test); a `blocked` result always stops the pipeline.
 */
export interface Middleware {
  name: string;
  feedback: boolean;
  run(context: MiddlewareContext): Promise<StepResult>;
}

export type MiddlewareFactory = (options: Record<string, unknown>) => Middleware;
