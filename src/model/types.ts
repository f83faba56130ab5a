/** A tool call as the model made it; `arguments` is the raw JSON text, validated later. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export type ChatMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls: ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

/** What the model is told about a tool. `parameters` is a JSON Schema object. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ModelRequest {
  system: string;
  messages: readonly ChatMessage[];
  tools: readonly ToolSpec[];
  /** Stable per thread, so the provider routes requests with the same prefix to the same cache. */
  cacheKey?: string;
  maxOutputTokens?: number;
  /** Streamed text as it arrives. */
  onTextDelta?: (text: string) => void;
  /** Extra HTTP headers for this call (the turn's `traceparent`). */
  headers?: Readonly<Record<string, string>>;
}

export interface Usage {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
}

export interface ModelResponse {
  message: { content: string | null; toolCalls: ToolCall[] };
  usage: Usage;
  costUsd: number;
  finishReason: 'stop' | 'tool_calls' | 'length' | 'content_filter' | 'other';
}

export interface ModelClient {
  readonly provider: 'chat-completions' | 'responses';
  readonly model: string;
  /** Throws a BatonError with code `model_*` when the call cannot succeed. */
  complete(request: ModelRequest, signal?: AbortSignal): Promise<ModelResponse>;
}
