import { describeError, isBatonError } from '../src/observability/errors.ts';
import type { Middleware, MiddlewareContext, StepRecord, StepResult } from './types.ts';

export type PassOutcome =
  | { type: 'passed' }
  /** A feedback step (lint, test) failed: `feedback` tells the agent what failed, with the output. */
  | { type: 'needs_fix'; feedback: string }
  /** A step refused to continue (secret found), or a step that cannot feed back failed. */
  | { type: 'blocked'; step: string; summary: string };

export interface MiddlewarePass {
  records: StepRecord[];
  outcome: PassOutcome;
}

/** A fence longer than any run of backticks in the text, so the output cannot close it early. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  return '`'.repeat(longest + 1);
}

/** What the agent reads when a check fails: which check, the command, and the end of its output. */
export function describeFailure(record: StepRecord): string {
  const lines = [`The ${record.name} check failed: ${record.summary}`];
  if (record.command) lines.push(`Command: ${record.command}`);
  if (record.output) {
    const marker = fence(record.output);
    lines.push('Output (the end of it):', marker, record.output.trimEnd(), marker);
  }
  return lines.join('\n');
}

async function runStep(middleware: Middleware, context: MiddlewareContext): Promise<StepRecord> {
  const started = Date.now();
  let result: StepResult;
  try {
    result = await middleware.run(context);
  } catch (error) {
    // A broken step is a failed step, not a crashed run; the operator gets the whole error in the log.
    context.log.error({ err: error, step: middleware.name }, 'middleware step threw');
    const code = isBatonError(error) ? ` [${error.code}]` : '';
    result = { status: 'failed', summary: `${middleware.name} failed${code}: ${describeError(error)}` };
  }
  const record: StepRecord = { name: middleware.name, ...result };
  context.log.info(
    { step: record.name, status: record.status, durationMs: Date.now() - started, summary: record.summary },
    'middleware step finished',
  );
  return record;
}

/**
 * One pass of the deterministic steps, in order. It stops at the first failed feedback step
 * (`needs_fix`) and at any `blocked` step. A step that cannot feed back (scan, commit) and fails
 * blocks the rest: pushing after an unfinished secret scan or a failed commit is never right.
 */
export async function runMiddlewarePass(
  middlewares: readonly Middleware[],
  context: Omit<MiddlewareContext, 'previous'>,
): Promise<MiddlewarePass> {
  const records: StepRecord[] = [];
  for (const middleware of middlewares) {
    const record = await runStep(middleware, { ...context, previous: [...records] });
    records.push(record);
    if (record.status === 'blocked') {
      return { records, outcome: { type: 'blocked', step: record.name, summary: record.summary } };
    }
    if (record.status === 'failed') {
      if (middleware.feedback)
        return { records, outcome: { type: 'needs_fix', feedback: describeFailure(record) } };
      return { records, outcome: { type: 'blocked', step: record.name, summary: record.summary } };
    }
  }
  return { records, outcome: { type: 'passed' } };
}
