import { z } from 'zod';
import { defineTool } from './define-tool.ts';
import { shellQuote } from './shell-quote.ts';
import { failure, success } from './tool-result.ts';
import type { ToolResult } from './types.ts';

const DEFAULT_TAIL = 50;

const parameters = z.object({
  job_id: z.string().min(1).describe('The id run_command returned, e.g. `job-1`.'),
  tail: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe(`How many of the last output lines to show. Default ${DEFAULT_TAIL}.`),
});

export const commandStatusTool = defineTool({
  name: 'command_status',
  parameters,
  // Part of running commands: an explorer (read-only) has no jobs to poll.
  effect: 'exec',
  async execute(args, context): Promise<ToolResult> {
    const job = context.state.backgroundJobs.get(args.job_id);
    if (!job) {
      const known = [...context.state.backgroundJobs.keys()];
      return failure(
        `No background job "${args.job_id}".`,
        known.length > 0
          ? `Known jobs: ${known.join(', ')}.`
          : 'Start one with run_command and background: true.',
      );
    }
    const tail = args.tail ?? DEFAULT_TAIL;
    // Taken before reading the files: a job that ends while they are read shows as running this time,
    // never as ended without the exit code it wrote.
    const ended = job.outcome;
    const output = await context.sandbox.exec({
      cmd: `cat ${shellQuote(job.exitCodePath)} 2>/dev/null; echo '--'; tail -n ${tail} ${shellQuote(job.outputPath)} 2>/dev/null`,
      signal: context.signal,
    });
    const separator = output.stdout.indexOf('--\n');
    const exitText = (separator === -1 ? '' : output.stdout.slice(0, separator)).trim();
    const log = (separator === -1 ? output.stdout : output.stdout.slice(separator + 3)).replace(/\s+$/, '');
    let state: string;
    if (exitText !== '') state = `exited with code ${exitText}`;
    else if (ended?.timedOut) state = 'timed out and was killed';
    else if (ended) state = `ended (exit code ${ended.exitCode})`;
    else state = 'running';
    const header = `${args.job_id} (${job.command}): ${state}`;
    const body = log ? `--- last ${tail} lines of ${job.outputPath} ---\n${log}` : '(no output yet)';
    return success(`${header}\n${body}`);
  },
});
