import type { ToolCall, Usage } from '../model/types.ts';
import type { EnvironmentItem } from '../sandbox/environment/types.ts';

/**
 * One thing that happened in a turn. Items are appended in order and never rewritten except to
 * set `completedAt`; the dashboard, status messages, JSONL export and crash recovery all read them.
 */
export type ItemPayload =
  /** `modelContent` is what the model was sent, when it differs from the person's `text`. */
  (
    | { type: 'user_message'; text: string; author?: string; modelContent?: string }
    | { type: 'model_message'; content: string | null; toolCalls: ToolCall[]; usage: Usage; costUsd: number }
    | { type: 'tool_call'; callId: string; name: string; arguments: string }
    | { type: 'tool_result'; callId: string; name: string; ok: boolean; output: string }
    | { type: 'middleware_step'; name: string; status: string; summary: string; output?: string }
    | { type: 'compaction'; summary: string; replacedMessages: number }
    | { type: 'status'; text: string }
    | { type: 'error'; code: string; message: string }
    /** The workspace's changes since `baseCommit`, so a run can resume on another worker. */
    | { type: 'checkpoint'; baseCommit: string; patch: string }
    /** The run's dependencies: installed by the setup phase, restored from the cache, or none. */
    | EnvironmentItem
  ) & {
    /** Items of a subagent's own conversation; they are not part of the parent's history. */
    scope?: 'subagent';
  };

export type ItemType = ItemPayload['type'];

export interface Item {
  id: string;
  turnId: string;
  sequence: number;
  payload: ItemPayload;
  startedAt: string;
  completedAt: string | null;
}
