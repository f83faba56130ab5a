import { z } from 'zod';
import { defineTool } from './define-tool.ts';
import { success } from './tool-result.ts';
import type { ToolResult } from './types.ts';

const parameters = z.object({
  summary: z.string().min(1).describe('What changed and why, in plain words, for the requester.'),
  pr_title: z.string().min(1).max(200).describe('Pull request title: imperative, under 72 characters.'),
  pr_body: z.string().describe('Pull request body (Markdown): what, why, how it was tested.'),
});

export const finishTool = defineTool({
  name: 'finish',
  parameters,
  effect: 'report',
  async execute(args): Promise<ToolResult> {
    return success('Finished. The checks, commit and pull request follow.', {
      type: 'finish',
      payload: { summary: args.summary, prTitle: args.pr_title, prBody: args.pr_body },
    });
  },
});
