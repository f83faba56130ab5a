import type { GitConfig, RepoConfig } from '../src/config/schema.ts';
import type { Logger } from '../src/observability/logger.ts';
import type { KnownSecrets } from '../src/observability/redact.ts';
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
  /** Set by `commit` and `push`. */
  commit?: string;
  /** Set by `push` (where the branch went) and `open-pr` (the pull request). */
  url?: string;
}

export interface StepRecord extends StepResult {
  name: string;
}

/** A draft pull request per branch: found or created, then kept up to date. Never a second one. */
export interface PullRequestService {
  ensureDraftPullRequest(input: {
    repo: string;
    head: string;
    base: string;
    title: string;
    body: string;
  }): Promise<{ number: number; url: string; created: boolean }>;
  /** The open pull request from `head` (found with `owner:head`), or null when there is none. */
  findOpenPullRequest(input: {
    repo: string;
    head: string;
    base: string;
  }): Promise<{ number: number; url: string } | null>;
}

/** Where the request came from, for the pull request body and the final reply. */
export interface RequestInfo {
  threadKey: string;
  requester?: string;
  /** A link back to the Slack thread, Linear issue or pull request that asked. */
  originUrl?: string;
  originLabel?: string;
  /** `ENG-123` when the request came from (or names) a Linear issue; the PR body says `Fixes ENG-123`. */
  linearIssueKey?: string;
  /** The run's page on the dashboard, when a public base URL is configured. */
  runUrl?: string;
}

/** The run's commits, taken out of the sandbox and held on the host apart from the mirror. */
export interface ImportedWork {
  /** A bare repository the host controls that holds the commits (and reads the mirror's objects). */
  gitDir: string;
  base: string;
  head: string;
  hostEnv: Readonly<Record<string, string | undefined>>;
  /** Drops the quarantine; `dropBundle` also deletes the exported bundle (when it held a secret). */
  release(options?: { dropBundle?: boolean }): Promise<void>;
}

/** What only the host can do for a step: push with its credentials, talk to GitHub. */
export interface MiddlewareHost {
  /**
   * Pushes the branch's commits; null when the branch has no commits beyond its base. A branch
   * the remote already has at the same commit (a resumed turn) is not pushed again: `alreadyPushed`.
   * With `expectHead` (the commit the secret scan cleared), a branch that moved since is refused.
   */
  publish(options?: {
    expectHead?: string;
  }): Promise<{ location: string; commit: string; alreadyPushed?: boolean } | null>;
  /** Exports the sandbox's commits into a host-side quarantine for reading; null when there are none. */
  importWork(): Promise<ImportedWork | null>;
  /** Present when the repository is on GitHub. */
  pullRequests?: PullRequestService;
  request: RequestInfo;
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
  /** The run's environment line (`environment: ready from cache (0.2 s)`), for the PR body. */
  environment?: string;
  /** Results of the steps that already ran in this pass. */
  previous: readonly StepRecord[];
  log: Logger;
  signal: AbortSignal;
  host: MiddlewareHost;
  /** Every secret value Baton holds: masked in what steps write (commit messages, PR text, output). */
  secrets: KnownSecrets;
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
