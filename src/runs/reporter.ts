/** The plan the agent keeps with the `todo` tool, shown to the requester as a checklist. */
export interface TodoItem {
  text: string;
  status: 'pending' | 'in_progress' | 'done';
}

export type AskOutcome =
  /** The requester answered right away (a terminal prompt). */
  | { type: 'answered'; text: string }
  /** The answer will come later as a new message; the run ends its turn and waits. */
  | { type: 'deferred' };

export interface RunProgress {
  step: number;
  activity: string;
  elapsedMs: number;
  tokens: number;
  costUsd: number;
  plan: readonly TodoItem[];
  /** The environment line (`environment: ready from cache (0.2 s)`), once it is known. */
  environment?: string;
}

export interface RunOutcome {
  status: 'succeeded' | 'failed' | 'waiting' | 'cancelled' | 'budget_exhausted';
  /** One plain paragraph for the requester. */
  summary: string;
  branch?: string;
  commit?: string;
  pullRequestUrl?: string;
  checks: readonly { name: string; status: string; summary: string }[];
  tokens: number;
  costUsd: number;
  /** The environment line, e.g. `environment: setup failed (npm ci, exit 1)`. */
  environment?: string;
}

/**
 * How a run talks to the person who asked, per origin (terminal, Slack thread, Linear issue, PR).
 * Implementations coalesce `progress` calls to respect the origin's rate limits.
 */
export interface Reporter {
  start(info: { runId: string; task: string }): Promise<void>;
  progress(progress: RunProgress): void;
  /** The environment's state as one line, when it is known (and again if a refresh changes it). */
  environment?(line: string): void;
  /** A message to the requester's thread (the `reply` tool). */
  reply(text: string): Promise<void>;
  /** A question for the requester (the `ask` tool). */
  ask(question: string): Promise<AskOutcome>;
  finish(outcome: RunOutcome): Promise<void>;
}
