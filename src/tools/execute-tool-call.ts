import type { z } from 'zod';
import type { ToolCall } from '../model/types.ts';
import { redactSecrets } from '../observability/redact.ts';
import { limitOutput } from './limit-output.ts';
import type { ToolRegistry } from './registry.ts';
import { failure } from './tool-result.ts';
import type { ToolContext, ToolResult } from './types.ts';

/**
 * Runs one tool call from the model. Never throws: bad JSON, bad arguments, an unknown tool and a tool
 * that throws all come back as `{ ok: false }` results the model can act on. Output is redacted and
 * kept within the context's output limit.
 */
export async function executeToolCall(
  registry: ToolRegistry,
  call: ToolCall,
  context: ToolContext,
): Promise<ToolResult> {
  let result: ToolResult;
  try {
    result = await dispatch(registry, call, context);
  } catch (error) {
    context.log.error({ err: error, tool: call.name, callId: call.id }, 'tool threw');
    result = failure(
      `${call.name} failed: ${error instanceof Error ? error.message : String(error)}`,
      'This may be temporary; try again, or reach the goal another way.',
    );
  }
  try {
    return await limitOutput(call.name, redactResult(result, context), context);
  } catch (error) {
    context.log.error({ err: error, tool: call.name }, 'limiting tool output failed');
    return failure(`${call.name} produced output that could not be processed.`);
  }
}

async function dispatch(registry: ToolRegistry, call: ToolCall, context: ToolContext): Promise<ToolResult> {
  const tool = registry.get(call.name);
  if (!tool) {
    return failure(
      `There is no tool named "${call.name}".`,
      `Available tools: ${registry.tools.map((candidate) => candidate.name).join(', ')}.`,
    );
  }
  let raw: unknown;
  try {
    // Some models send an empty string for a call without arguments.
    raw = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch (error) {
    return failure(
      `The arguments for ${call.name} are not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      'Call the tool again with the arguments as one valid JSON object (escape quotes and newlines inside strings).',
    );
  }
  const parsed = tool.parameters.safeParse(raw);
  if (!parsed.success) {
    return failure(
      `Invalid arguments for ${call.name}:\n${describeIssues(parsed.error.issues)}`,
      'Fix these fields and call the tool again.',
    );
  }
  return tool.execute(parsed.data, context);
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(arguments)';
      return `- ${field}: ${issue.message}`;
    })
    .join('\n');
}

/** Known values first (in every encoding), then credential shapes: before the model or a file sees it. */
function redactResult(result: ToolResult, context: ToolContext): ToolResult {
  const clean = (text: string) => redactSecrets(text, context.secrets);
  if (result.ok) return { ...result, output: clean(result.output) };
  return result.hint
    ? { ok: false, error: clean(result.error), hint: clean(result.hint) }
    : { ok: false, error: clean(result.error) };
}
