import { z } from 'zod';
import { defineTool } from './define-tool.ts';
import { success } from './tool-result.ts';
import type { ToolResult } from './types.ts';

const parameters = z.object({
  text: z.string().min(1).max(3000).describe('A short message for the requester (Markdown).'),
});

export const replyTool = defineTool({
  name: 'reply',
  parameters,
  effect: 'report',
  async execute(args, context): Promise<ToolResult> {
    await context.reporter.reply(args.text);
    return success('Sent to the requester. Continue the work.');
  },
});
