import { z } from 'zod';
import type { ExecResult } from '../sandbox/types.ts';
import { defineTool } from './define-tool.ts';
import { nextOutputNumber, OUTPUT_DIR } from './output-files.ts';
import { success } from './tool-result.ts';
import type { BackgroundJob, ToolContext, ToolResult } from './types.ts';

const MAX_TIMEOUT_MS = 30 * 60_000;
/** A background job (a dev server, a long build) lives at most this long unless timeout_ms says otherwise. */
const BACKGROUND_TIMEOUT_MS = 30 * 60_000;

const parameters = z.object({
  command: z.string().min(1).describe('A shell command line, run with `sh -c` in /workspace.'),
  timeout_ms: z
    .number()
    .int()
    .min(1000)
    .max(MAX_TIMEOUT_MS)
    .optional()
    .describe('Time limit in milliseconds. Default: the sandbox limit.'),
  background: z
    .boolean()
    .optional()
    .describe('Start it detached and return a job id at once; poll with command_status.'),
});

export const runCommandTool = defineTool({
  name: 'run_command',
  parameters,
  effect: 'exec',
  async execute(args, context): Promise<ToolResult> {
    context.progress(
      `running ${args.command.length > 80 ? `${args.command.slice(0, 77)}...` : args.command}`,
    );
    if (args.background) return startBackground(args.command, args.timeout_ms, context);
    const result = await context.sandbox.exec({
      cmd: args.command,
      timeoutMs: args.timeout_ms,
      signal: context.signal,
    });
    return success(renderExecResult(result));
  },
});

export function renderExecResult(result: ExecResult): string {
  const parts: string[] = [];
  parts.push(
    result.timedOut
      ? `Timed out after ${result.durationMs} ms (the command was killed).`
      : `Exit code: ${result.exitCode}`,
  );
  const stdout = result.stdout.replace(/\s+$/, '');
  const stderr = result.stderr.replace(/\s+$/, '');
  if (stdout) parts.push(`--- stdout ---\n${stdout}`);
  if (stderr) parts.push(`--- stderr ---\n${stderr}`);
  if (!stdout && !stderr) parts.push('(no output)');
  if (result.truncated) {
    parts.push(
      result.fullOutputPath
        ? `The output was cut; the full output is at ${result.fullOutputPath} (page through it with read_file or grep).`
        : 'The output was cut at the sandbox output cap.',
    );
  }
  return parts.join('\n');
}

/**
 * A background job is an exec the tool does not wait for: the command's output goes to a log file in
 * the workspace and its exit code to another, so it works on any provider that runs execs concurrently.
 */
async function startBackground(
  command: string,
  timeoutMs: number | undefined,
  context: ToolContext,
): Promise<ToolResult> {
  const number = await nextOutputNumber(context.sandbox, 'job');
  const id = `job-${number}`;
  const outputPath = `${OUTPUT_DIR}/${id}.log`;
  const exitCodePath = `${OUTPUT_DIR}/${id}.exit`;
  const job: BackgroundJob = { command, outputPath, exitCodePath };
  context.state.backgroundJobs.set(id, job);
  const wrapped =
    `mkdir -p ${OUTPUT_DIR} && : > ${outputPath} && rm -f ${exitCodePath} && ` +
    `{ ( ${command}\n) < /dev/null > ${outputPath} 2>&1; echo $? > ${exitCodePath}; }`;
  context.sandbox
    .exec({ cmd: wrapped, timeoutMs: timeoutMs ?? BACKGROUND_TIMEOUT_MS, signal: context.signal })
    .then((result) => {
      job.outcome = { exitCode: result.exitCode, timedOut: result.timedOut };
    })
    .catch((error: unknown) => {
      job.outcome = { exitCode: -1, timedOut: false };
      context.log.warn({ err: error, job: id }, 'background command failed to run');
    });
  return success(
    `Started ${id} in the background. Its output goes to ${outputPath}. ` +
      `Call command_status with job_id "${id}" to see whether it is still running and the end of its output.`,
  );
}
