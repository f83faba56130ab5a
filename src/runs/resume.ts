import { compactionMessage } from '../agent/compaction.ts';
import type { ChatMessage } from '../model/types.ts';
import { toWorkspacePath } from '../tools/workspace-path.ts';
import type { Item } from './items.ts';

const INTERRUPTED =
  'This tool call was interrupted when the worker running it stopped; its effect may be incomplete. Run it again if you need its result.';

export const RESUME_NOTE =
  'The run was interrupted and has resumed on another worker. The workspace was restored to the last checkpoint: ' +
  'file changes are kept, but re-run commands whose results you need. If the work is complete, call finish again.';

/**
 * The model's history rebuilt from a turn's items, exactly as it was sent (so the prompt prefix
 * still matches): user messages, model messages and tool results in order, compactions replayed,
 * subagent items left out, and every tool call that never got a result given one.
 */
export function rebuildMessages(items: readonly Item[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  let pending: string[] = [];
  const closePending = () => {
    for (const callId of pending)
      messages.push({ role: 'tool', toolCallId: callId, content: `Error: ${INTERRUPTED}` });
    pending = [];
  };
  for (const { payload } of items) {
    if (payload.scope === 'subagent') continue;
    switch (payload.type) {
      case 'user_message':
        closePending();
        messages.push({ role: 'user', content: payload.modelContent ?? payload.text });
        break;
      case 'model_message':
        closePending();
        messages.push({ role: 'assistant', content: payload.content, toolCalls: payload.toolCalls });
        pending = payload.toolCalls.map((call) => call.id);
        break;
      case 'tool_result':
        pending = pending.filter((callId) => callId !== payload.callId);
        messages.push({ role: 'tool', toolCallId: payload.callId, content: payload.output });
        break;
      case 'compaction':
        closePending();
        if (payload.replacedMessages > 0)
          messages.splice(1, payload.replacedMessages, compactionMessage(payload.summary));
        break;
      case 'tool_call':
      case 'middleware_step':
      case 'status':
      case 'error':
      case 'checkpoint':
        break;
    }
  }
  closePending();
  return messages;
}

/** Files the agent read or wrote in a conversation (so `edit_file` may change them after a resume). */
export function filesSeen(items: readonly Item[], workdir: string): string[] {
  const paths = new Set<string>();
  for (const { payload } of items) {
    if (payload.type !== 'tool_call' || payload.scope === 'subagent') continue;
    if (payload.name !== 'read_file' && payload.name !== 'write_file') continue;
    try {
      const path = (JSON.parse(payload.arguments) as { path?: unknown }).path;
      if (typeof path !== 'string') continue;
      const resolved = toWorkspacePath(path, workdir);
      if (resolved.ok) paths.add(resolved.path);
    } catch {
      // Arguments the model sent malformed were never executed.
    }
  }
  return [...paths];
}

/** The last checkpoint of the turn, if any. */
export function lastCheckpoint(items: readonly Item[]): { baseCommit: string; patch: string } | null {
  for (let index = items.length - 1; index >= 0; index -= 1) {
    const payload = items[index]?.payload;
    if (payload?.type === 'checkpoint' && payload.scope !== 'subagent') return payload;
  }
  return null;
}
