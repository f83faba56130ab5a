import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Readable, Writable } from 'node:stream';
import { BatonError } from '../../observability/errors.ts';
import { ARGS_FD, type BubblewrapInvocation, FIRST_INPUT_FD } from './bubblewrap.ts';
import { type CappedOutput, createOutputCollector } from './output-cap.ts';
import type { SandboxUser } from './sandbox-user.ts';

export interface SpawnSandboxedOptions {
  bwrapPath: string;
  invocation: BubblewrapInvocation;
  /** `hostDrop` set: bwrap starts as that uid/gid with no supplementary groups (Baton is root). */
  user: SandboxUser;
  /** PATH used to find bwrap itself; the sandbox's own environment is in `args`. */
  hostPath: string;
  stdin?: string;
  /** Live output, besides what the collector keeps. */
  onOutput?: (chunk: string) => void;
  timeoutMs: number;
  signal?: AbortSignal;
  outputCapBytes: number;
  /** Host file (outside the workspace) that receives the full output once it passes the cap. */
  spoolPath: string;
  /** Called with a kill function while the command runs, so `dispose` can stop it. */
  track: (kill: () => void) => () => void;
}

export interface SandboxedOutcome extends CappedOutput {
  exitCode: number;
  timedOut: boolean;
  durationMs: number;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = {
  SIGKILL: 9,
  SIGTERM: 15,
  SIGINT: 2,
  SIGABRT: 6,
  SIGSEGV: 11,
};

/**
 * Runs bwrap and waits for it. A timeout, an abort or dispose kills the whole command tree: bwrap's
 * init is pid 1 of the sandbox's pid namespace, and when pid 1 dies the kernel kills every process
 * in the namespace, including ones that called setsid or double-forked. (--die-with-parent also
 * takes it down if the Baton process itself dies.)
 */
export async function spawnSandboxed(options: SpawnSandboxedOptions): Promise<SandboxedOutcome> {
  if (options.signal?.aborted) throw abortedError(options.signal.reason);
  const started = performance.now();
  const { invocation } = options;
  const drop = options.user.hostDrop;
  /*
   * Dropping privileges here is setpriv's `--reuid --regid --clear-groups` without a second exec:
   * libuv, when given uid/gid, calls setgroups(0), setgid and setuid in the child before exec, and
   * setuid from root clears the permitted, effective and ambient capabilities. bwrap then starts
   * as a plain user and builds an unprivileged user namespace of its own.
   */
  const child = spawn(
    options.bwrapPath,
    ['--info-fd', '3', '--args', String(ARGS_FD), ...invocation.command],
    {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe', ...invocation.inputs.map(() => 'pipe' as const)],
      env: { PATH: options.hostPath },
      cwd: '/',
      ...(drop ? { uid: drop.uid, gid: drop.gid } : {}),
    },
  );
  const sandboxInit = readSandboxInitPid(child.stdio[3] as Readable | null);
  feed(child.stdio[ARGS_FD] as Writable | null, Buffer.from(`${invocation.args.join('\0')}\0`));
  invocation.inputs.forEach((content, index) => {
    feed(child.stdio[FIRST_INPUT_FD + index] as Writable | null, content);
  });
  const collector = createOutputCollector({ capBytes: options.outputCapBytes, spoolPath: options.spoolPath });
  collector.attach('stdout', child.stdout);
  collector.attach('stderr', child.stderr);
  if (options.onOutput) {
    const forward = (chunk: Buffer) => options.onOutput?.(chunk.toString('utf8'));
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
  }
  child.stdin.on('error', () => undefined); // a command that ignores stdin closes the pipe early
  child.stdin.end(options.stdin ?? '');

  let timedOut = false;
  let aborted = false;
  let closed = false;
  /*
   * bwrap's init sets its own parent-death signal, so bwrap killed in the instant before that would
   * leave it running. Wait until bwrap reports the init's pid (it does so right after creating it),
   * kill the init (pid 1 of the namespace: the whole tree goes with it), then bwrap itself.
   */
  const kill = () => {
    void sandboxInit
      .then((pid) => {
        if (pid && !closed) process.kill(pid, 'SIGKILL');
      })
      .catch(() => undefined)
      .finally(() => child.kill('SIGKILL'));
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
  options.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    closed = true;
    const output = await collector.finish();
    if (aborted) throw abortedError(options.signal?.reason);
    const exitCode = code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 1) : 1);
    return { ...output, exitCode, timedOut, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    if (error instanceof BatonError) throw error;
    throw new BatonError({
      code: 'sandbox_unavailable',
      message: `bubblewrap could not start: ${error instanceof Error ? error.message : String(error)}`,
      hint: 'run `node src/cli/ensure-system.mjs` (or `sudo apt-get install -y bubblewrap`)',
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    untrack();
  }
}

/** Writes what bwrap reads from one descriptor; bwrap failing early closes the pipe, which is not an error here. */
function feed(stream: Writable | null, content: Buffer): void {
  if (!stream) return;
  stream.on('error', () => undefined);
  stream.end(content);
}

/** bwrap writes `{"child-pid": N}` to --info-fd once the sandbox's init exists (N as the host sees it). */
function readSandboxInitPid(stream: Readable | null): Promise<number | undefined> {
  return new Promise((resolve) => {
    if (!stream) return resolve(undefined);
    let text = '';
    // Read to the end (never destroy the pipe early: bwrap would get SIGPIPE writing the rest).
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (match?.[1]) resolve(Number(match[1]));
    });
    stream.on('error', () => resolve(undefined));
    stream.on('close', () => resolve(undefined));
  });
}

function abortedError(reason: unknown): BatonError {
  return new BatonError({ code: 'sandbox_aborted', message: 'the command was cancelled', cause: reason });
}
