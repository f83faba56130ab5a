import type { z } from 'zod';
import type { PoliciesConfig } from '../config/schema.ts';
import type { Logger } from '../observability/logger.ts';
import type { KnownSecrets } from '../observability/redact.ts';
import type { Reporter, TodoItem } from '../runs/reporter.ts';
import type { Sandbox } from '../sandbox/types.ts';

export type ToolEffect = 'read' | 'write' | 'exec' | 'network' | 'report';

/** What `finish` hands to the middleware: the summary and the pull request's words. */
export interface FinishPayload {
  summary: string;
  prTitle: string;
  prBody: string;
}

/** A tool can end the turn: `finish` (work done) or `ask` (waiting for the requester). */
export type ToolControl = { type: 'finish'; payload: FinishPayload } | { type: 'wait'; question: string };

export type ToolResult =
  | { ok: true; output: string; truncated: boolean; control?: ToolControl }
  | { ok: false; error: string; hint?: string };

/** A child agent run for the `task` tool. */
export interface SubagentRequest {
  kind: 'explore' | 'write';
  prompt: string;
}

export interface SubagentResult {
  summary: string;
  /** For a writer: the unified diff it produced (applied or rejected by the parent). */
  patch?: string;
}

/** A command `run_command` started with `background: true`; `command_status` reads it. */
export interface BackgroundJob {
  command: string;
  outputPath: string;
  exitCodePath: string;
  /** Set when the command has ended (its exec resolved), including by timeout. */
  outcome?: { exitCode: number; timedOut: boolean };
}

/** Per-run state the tools share: which files were read (for `edit_file`), the plan. */
export interface ToolState {
  readFiles: Set<string>;
  plan: TodoItem[];
  /** Background commands started by `run_command`, by id. */
  backgroundJobs: Map<string, BackgroundJob>;
}

export interface ToolContext {
  runId: string;
  sandbox: Sandbox;
  signal: AbortSignal;
  log: Logger;
  reporter: Reporter;
  state: ToolState;
  policies: PoliciesConfig;
  /** Characters of output that reach the model; longer output is saved in the workspace. */
  outputLimit: number;
  /** A short line for the live status ("running npm test"). */
  progress: (activity: string) => void;
  /** Present in a parent run; absent in a subagent (no nesting). */
  runSubagent?: (request: SubagentRequest, signal: AbortSignal) => Promise<SubagentResult>;
  /** Injected for `fetch_url`; resolves host names so private addresses can be refused. */
  fetch?: typeof fetch;
  /** Every secret value Baton holds: masked in each result before the model sees it. */
  secrets: KnownSecrets;
}

export interface Tool<Parameters = unknown> {
  name: string;
  /** From prompts/tools/NAME.md. */
  description: string;
  parameters: z.ZodType<Parameters>;
  effect: ToolEffect;
  execute(args: Parameters, context: ToolContext): Promise<ToolResult>;
}

export function createToolState(): ToolState {
  return { readFiles: new Set(), plan: [], backgroundJobs: new Map() };
}
