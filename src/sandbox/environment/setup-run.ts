import type { ExecRequest, ExecResult } from '../types.ts';
import { maskSecretForms } from './secret-forms.ts';
import type { SetupFailure } from './types.ts';

const TAIL_CHARS = 4_000;
/** Live progress is the last output line, at most this often (Slack and the terminal need no more). */
const PROGRESS_EVERY_MS = 2_000;

/** Reports the last non-empty output line of a running command now and then, masked. */
function liveProgress(
  command: string,
  forms: readonly string[],
  everyMs: number,
  report?: (line: string) => void,
) {
  let last = 0;
  let partial = '';
  let cut = false;
  return (chunk: string) => {
    if (!report) return;
    const joined = `${partial}${chunk}`;
    if (joined.length > 4_000) cut = true;
    partial = joined.slice(-4_000);
    const now = Date.now();
    if (last > 0 && now - last < everyMs) return;
    // Only whole lines: a line still being written (or cut at the front) may hold part of a secret
    // that masking cannot recognise yet.
    const segments = partial.split(/\r?\n|\r/);
    const whole = segments.slice(cut ? 1 : 0, -1);
    const line = whole
      .map((text) => text.trim())
      .filter(Boolean)
      .at(-1);
    if (!line) return;
    last = now;
    report(`environment: ${command} … ${maskSecretForms(line, forms).slice(0, 160)}`);
  };
}

export interface SetupRunResult {
  failure?: SetupFailure;
  /** Every command's output, masked, for the logs. */
  log: string;
  durationMs: number;
}

function tail(text: string): string {
  return text.length <= TAIL_CHARS
    ? text
    : `[… ${text.length - TAIL_CHARS} earlier characters cut]\n${text.slice(-TAIL_CHARS)}`;
}

/**
 * Runs the setup commands in order, each with the command timeout and output cap of any command;
 * the first failure stops the setup. Output is masked with every form of the setup secrets before
 * it goes anywhere; the refused hosts are named at the end of the failing command's output.
 */
export async function runSetupCommands(options: {
  commands: readonly string[];
  exec: (request: ExecRequest) => Promise<ExecResult>;
  timeoutMs: number;
  secretForms: readonly string[];
  refusals: () => { destination: string; reason: string }[];
  onProgress?: (line: string) => void;
  /** How often live progress may report a line (default 2 s). */
  progressEveryMs?: number;
  signal?: AbortSignal;
}): Promise<SetupRunResult> {
  const started = Date.now();
  let log = '';
  for (const command of options.commands) {
    options.onProgress?.(`environment: ${command} …`);
    const result = await options.exec({
      cmd: `{\n${command}\n} 2>&1`,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      onOutput: liveProgress(
        command,
        options.secretForms,
        options.progressEveryMs ?? PROGRESS_EVERY_MS,
        options.onProgress,
      ),
    });
    const output = maskSecretForms(`${result.stdout}${result.stderr}`, options.secretForms);
    log += `$ ${command}\n${output}\n`;
    if (result.exitCode !== 0 || result.timedOut) {
      const refusal = options
        .refusals()
        .map(
          ({ destination, reason }) =>
            `\nbaton: the egress proxy refused ${destination}: ${reason} (see sandbox.setupAllowHosts)`,
        )
        .join('');
      return {
        failure: {
          command,
          exitCode: result.exitCode,
          timedOut: result.timedOut,
          outputTail: tail(`${output}${refusal}`),
        },
        log,
        durationMs: Date.now() - started,
      };
    }
  }
  return { log, durationMs: Date.now() - started };
}
