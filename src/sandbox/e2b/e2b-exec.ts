import { CommandExitError, type Sandbox as SdkSandbox } from 'e2b';
import { BatonError } from '../../observability/errors.ts';
import type { ExecRequest, ExecResult } from '../types.ts';

/** Bytes of stdout+stderr kept in memory; past the cap everything is kept (interleaved) for the spool. */
function createCappedOutput(capBytes: number) {
  const kept = { stdout: '', stderr: '' };
  const all: string[] = [];
  let keptBytes = 0;
  let truncated = false;
  const accept = (name: 'stdout' | 'stderr', text: string) => {
    all.push(text);
    if (truncated) return;
    const bytes = Buffer.byteLength(text);
    if (keptBytes + bytes <= capBytes) {
      kept[name] += text;
      keptBytes += bytes;
      return;
    }
    const room = Buffer.from(text)
      .subarray(0, capBytes - keptBytes)
      .toString('utf8');
    kept[name] += room;
    keptBytes = capBytes;
    truncated = true;
  };
  return {
    onStdout: (text: string) => accept('stdout', text),
    onStderr: (text: string) => accept('stderr', text),
    result: () => ({ ...kept, truncated, full: truncated ? all.join('') : undefined }),
  };
}

const KILLED_EXIT = 128 + 9;

const cancelled = (reason: unknown) =>
  new BatonError({ code: 'sandbox_aborted', message: 'the command was cancelled', cause: reason });
/** How long after its own timeout the SDK's stream may stay open: the kill and its end event. */
const STREAM_GRACE_MS = 30_000;

export interface E2BExecOutcome extends ExecResult {
  /** The whole output when it passed the cap (to be written into the workspace). */
  fullOutput?: string;
}

/**
 * One command through envd: started in the background so Baton keeps the handle, waited for,
 * killed on timeout or abort. The SDK throws CommandExitError on a non-zero exit; here that is a
 * result like any other.
 */
export async function runE2BCommand(options: {
  sandbox: SdkSandbox;
  request: ExecRequest;
  cwd: string;
  envs: Record<string, string>;
  timeoutMs: number;
  outputCapBytes: number;
  requestTimeoutMs: number;
  track: (kill: () => void) => () => void;
}): Promise<E2BExecOutcome> {
  const { request } = options;
  if (request.signal?.aborted) throw cancelled(request.signal.reason);
  const output = createCappedOutput(options.outputCapBytes);
  const started = performance.now();
  const handle = await options.sandbox.commands.run(request.cmd, {
    background: true,
    cwd: options.cwd,
    envs: options.envs,
    stdin: request.stdin !== undefined,
    timeoutMs: options.timeoutMs + STREAM_GRACE_MS,
    requestTimeoutMs: options.requestTimeoutMs,
    onStdout: output.onStdout,
    onStderr: output.onStderr,
  });
  let timedOut = false;
  let aborted = false;
  const kill = () => {
    handle.kill().catch(() => undefined);
  };
  const untrack = options.track(kill);
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, options.timeoutMs);
  const onAbort = () => {
    aborted = true;
    kill();
  };
  request.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (request.stdin !== undefined) {
      if (request.stdin) await handle.sendStdin(request.stdin);
      await handle.closeStdin();
    }
    let exitCode: number;
    try {
      exitCode = (await handle.wait()).exitCode;
    } catch (error) {
      if (!(error instanceof CommandExitError)) throw error;
      exitCode = error.exitCode < 0 ? KILLED_EXIT : error.exitCode;
    }
    if (aborted) throw cancelled(request.signal?.reason);
    const { stdout, stderr, truncated, full } = output.result();
    return {
      exitCode,
      stdout,
      stderr,
      timedOut,
      truncated,
      durationMs: Math.round(performance.now() - started),
      fullOutput: full,
    };
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onAbort);
    untrack();
  }
}
