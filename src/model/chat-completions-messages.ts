import type {
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions/completions';
import type { ChatMessage, ToolSpec } from './types.ts';

/**
 * Our history in the Chat Completions wire format. The mapping is pure and stable, so the same
 * history always serialises to the same bytes and the provider's prompt cache can match it.
 */
export function toChatCompletionMessages(
  system: string,
  messages: readonly ChatMessage[],
): ChatCompletionMessageParam[] {
  const wire: ChatCompletionMessageParam[] = [{ role: 'system', content: system }];
  for (const message of messages) wire.push(toWireMessage(message));
  return wire;
}

function toWireMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: message.content };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    case 'assistant':
      // The API refuses an empty `tool_calls` array and an assistant message with neither part.
      if (message.toolCalls.length === 0) return { role: 'assistant', content: message.content ?? '' };
      return {
        role: 'assistant',
        content: message.content,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        })),
      };
    default:
      return assertNever(message);
  }
}

export function toChatCompletionTools(tools: readonly ToolSpec[]): ChatCompletionFunctionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  }));
}

function assertNever(value: never): never {
  throw new Error(`Unexpected message: ${JSON.stringify(value)}`);
}
