import { nextOutputNumber, OUTPUT_DIR } from './output-files.ts';
import type { ToolContext, ToolResult } from './types.ts';

/** Room kept for the notice between head and tail. */
const NOTICE_ROOM = 400;

/**
 * Keeps every tool result within `context.outputLimit` characters. Long output keeps its head and tail;
 * the full text is saved in the workspace so the model can page through it with read_file or grep.
 */
export async function limitOutput(
  toolName: string,
  result: ToolResult,
  context: ToolContext,
): Promise<ToolResult> {
  const limit = context.outputLimit;
  if (!result.ok) return limitError(result, limit);
  if (result.output.length <= limit) return result;

  let savedAt: string | null = null;
  try {
    const number = await nextOutputNumber(context.sandbox, toolName);
    savedAt = `${OUTPUT_DIR}/${toolName}-${number}.txt`;
    await context.sandbox.writeFile(savedAt, result.output);
  } catch (error) {
    context.log.warn({ err: error, tool: toolName }, 'could not save full tool output');
    savedAt = null;
  }
  const lines = countLines(result.output);
  const notice = savedAt
    ? `\n\n[... output truncated: ${result.output.length} characters, ${lines} lines in total. The full output is ` +
      `saved at ${savedAt}; page through it with read_file (offset/limit) or search it with grep ...]\n\n`
    : `\n\n[... output truncated: ${result.output.length} characters, ${lines} lines in total; the full output ` +
      'could not be saved. Narrow the request to see the rest ...]\n\n';
  const budget = Math.max(0, limit - notice.length);
  const headLength = Math.ceil(budget * 0.6);
  const tailLength = budget - headLength;
  const head = result.output.slice(0, headLength);
  const tail = tailLength > 0 ? result.output.slice(result.output.length - tailLength) : '';
  const output = `${head}${notice}${tail}`.slice(0, Math.max(limit, NOTICE_ROOM));
  return { ...result, output, truncated: true };
}

/** Errors are short by nature; a long one (a compiler dump in git's message) is cut without saving. */
function limitError(result: Extract<ToolResult, { ok: false }>, limit: number): ToolResult {
  const hintLength = result.hint?.length ?? 0;
  if (result.error.length + hintLength <= limit) return result;
  const hint =
    result.hint && result.hint.length > limit / 4 ? `${result.hint.slice(0, limit / 4)}...` : result.hint;
  const room = Math.max(0, limit - (hint?.length ?? 0) - 40);
  const half = Math.floor(room / 2);
  const error = `${result.error.slice(0, half)}\n[... error truncated ...]\n${result.error.slice(result.error.length - half)}`;
  return hint ? { ok: false, error, hint } : { ok: false, error };
}

function countLines(text: string): number {
  let count = 1;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count += 1;
  return count;
}
