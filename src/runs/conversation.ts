import { buildTaskMessage } from '../agent/task-message.ts';
import { readRootAgentsMd } from '../context/agents-md.ts';
import type { ContextDocument } from '../context/types.ts';
import type { ChatMessage } from '../model/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { Sandbox } from '../sandbox/types.ts';
import type { Store } from '../store/types.ts';
import { restoreCheckpoint } from './checkpoint.ts';
import type { ItemPayload } from './items.ts';
import { filesSeen, lastCheckpoint, RESUME_NOTE, rebuildMessages } from './resume.ts';

export interface ConversationInput {
  store: Store;
  turnId: string;
  threadId: string;
  sandbox: Sandbox;
  task: string;
  requester?: string;
  repo: string;
  branch: string;
  documents: readonly ContextDocument[];
  resumed: boolean;
  record: (payload: ItemPayload) => Promise<void>;
  log: Logger;
  /** Files the continued conversation had read; the tools' state learns them again. */
  onFilesSeen?: (paths: readonly string[]) => void;
}

/**
 * The history the agent starts from. A fresh turn: one message with the task, AGENTS.md and the
 * gathered context. A resumed turn: the history rebuilt from its items, the workspace restored
 * from its last checkpoint, and a note saying so.
 */
export async function startConversation(input: ConversationInput): Promise<ChatMessage[]> {
  if (input.resumed) {
    const items = await input.store.listItems(input.turnId);
    const messages = rebuildMessages(items);
    if (messages.length > 0) {
      input.onFilesSeen?.(filesSeen(items, input.sandbox.workdir));
      const checkpoint = lastCheckpoint(items);
      if (checkpoint) await restoreCheckpoint(input.sandbox, checkpoint.patch, input.log);
      messages.push({ role: 'user', content: RESUME_NOTE });
      await input.record({ type: 'user_message', text: RESUME_NOTE, author: 'baton' });
      return messages;
    }
  }
  const continued = await continueAfterQuestion(input);
  if (continued) return continued;
  const content = buildTaskMessage({
    task: input.task,
    requester: input.requester,
    repo: input.repo,
    branch: input.branch,
    agentsMd: await readRootAgentsMd(input.sandbox),
    documents: input.documents,
  });
  await input.record({
    type: 'user_message',
    text: input.task,
    author: input.requester,
    modelContent: content,
  });
  return [{ role: 'user', content }];
}

/**
 * The thread's previous turn ended with a question (`ask`): this turn is the answer, so the agent
 * continues that conversation (same history, so the prompt prefix still matches) with the answer
 * appended, on the branch where the earlier work was kept.
 */
async function continueAfterQuestion(input: ConversationInput): Promise<ChatMessage[] | null> {
  const turns = await input.store.listTurns(input.threadId);
  const previous = turns.filter((turn) => turn.id !== input.turnId).at(-1);
  if (previous?.status !== 'waiting') return null;
  const items = await input.store.listItems(previous.id);
  const messages = rebuildMessages(items);
  if (messages.length === 0) return null;
  input.onFilesSeen?.(filesSeen(items, input.sandbox.workdir));
  const content = `The requester answered your question:\n\n${input.task}`;
  messages.push({ role: 'user', content });
  await input.record({
    type: 'user_message',
    text: input.task,
    author: input.requester,
    modelContent: content,
  });
  return messages;
}
