/** The parts of a model request that must stay byte-identical for a provider's prompt cache to hit. */
export interface CanonicalPrefix {
  model: unknown;
  /** Chat Completions: the leading system/developer messages. Responses: `instructions`. */
  system: unknown;
  tools: unknown[];
  /** Chat Completions: the messages after the system ones. Responses: the input items. */
  items: unknown[];
}

function isResponsesBody(body: Record<string, unknown>): boolean {
  return 'input' in body || 'instructions' in body;
}

function isSystemMessage(message: unknown): boolean {
  if (typeof message !== 'object' || message === null || !('role' in message)) return false;
  return message.role === 'system' || message.role === 'developer';
}

export function toCanonicalPrefix(body: Record<string, unknown>): CanonicalPrefix {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  if (isResponsesBody(body)) {
    const input = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : body.input;
    return {
      model: body.model,
      system: body.instructions ?? null,
      tools,
      items: Array.isArray(input) ? input : [],
    };
  }
  const messages: unknown[] = Array.isArray(body.messages) ? body.messages : [];
  let systemCount = 0;
  while (systemCount < messages.length && isSystemMessage(messages[systemCount])) systemCount += 1;
  return {
    model: body.model,
    system: messages.slice(0, systemCount),
    tools,
    items: messages.slice(systemCount),
  };
}

/** JSON equality: key order counts, because the provider hashes bytes, not meaning. */
function sameJson(left: unknown, right: unknown): boolean {
  return JSON.stringify(left) === JSON.stringify(right);
}

/**
 * True when `next` can reuse `previous`'s cached prefix: same model, system prompt and tools (same
 * order), and the previous history is an exact prefix of the next one (only appended to).
 */
export function isPrefixExtension(previous: Record<string, unknown>, next: Record<string, unknown>): boolean {
  const before = toCanonicalPrefix(previous);
  const after = toCanonicalPrefix(next);
  if (!sameJson(before.model, after.model)) return false;
  if (!sameJson(before.system, after.system)) return false;
  if (!sameJson(before.tools, after.tools)) return false;
  if (before.items.length > after.items.length) return false;
  return before.items.every((item, index) => sameJson(item, after.items[index]));
}
