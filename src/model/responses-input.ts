import type { FunctionTool, ResponseInputItem } from 'openai/resources/responses/responses';
import type { ChatMessage, ToolSpec } from './types.ts';

/**
 * Our history as Responses API input items. Requests are stateless (`store: false`), so the whole
 * history goes every time; the mapping is pure, which keeps the prefix byte-stable for caching.
 */
export function toResponsesInput(messages: readonly ChatMessage[]): ResponseInputItem[] {
  const items: ResponseInputItem[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'user':
        items.push({ type: 'message', role: 'user', content: message.content });
        break;
      case 'assistant':
        if (message.content) items.push({ type: 'message', role: 'assistant', content: message.content });
        for (const call of message.toolCalls) {
          items.push({ type: 'function_call', call_id: call.id, name: call.name, arguments: call.arguments });
        }
        break;
      case 'tool':
        items.push({ type: 'function_call_output', call_id: message.toolCallId, output: message.content });
        break;
      default:
        assertNever(message);
    }
  }
  return items;
}

export function toResponsesTools(tools: readonly ToolSpec[]): FunctionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
    strict: false,
  }));
}

function assertNever(value: never): never {
  throw new Error(`Unexpected message: ${JSON.stringify(value)}`);
}
