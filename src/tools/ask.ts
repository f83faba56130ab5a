import { z } from 'zod';
import { defineTool } from './define-tool.ts';
import { success } from './tool-result.ts';
import type { ToolResult } from './types.ts';

const parameters = z.object({
  question: z.string().min(1).max(3000).describe('One clear question the requester can answer briefly.'),
});

export const askTool = defineTool({
  name: 'ask',
  parameters,
  effect: 'report',
  async execute(args, context): Promise<ToolResult> {
    const outcome = await context.reporter.ask(args.question);
    switch (outcome.type) {
      case 'answered':
        return success(`The requester answered: ${outcome.text}`);
      case 'deferred':
        return success(
          'The question was posted. This turn ends now; the answer will arrive as a new message.',
          {
            type: 'wait',
            question: args.question,
          },
        );
    }
  },
});
