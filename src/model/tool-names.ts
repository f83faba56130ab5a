import { BatonError } from '../observability/errors.ts';
import type { ToolSpec } from './types.ts';

/** What every OpenAI-compatible API accepts as a function name. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** Refuses a request before it is sent: the server would answer 400 for the whole call. */
export function assertValidToolNames(tools: readonly ToolSpec[]): void {
  const seen = new Set<string>();
  for (const tool of tools) {
    if (!TOOL_NAME_PATTERN.test(tool.name)) {
      throw new BatonError({
        code: 'model_invalid_tool_name',
        message: `The tool name ${JSON.stringify(tool.name)} is not accepted by the model API (it must match ${TOOL_NAME_PATTERN.source}).`,
        hint: 'Rename the tool: letters, digits, underscores and dashes only, at most 64 characters.',
      });
    }
    if (seen.has(tool.name)) {
      throw new BatonError({
        code: 'model_invalid_tool_name',
        message: `The tool name ${JSON.stringify(tool.name)} is defined twice; the model API needs unique names.`,
        hint: 'Remove or rename the duplicate tool.',
      });
    }
    seen.add(tool.name);
  }
}
