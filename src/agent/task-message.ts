import { fenceUntrusted } from '../context/fence.ts';
import type { ContextDocument } from '../context/types.ts';

export interface TaskMessageInput {
  task: string;
  requester?: string;
  repo: string;
  branch: string;
  agentsMd: string | null;
  documents: readonly ContextDocument[];
}

/**
 * The first user message: the task, then the repository's instructions and the gathered context.
 * Everything that varies per run lives here, after the static system prompt and tools.
 */
export function buildTaskMessage(input: TaskMessageInput): string {
  const sections = [
    `Task from ${input.requester ?? 'the requester'}:\n\n${input.task}`,
    `Repository: ${input.repo} (you are on branch ${input.branch}, working tree at /workspace).`,
  ];
  if (input.agentsMd) sections.push(`Instructions from the repository's AGENTS.md:\n\n${input.agentsMd}`);
  for (const document of input.documents) {
    const heading = `${document.kind}: ${document.title}${document.url ? ` (${document.url})` : ''}`;
    sections.push(
      document.trusted ? `${heading}\n\n${document.text}` : fenceUntrusted(heading, document.text),
    );
  }
  return sections.join('\n\n---\n\n');
}
