import { z } from 'zod';
import type { TodoItem } from '../runs/reporter.ts';
import { defineTool } from './define-tool.ts';
import { success } from './tool-result.ts';
import type { ToolResult } from './types.ts';

const parameters = z.object({
  items: z
    .array(
      z.object({
        text: z.string().min(1).describe('One step, in a few words.'),
        status: z.enum(['pending', 'in_progress', 'done']),
      }),
    )
    .max(50)
    .describe('The whole plan; it replaces the previous one.'),
});

const MARKS: Record<TodoItem['status'], string> = { pending: '[ ]', in_progress: '[~]', done: '[x]' };

export const todoTool = defineTool({
  name: 'todo',
  parameters,
  effect: 'report',
  async execute(args, context): Promise<ToolResult> {
    context.state.plan = args.items.map((item) => ({ text: item.text, status: item.status }));
    const done = args.items.filter((item) => item.status === 'done').length;
    const current = args.items.find((item) => item.status === 'in_progress');
    context.progress(current ? current.text : `plan updated (${done}/${args.items.length} done)`);
    if (args.items.length === 0) return success('The plan is now empty.');
    return success(`Plan (${done}/${args.items.length} done):\n${renderChecklist(context.state.plan)}`);
  },
});

export function renderChecklist(items: readonly TodoItem[]): string {
  return items.map((item) => `${MARKS[item.status]} ${item.text}`).join('\n');
}
