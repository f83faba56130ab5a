import { z } from 'zod';
import { applyPatchInSandbox } from './apply-patch.ts';
import { defineTool } from './define-tool.ts';
import { nextOutputNumber, OUTPUT_DIR } from './output-files.ts';
import { failure, success } from './tool-result.ts';
import type { ToolContext, ToolResult } from './types.ts';

const parameters = z.object({
  kind: z
    .enum(['explore', 'write'])
    .describe(
      '`explore`: a read-only helper that searches and answers. `write`: a helper that makes a change in its own copy.',
    ),
  prompt: z
    .string()
    .min(1)
    .describe('The complete, self-contained task for the helper: it sees nothing of your conversation.'),
});

export const taskTool = defineTool({
  name: 'task',
  parameters,
  effect: 'exec',
  async execute(args, context): Promise<ToolResult> {
    if (!context.runSubagent) {
      return failure('subagents cannot start subagents', 'Do the work yourself with the other tools.');
    }
    context.progress(`${args.kind === 'explore' ? 'exploring' : 'delegating'}: ${args.prompt.slice(0, 80)}`);
    const result = await context.runSubagent({ kind: args.kind, prompt: args.prompt }, context.signal);
    if (args.kind === 'explore') return success(`The explorer reports:\n${result.summary}`);
    if (!result.patch) return success(`The writer made no changes. It reports:\n${result.summary}`);
    return success(await bringInPatch(result.summary, result.patch, context));
  },
});

/** The writer worked in its own workspace; its diff is applied here, or kept for the agent to inspect. */
async function bringInPatch(summary: string, patch: string, context: ToolContext): Promise<string> {
  const outcome = await applyPatchInSandbox(context.sandbox, patch, context.signal);
  if (outcome.applied) {
    return (
      `The writer's patch applied cleanly to your workspace. Files changed:\n` +
      `${outcome.files.map((file) => `  ${file}`).join('\n')}\n\nThe writer reports:\n${summary}\n\n` +
      'Review the change with view_diff before you finish.'
    );
  }
  const number = await nextOutputNumber(context.sandbox, 'task');
  const savedAt = `${OUTPUT_DIR}/task-${number}.patch`;
  await context.sandbox.writeFile(savedAt, patch);
  return (
    `The writer's patch did NOT apply to your workspace (it conflicts with your changes):\n${outcome.message}\n\n` +
    `The patch is saved at ${savedAt}; read it and make the change yourself.\n\nThe writer reports:\n${summary}`
  );
}
