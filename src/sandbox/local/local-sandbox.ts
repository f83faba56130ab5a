import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { BatonError } from '../../observability/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import type { HostEnv } from '../../repo-cache/host-git.ts';
import {
  createLocalEnvironment,
  type LocalEnvironmentShared,
  type PhaseOptions,
} from '../environment/local-environment.ts';
import type { ExecRequest, ExecResult, Sandbox, SandboxLimits } from '../types.ts';
import { bubblewrapInvocation, sandboxEnv } from './bubblewrap.ts';
import { spawnSandboxed } from './exec.ts';
import { exportWorkspaceChanges } from './export-changes.ts';
import { SANDBOX_WORKDIR, toWorkspaceRelative } from './paths.ts';
import { copyIntoWorkspace, readWorkspaceFile, removeTree, writeWorkspaceFile } from './safe-fs.ts';
import type { PreparedEtc } from './sandbox-etc.ts';
import { giveToSandbox, type SandboxUser } from './sandbox-user.ts';

export interface LocalSandboxOptions {
  id: string;
  workspaceDir: string;
  homeDir: string;
  exportsDir: string;
  /** Host directory for spooled output before it is copied into the workspace. */
  scratchDir: string;
  mirrorObjectsDir: string;
  branch: string;
  baseCommit: string;
  limits: SandboxLimits;
  hostEnv: HostEnv;
  bwrapPath: string;
  systemArgs: readonly string[];
  etc: PreparedEtc;
  user: SandboxUser;
  seccompFilter: Buffer;
  extraPath: readonly string[];
  rgPath?: string;
  /** The provider's environment cache and setup settings; absent: no environment phase. */
  environment?: LocalEnvironmentShared;
  log?: Logger;
}

/** A workspace on the host whose commands run under bubblewrap. */
export function createLocalSandbox(options: LocalSandboxOptions): Sandbox {
  const running = new Set<() => void>();
  const pending = new Set<Promise<unknown>>();
  let outputSequence = 0;
  let exportSequence = 0;
  let disposed = false;
  // Files the host writes into the workspace must stay writable by the sandbox's uid.
  const owner = options.user.hostDrop;

  const track = (kill: () => void) => {
    // A command that got past assertLive while dispose ran must not outlive the sandbox.
    if (disposed) kill();
    running.add(kill);
    return () => running.delete(kill);
  };

  const assertLive = () => {
    if (disposed)
      throw new BatonError({ code: 'sandbox_disposed', message: `sandbox ${options.id} was disposed` });
  };

  const environment = options.environment
    ? createLocalEnvironment({
        shared: options.environment,
        sandboxId: options.id,
        workspaceDir: options.workspaceDir,
        exec: (request, phase) => trackPending(runCommand(request, phase)),
      })
    : undefined;

  const trackPending = <T>(promise: Promise<T>): Promise<T> => {
    pending.add(promise);
    const forget = () => pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  };

  /** The agent's commands: no network, all of it, or (`registries`) the setup allowlist through the proxy. */
  const agentPhase = async (): Promise<PhaseOptions> =>
    options.limits.network === 'registries' && environment ? environment.agentNetwork() : {};

  const exec = (request: ExecRequest): Promise<ExecResult> => {
    const promise = agentPhase().then((phase) => runCommand(request, phase));
    pending.add(promise);
    const forget = () => pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  };

  const runCommand = async (request: ExecRequest, phase: PhaseOptions): Promise<ExecResult> => {
    assertLive();
    const relativeCwd = toWorkspaceRelative(request.cwd ?? '');
    const sequence = ++outputSequence;
    await mkdir(options.scratchDir, { recursive: true });
    // A setup phase's own home is made by the host: it must be the sandbox uid's to write.
    if (phase.homeDir) await giveToSandbox(phase.homeDir, options.user);
    const spoolPath = join(
      options.scratchDir,
      `${options.id}-${sequence}-${randomBytes(4).toString('hex')}.log`,
    );
    const invocation = bubblewrapInvocation({
      systemArgs: options.systemArgs,
      etc: options.etc,
      user: options.user,
      seccompFilter: options.seccompFilter,
      workspaceDir: options.workspaceDir,
      homeDir: phase.homeDir ?? options.homeDir,
      mirrorObjectsDir: options.mirrorObjectsDir,
      rgPath: options.rgPath,
      network: options.limits.network === 'on' ? 'on' : 'off',
      egress: phase.egress,
      cwd: posix.join(SANDBOX_WORKDIR, relativeCwd),
      env: sandboxEnv({
        hostEnv: options.hostEnv,
        allowlist: options.limits.envAllowlist,
        extraPath: [...(environment?.extraPath() ?? []), ...options.extraPath],
        requestEnv: { ...environment?.toolEnv(), ...phase.env, ...request.env },
      }),
      memoryMb: options.limits.memoryMb,
      cmd: request.cmd,
    });
    try {
      const outcome = await spawnSandboxed({
        bwrapPath: options.bwrapPath,
        invocation,
        user: options.user,
        hostPath: options.hostEnv.PATH ?? '/usr/local/bin:/usr/bin:/bin',
        stdin: request.stdin,
        onOutput: request.onOutput,
        timeoutMs: request.timeoutMs ?? options.limits.commandTimeoutMs,
        signal: request.signal,
        outputCapBytes: options.limits.outputCapBytes,
        spoolPath,
        track,
      });
      const result: ExecResult = {
        exitCode: outcome.exitCode,
        stdout: outcome.stdout,
        stderr: outcome.stderr,
        timedOut: outcome.timedOut,
        durationMs: outcome.durationMs,
        truncated: outcome.truncated,
      };
      if (outcome.spoolPath && !disposed) {
        const fullOutputPath = `.baton/output/${sequence}.log`;
        await copyIntoWorkspace(options.workspaceDir, fullOutputPath, outcome.spoolPath, owner);
        result.fullOutputPath = fullOutputPath;
      }
      options.log?.debug(
        { sandbox: options.id, exitCode: result.exitCode, timedOut: result.timedOut },
        'command finished',
      );
      return result;
    } finally {
      await rm(spoolPath, { force: true });
    }
  };

  return {
    id: options.id,
    workdir: SANDBOX_WORKDIR,
    exec,
    ...(environment
      ? {
          prepareEnvironment: (request) => {
            assertLive();
            return trackPending(environment.prepare(request));
          },
          refreshEnvironment: (request) => {
            assertLive();
            return trackPending(environment.refresh(request));
          },
        }
      : {}),
    readFile: async (path) => {
      assertLive();
      return readWorkspaceFile(options.workspaceDir, path);
    },
    writeFile: async (path, content) => {
      assertLive();
      await writeWorkspaceFile(options.workspaceDir, path, content, owner);
    },
    exportChanges: async () => {
      assertLive();
      return exportWorkspaceChanges({
        exec,
        workspaceDir: options.workspaceDir,
        branch: options.branch,
        baseCommit: options.baseCommit,
        bundleTarget: join(options.exportsDir, `changes-${++exportSequence}.bundle`),
      });
    },
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      for (const kill of running) kill();
      await Promise.allSettled(pending);
      // Overlays first: the workspace below is removed next and must not be reached through them.
      await environment?.dispose();
      // The exports stay: the host may still import the last bundle after the sandbox is gone.
      await Promise.all([removeTree(options.workspaceDir), removeTree(options.homeDir)]);
    },
  };
}
