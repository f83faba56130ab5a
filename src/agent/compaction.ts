import type { ChatMessage, ModelClient } from '../model/types.ts';

export interface Compactor {
  shouldCompact(lastInputTokens: number): boolean;
  /** Replaces the older part of `messages` (in place) with a summary; returns what it did, for the record. */
  compact(
    messages: ChatMessage[],
    signal: AbortSignal,
  ): Promise<{ summary: string; replacedMessages: number }>;
}

export interface CompactorOptions {
  model: ModelClient;
  contextWindowTokens: number;
  atFraction: number;
  /** The instructions for the summary (prompts/compaction.md). */
  instructions: string;
  /** How many of the latest messages stay verbatim (widened so no tool result loses its call). */
  keepRecent?: number;
}

/**
 * Compaction keeps the first message (the task and its context), a summary of the middle, and the
 * latest messages. The cut never separates an assistant tool call from its results.
 */
export function createCompactor(options: CompactorOptions): Compactor {
  const keepRecent = options.keepRecent ?? 6;
  return {
    shouldCompact: (lastInputTokens) => lastInputTokens >= options.contextWindowTokens * options.atFraction,
    async compact(messages, signal) {
      const cut = findCut(messages, keepRecent);
      if (cut <= 1) return { summary: '', replacedMessages: 0 };
      const middle = messages.slice(1, cut);
      const response = await options.model.complete(
        {
          system: options.instructions,
          messages: [{ role: 'user', content: renderTranscript(middle) }],
          tools: [],
        },
        signal,
      );
      const summary =
        response.message.content?.trim() || 'Earlier steps were compacted; no summary was produced.';
      messages.splice(1, cut - 1, compactionMessage(summary));
      return { summary, replacedMessages: middle.length };
    },
  };
}

/** The message that stands in for the compacted part of the history. */
export function compactionMessage(summary: string): ChatMessage {
  return { role: 'user', content: `Summary of the work so far (older steps were compacted):\n\n${summary}` };
}

/** The index where the kept tail starts: never on a tool result, whose call would be cut off. */
export function findCut(messages: readonly ChatMessage[], keepRecent: number): number {
  let cut = Math.max(1, messages.length - keepRecent);
  while (cut > 1 && messages[cut]?.role === 'tool') cut -= 1;
  return cut;
}

export function renderTranscript(messages: readonly ChatMessage[]): string {
  return messages.map(renderMessage).join('\n\n');
}

function renderMessage(message: ChatMessage): string {
  switch (message.role) {
    case 'user':
      return `USER:\n${message.content}`;
    case 'assistant': {
      const calls = message.toolCalls.map((call) => `  call ${call.name}(${call.arguments})`).join('\n');
      return `ASSISTANT:\n${message.content ?? ''}${calls ? `\n${calls}` : ''}`;
    }
    case 'tool':
      return `TOOL RESULT:\n${message.content.length > 2000 ? `${message.content.slice(0, 2000)}\n[...]` : message.content}`;
  }
}
