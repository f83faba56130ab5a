import { mkdir, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Sandbox as SdkSandbox } from 'e2b';
import { BatonError, isBatonError } from '../../observability/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { EXPORT_BUNDLE_PATH, EXPORT_SCRIPT, parseExportResult } from '../export-script.ts';
import { SANDBOX_WORKDIR, toWorkspaceRelative } from '../local/paths.ts';
import type {
  ChangeExport,
  ExecRequest,
  ExecResult,
  Sandbox,
  SandboxCreateOptions,
  SandboxLimits,
} from '../types.ts';
import { toBatonError } from './e2b-errors.ts';
import { runE2BCommand } from './e2b-exec.ts';
import { readChecked, writeTarget } from './e2b-files.ts';
import { E2B_BIN_DIR } from './e2b-workspace.ts';

export interface E2BSandboxOptions {
  initial: SdkSandbox;
  branch: string;
  /** The commit the workspace started from (exports and checkpoints are against it). */
  baseCommit: string;
  limits: SandboxLimits;
  hostEnv: Readonly<Record<string, string | undefined>>;
  /** Values never copied into a command's environment, even when their variable is allowlisted (the E2B key). */
  withheld: readonly string[];
  requestTimeoutMs: number;
  exportsDir: string;
  /** A fresh sandbox at the same start commit, for the one recovery a turn gets. */
  boot: () => Promise<SdkSandbox>;
  /** True when E2B no longer knows the sandbox (it died, or its lifetime ran out). */
  isGone: (sandboxId: string) => Promise<boolean>;
  lastCheckpoint?: SandboxCreateOptions['lastCheckpoint'];
  /** Pause or kill: decided by the provider. */
  release: (sandbox: SdkSandbox) => Promise<void>;
  pause: (sandbox: SdkSandbox) => Promise<void>;
  resume: (sandbox: SdkSandbox) => Promise<SdkSandbox>;
  log?: Logger;
}

/** A Baton sandbox over one E2B sandbox; replaced once by a fresh one if E2B loses it mid-turn. */
export function createE2BSandbox(options: E2BSandboxOptions): Sandbox {
  let current = options.initial;
  let recovered = false;
  let disposed = false;
  let outputSequence = 0;
  let exportSequence = 0;
  const running = new Set<() => void>();
  const pending = new Set<Promise<unknown>>();

  const track = (kill: () => void) => {
    if (disposed) kill();
    running.add(kill);
    return () => running.delete(kill);
  };
  const assertLive = () => {
    if (disposed)
      throw new BatonError({
        code: 'sandbox_disposed',
        message: `sandbox ${current.sandboxId} was disposed`,
      });
  };

  const recover = async (cause: unknown) => {
    const lost = current.sandboxId;
    options.log?.warn(
      { err: cause, sandbox: lost },
      'E2B sandbox lost mid-turn; recreating it from the last checkpoint',
    );
    current = await options.boot();
    const checkpoint = await options.lastCheckpoint?.();
    if (checkpoint?.patch.trim() && checkpoint.baseCommit === options.baseCommit) {
      await current.files.write(`${SANDBOX_WORKDIR}/.baton/checkpoint.patch`, checkpoint.patch);
      await current.commands
        .run(`cd ${SANDBOX_WORKDIR} && git apply --binary --whitespace=nowarn .baton/checkpoint.patch`)
        .catch((error: unknown) => options.log?.warn({ err: error }, 'checkpoint did not apply'));
    }
    options.log?.info({ lost, sandbox: current.sandboxId }, 'E2B sandbox recreated');
  };

  /** Runs an operation; if E2B lost the sandbox, recreates it (once per turn) and runs it again. */
  const resilient = async <T>(operation: (sandbox: SdkSandbox) => Promise<T>): Promise<T> => {
    assertLive();
    const used = current;
    try {
      return await operation(used);
    } catch (error) {
      if (isBatonError(error) || disposed) throw error;
      if (used !== current) return operation(current);
      if (!(await options.isGone(used.sandboxId))) throw toBatonError(error, 'reach the sandbox');
      if (recovered) {
        throw new BatonError({
          code: 'e2b_sandbox_lost',
          message: 'the E2B sandbox was lost twice in one turn',
          hint: 'the work up to the last checkpoint is kept in the run; reply to try again',
          cause: error,
        });
      }
      recovered = true;
      await recover(error);
      return operation(current);
    }
  };

  const envFor = (request: ExecRequest) => {
    const envs: Record<string, string> = {};
    for (const name of options.limits.envAllowlist) {
      const value = options.hostEnv[name];
      if (value !== undefined && !options.withheld.includes(value)) envs[name] = value;
    }
    return { ...envs, ...request.env };
  };

  const runCommand = (request: ExecRequest): Promise<ExecResult> =>
    resilient(async (sandbox) => {
      const outcome = await runE2BCommand({
        sandbox,
        // The login shell resets PATH from /etc/profile, so the binaries Baton brought go first here.
        request: { ...request, cmd: `export PATH="${E2B_BIN_DIR}:$PATH"\n${request.cmd}` },
        cwd: posix.join(SANDBOX_WORKDIR, toWorkspaceRelative(request.cwd ?? '')),
        envs: envFor(request),
        timeoutMs: request.timeoutMs ?? options.limits.commandTimeoutMs,
        outputCapBytes: options.limits.outputCapBytes,
        requestTimeoutMs: options.requestTimeoutMs,
        track,
      });
      const { fullOutput, ...result } = outcome;
      if (fullOutput !== undefined && !disposed) {
        const fullOutputPath = `.baton/output/${++outputSequence}.log`;
        await sandbox.files.write(`${SANDBOX_WORKDIR}/${fullOutputPath}`, fullOutput);
        return { ...result, fullOutputPath };
      }
      return result;
    });

  const exec = (request: ExecRequest): Promise<ExecResult> => {
    const promise = runCommand(request);
    pending.add(promise);
    const forget = () => pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  };

  const exportChanges = async (): Promise<ChangeExport> => {
    const result = await exec({
      cmd: EXPORT_SCRIPT,
      env: { BATON_BRANCH: options.branch, BATON_BASE: options.baseCommit },
    });
    const exported = parseExportResult(result, { branch: options.branch, baseCommit: options.baseCommit });
    if (exported.commitCount === 0) return exported;
    const bytes = await resilient((sandbox) =>
      sandbox.files.read(`${SANDBOX_WORKDIR}/${EXPORT_BUNDLE_PATH}`, { format: 'bytes' }),
    );
    await mkdir(options.exportsDir, { recursive: true });
    const bundlePath = join(options.exportsDir, `changes-${++exportSequence}.bundle`);
    await writeFile(bundlePath, bytes, { mode: 0o600 });
    return { ...exported, bundlePath };
  };

  return {
    get id() {
      return current.sandboxId;
    },
    workdir: SANDBOX_WORKDIR,
    exec,
    readFile: async (path) => {
      const relative = toWorkspaceRelative(path);
      return resilient((sandbox) => readChecked(sandbox, path, relative, options.requestTimeoutMs));
    },
    writeFile: async (path, content) => {
      const relative = toWorkspaceRelative(path);
      await resilient(async (sandbox) => {
        const target = await writeTarget(sandbox, path, relative, options.requestTimeoutMs);
        await sandbox.files.write(target, content);
      });
    },
    exportChanges: async () => {
      assertLive();
      return exportChanges();
    },
    pause: async () => {
      assertLive();
      await options.pause(current);
    },
    resume: async () => {
      assertLive();
      current = await options.resume(current);
    },
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      for (const kill of running) kill();
      await Promise.allSettled(pending);
      await options.release(current);
    },
  };
}
