import { z } from 'zod';
import { redactSecrets } from '../src/observability/redact.ts';
import type { ExecResult, Sandbox } from '../src/sandbox/types.ts';
import { type CheckKind, type CommandDetection, detectCommand } from './detect-commands.ts';
import { shellQuote } from './git-shell.ts';
import { parseMiddlewareOptions } from './options.ts';
import type { Middleware, MiddlewareContext, StepResult } from './types.ts';

const checkOptionsSchema = z
  .object({
    /** Wall-clock limit of the whole check; test suites are slow, so this is generous. */
    timeoutMs: z
      .number()
      .int()
      .positive()
      .default(10 * 60_000),
    /** Characters of output (the end of it) kept for the agent. */
    outputChars: z.number().int().min(500).default(8_000),
  })
  .strict();

export type CheckOptions = z.infer<typeof checkOptionsSchema>;

const TAIL_LINE_CHARS = 120;

/** The last `limit` characters, marked as cut when they are not everything. */
export function keepTail(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return `[… ${text.length - limit} earlier characters cut]\n${text.slice(-limit)}`;
}

function lastLine(output: string): string {
  const lines = output.split('\n').map((line) => line.replace(/\s+/g, ' ').trim());
  const last = lines.filter((line) => line !== '').at(-1) ?? '';
  return last.length > TAIL_LINE_CHARS ? `${last.slice(0, TAIL_LINE_CHARS - 1)}…` : last;
}

function formatSeconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)}s`;
}

/** The whole output when the sandbox cut it: its end is what explains a failure. */
async function fullTail(
  sandbox: Sandbox,
  result: ExecResult,
  limit: number,
  signal: AbortSignal,
): Promise<string> {
  const combined = result.stderr ? `${result.stdout}\n${result.stderr}` : result.stdout;
  if (!result.truncated || !result.fullOutputPath) return combined;
  const tail = await sandbox.exec({
    cmd: `tail -c ${limit} -- ${shellQuote(result.fullOutputPath)}`,
    signal,
  });
  return tail.exitCode === 0
    ? `[… output cut; the full output is in ${result.fullOutputPath}]\n${tail.stdout}`
    : combined;
}

function summarise(command: string, result: ExecResult, output: string): string {
  const how = result.timedOut
    ? `timed out after ${formatSeconds(result.durationMs)}`
    : `exit ${result.exitCode} in ${formatSeconds(result.durationMs)}`;
  const tail = lastLine(output);
  return tail ? `${command}: ${how} — ${tail}` : `${command}: ${how}`;
}

function skipped(kind: CheckKind, detection: Exclude<CommandDetection, { type: 'found' }>): StepResult {
  return { status: 'skipped', summary: `${kind} skipped: ${detection.reason}` };
}

/** Runs one check command (lint or test) in the sandbox; its failure goes back to the agent. */
export async function runCheck(
  kind: CheckKind,
  options: CheckOptions,
  context: MiddlewareContext,
): Promise<StepResult> {
  const detection = await detectCommand(kind, { sandbox: context.sandbox, repo: context.repo });
  if (detection.type !== 'found') {
    context.log.info({ step: kind, detection }, 'check skipped');
    return skipped(kind, detection);
  }
  const { command } = detection;
  context.log.info({ step: kind, command, reason: detection.reason }, 'check started');
  // One stream keeps stdout and stderr in the order a person would have seen them.
  const result = await context.sandbox.exec({
    cmd: `{\n${command}\n} 2>&1`,
    timeoutMs: options.timeoutMs,
    env: { CI: 'true' },
    signal: context.signal,
  });
  const output = redactSecrets(
    keepTail(
      await fullTail(context.sandbox, result, options.outputChars, context.signal),
      options.outputChars,
    ),
    context.secrets,
  );
  const passed = result.exitCode === 0 && !result.timedOut;
  context.log.info(
    { step: kind, command, exitCode: result.exitCode, timedOut: result.timedOut },
    'check finished',
  );
  return {
    status: passed ? 'passed' : 'failed',
    summary: summarise(command, result, output),
    output,
    command,
  };
}

/** A lint- or test-shaped middleware. */
export function createCheckMiddleware(kind: CheckKind, options: Record<string, unknown>): Middleware {
  const parsed = parseMiddlewareOptions(kind, checkOptionsSchema, options);
  return { name: kind, feedback: true, run: (context) => runCheck(kind, parsed, context) };
}
