import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../observability/logger.ts';
import { readWorkspaceFile } from '../local/safe-fs.ts';
import type { SandboxUser } from '../local/sandbox-user.ts';
import type { ExecRequest, ExecResult } from '../types.ts';
import type { BuildLocks } from './build-locks.ts';
import { detectSetup } from './detect.ts';
import { createEgressProxy, type EgressProxy } from './egress-proxy.ts';
import { environmentKey, readKeyFiles } from './key.ts';
import { type EgressRoute, egressEnv } from './network-plan.ts';
import { unmountOverlay } from './overlay.ts';
import { toolCacheEnv } from './paths.ts';
import { type RegistryPlan, registryPlan } from './registries.ts';
import { secretForms } from './secret-forms.ts';
import { runSetupCommands } from './setup-run.ts';
import { captureSnapshot, restoreSnapshot } from './snapshot-capture.ts';
import type { SnapshotStore } from './snapshot-store.ts';
import type { ToolchainProbe } from './toolchains.ts';
import type { EnvironmentReport, EnvironmentRequest, SetupPlan } from './types.ts';
import { scrubWorkspace, type WorkspaceScrub } from './workspace-scrub.ts';

/** What every sandbox of one provider shares: the cache, the build locks, the host's toolchains. */
export interface LocalEnvironmentShared {
  /** Baton is root: restored trees go to the sandbox's host uid, or the sandbox could not write them. */
  owner?: SandboxUser;
  store: SnapshotStore;
  locks: BuildLocks;
  probe: ToolchainProbe;
  /** Whether overlays can be mounted here (probed once); otherwise snapshots are copied. */
  overlays: () => Promise<boolean>;
  hostEnv: Readonly<Record<string, string | undefined>>;
  nodePrefix: string;
  /** node as the sandbox sees it, for the egress forwarder. */
  nodePath: string;
  rgPath: string;
  setupAllowHosts: readonly string[];
  setupTimeoutMs: number;
  /** `sandbox.environmentCacheMb` in bytes; the least recently used snapshots go beyond it. */
  cacheBudgetBytes: number;
  /** Host directories for egress sockets, overlay upper layers and the setup's own home. */
  egressDir: string;
  overlaysDir: string;
  homesDir: string;
  log?: Logger;
}

/** How one command of a phase runs: its route out, extra variables, its home directory. */
export interface PhaseOptions {
  egress?: EgressRoute;
  env?: Record<string, string>;
  homeDir?: string;
}

export type PhaseExec = (request: ExecRequest, phase: PhaseOptions) => Promise<ExecResult>;

const ALL_ECOSYSTEMS = ['npm', 'pypi', 'go', 'cargo'] as const;
const WORKDIR = '/workspace';

/** The environment of one local sandbox: setup or restore before the agent, refresh before checks. */
export function createLocalEnvironment(options: {
  shared: LocalEnvironmentShared;
  sandboxId: string;
  workspaceDir: string;
  exec: PhaseExec;
}) {
  const { shared, sandboxId, workspaceDir } = options;
  const proxies: EgressProxy[] = [];
  const mounted: string[] = [];
  const releases: (() => Promise<void>)[] = [];
  let current: { plan: SetupPlan; key: string; repo: string } | undefined;
  let agentNetwork: Promise<PhaseOptions> | undefined;
  let paths: string[] = [];

  const readFile = (path: string) => readWorkspaceFile(workspaceDir, path).catch(() => undefined);
  const rootFiles = () => readdir(workspaceDir).catch(() => [] as string[]);
  const plan = async (request: Pick<EnvironmentRequest, 'setup'>) =>
    detectSetup({
      readFile,
      rootFiles: await rootFiles(),
      hasCommand: shared.probe.hasCommand,
      configured: request.setup,
    });
  const keyOf = async (repo: string, setupPlan: SetupPlan) =>
    environmentKey({
      repo,
      plan: setupPlan,
      files: await readKeyFiles(setupPlan.keyFiles, readFile),
      toolchains: await shared.probe.versions(setupPlan.toolchains),
    });

  const openProxy = async (name: string, registries: RegistryPlan) => {
    await mkdir(shared.egressDir, { recursive: true });
    const proxy = await createEgressProxy({
      socketPath: join(shared.egressDir, `${sandboxId}-${name}.sock`),
      allow: registries.allow,
      log: shared.log?.child({ sandbox: sandboxId, egress: name }),
    });
    proxies.push(proxy);
    return proxy;
  };
  const registriesFor = (ecosystems: SetupPlan['ecosystems']) =>
    registryPlan({
      hostEnv: shared.hostEnv,
      ecosystems,
      extraHosts: shared.setupAllowHosts,
      nodePrefix: shared.nodePrefix,
    });

  /** Runs the plan's commands through a fresh proxy; secrets (when given) only here. */
  const setup = async (
    commands: readonly string[],
    setupPlan: SetupPlan,
    request: EnvironmentRequest,
    home?: string,
  ) => {
    const registries = registriesFor(setupPlan.ecosystems);
    const proxy = await openProxy(`setup-${proxies.length}`, registries);
    const secretValues = (request.setupSecrets ?? []).flatMap((name) => {
      const value = shared.hostEnv[name];
      return value ? [[name, value] as const] : [];
    });
    const forms = secretForms(secretValues.map(([, value]) => value));
    const env = {
      ...toolCacheEnv(WORKDIR),
      ...registries.env,
      ...egressEnv(),
      ...Object.fromEntries(secretValues),
      CI: 'true',
    };
    const route: EgressRoute = { socketPath: proxy.socketPath, nodePath: shared.nodePath };
    try {
      const result = await runSetupCommands({
        commands,
        exec: (execRequest) =>
          options.exec(execRequest, { egress: route, env, ...(home ? { homeDir: home } : {}) }),
        timeoutMs: shared.setupTimeoutMs,
        secretForms: forms,
        refusals: () => proxy.refusals(),
        onProgress: request.onProgress,
        signal: request.signal,
      });
      shared.log?.debug({ sandbox: sandboxId, log: result.log }, 'setup output');
      return { ...result, deniedHosts: proxy.deniedHosts(), forms };
    } finally {
      await proxy.close();
    }
  };

  const restore = async (key: string, fresh: boolean) => {
    const entry = await shared.store.get(key);
    if (!entry) return false;
    releases.push(await shared.store.acquire(key, sandboxId));
    const restored = await restoreSnapshot({
      owner: shared.owner,
      entry,
      store: shared.store,
      workspaceDir,
      upperRoot: join(shared.overlaysDir, sandboxId),
      overlays: await shared.overlays(),
      fresh,
    });
    mounted.push(...restored.mounted);
    paths = entry.paths;
    return true;
  };

  const report = (
    fields: Partial<EnvironmentReport> & Pick<EnvironmentReport, 'status' | 'reason'>,
    started: number,
  ) =>
    ({
      cached: false,
      key: current?.key ?? null,
      commands: current?.plan.commands ?? [],
      deniedHosts: [],
      durationMs: Date.now() - started,
      ...fields,
    }) satisfies EnvironmentReport;

  return {
    /** Before the agent: the environment from the cache, or a setup whose result becomes the cache. */
    async prepare(request: EnvironmentRequest): Promise<EnvironmentReport> {
      const started = Date.now();
      const setupPlan = await plan(request);
      if (setupPlan.commands.length === 0)
        return report({ status: 'none', reason: setupPlan.reason }, started);
      const key = await keyOf(request.repo, setupPlan);
      current = { plan: setupPlan, key, repo: request.repo };
      if (await restore(key, true))
        return report({ status: 'ready', cached: true, reason: setupPlan.reason }, started);
      let outcome: Awaited<ReturnType<typeof setup>> | undefined;
      let notCached: string | undefined;
      let scrub: WorkspaceScrub = { scrubbed: [] };
      await shared.locks.withLock(key, async () => {
        if (await shared.store.get(key)) return;
        const home = join(shared.homesDir, `${sandboxId}-setup`);
        await mkdir(home, { recursive: true });
        try {
          outcome = await setup(setupPlan.commands, setupPlan, request, home);
        } finally {
          await rm(home, { recursive: true, force: true });
        }
        // Failed or not, the setup had the secrets: none may stay anywhere the agent can read.
        scrub = await scrubWorkspace({
          rgPath: shared.rgPath,
          workspaceDir,
          forms: outcome.forms,
          exec: (cmd) => options.exec({ cmd }, {}),
        });
        if (outcome.failure || scrub.failure) return;
        notCached = await captureSnapshot({
          store: shared.store,
          key,
          repo: request.repo,
          commands: setupPlan.commands,
          workspaceDir,
          rgPath: shared.rgPath,
          secretForms: outcome.forms,
          exec: (cmd) => options.exec({ cmd }, {}),
          move: true,
        });
      });
      const scrubbed = scrub.scrubbed.length > 0 ? { scrubbed: scrub.scrubbed } : {};
      if (scrub.failure)
        return report(
          {
            status: 'failed',
            reason: setupPlan.reason,
            failure: {
              command: 'setup secret scrub',
              exitCode: 1,
              timedOut: false,
              outputTail: scrub.failure,
            },
            deniedHosts: outcome?.deniedHosts ?? [],
            secretLeft: scrub.failure,
            ...scrubbed,
          },
          started,
        );
      if (outcome?.failure)
        return report(
          {
            status: 'failed',
            reason: setupPlan.reason,
            failure: outcome.failure,
            deniedHosts: outcome.deniedHosts,
            ...scrubbed,
          },
          started,
        );
      if (notCached) shared.log?.warn({ sandbox: sandboxId, reason: notCached }, 'environment not cached');
      // Waiting for another run's build leaves the workspace untouched (fresh); after our own setup it is not.
      const fromCache = (await restore(key, outcome === undefined)) && outcome === undefined;
      void shared.store
        .prune({ budgetBytes: shared.cacheBudgetBytes })
        .catch((error: unknown) => shared.log?.warn({ err: error }, 'environment cache prune failed'));
      return report(
        {
          status: 'ready',
          cached: fromCache,
          reason: setupPlan.reason,
          deniedHosts: outcome?.deniedHosts ?? [],
          ...scrubbed,
        },
        started,
      );
    },

    /**
     * Before the checks: when the agent changed a file the key depends on (it added a dependency),
     * install again (npm ci becomes npm install, so the lockfile follows). Null when nothing changed.
     * Setup secrets are not given here: the workspace is the agent's now. The result serves this run
     * only and is never written to the shared cache: it is the agent's workspace (anything it planted
     * in node_modules included), and caching it would hand that to every later run with the key. The
     * next run with this key builds it fresh from a clean setup.
     */
    async refresh(request: EnvironmentRequest): Promise<EnvironmentReport | null> {
      if (!current) return null;
      const started = Date.now();
      const setupPlan = await plan(request);
      if (setupPlan.commands.length === 0) return null;
      const key = await keyOf(current.repo, setupPlan);
      if (key === current.key) return null;
      const commands = setupPlan.commands.map((command) => command.replace(/^npm ci\b/, 'npm install'));
      const outcome = await setup(commands, setupPlan, { ...request, setupSecrets: [] });
      const finalKey = await keyOf(current.repo, setupPlan);
      current = { plan: { ...setupPlan, commands }, key: finalKey, repo: current.repo };
      if (outcome.failure)
        return report(
          {
            status: 'failed',
            reason: 'a key file changed',
            failure: outcome.failure,
            deniedHosts: outcome.deniedHosts,
          },
          started,
        );
      return report(
        { status: 'ready', reason: 'a key file changed', deniedHosts: outcome.deniedHosts },
        started,
      );
    },

    /** `sandbox.network: registries`: the agent's commands reach the setup allowlist, without secrets. */
    agentNetwork(): Promise<PhaseOptions> {
      agentNetwork ??= (async () => {
        const registries = registriesFor([...ALL_ECOSYSTEMS]);
        const proxy = await openProxy('agent', registries);
        return {
          egress: { socketPath: proxy.socketPath, nodePath: shared.nodePath },
          env: { ...registries.env, ...egressEnv() },
        };
      })();
      return agentNetwork;
    },

    /** PATH entries the environment adds for every command (a Python virtualenv's bin). */
    extraPath: (): string[] => (paths.includes('.venv') ? [`${WORKDIR}/.venv/bin`] : []),
    toolEnv: (): Record<string, string> => ({
      ...toolCacheEnv(WORKDIR),
      ...(paths.includes('.venv') ? { VIRTUAL_ENV: `${WORKDIR}/.venv` } : {}),
    }),

    async dispose(): Promise<void> {
      await Promise.allSettled(proxies.map((proxy) => proxy.close()));
      for (const target of mounted.reverse()) await unmountOverlay(target);
      await rm(join(shared.overlaysDir, sandboxId), { recursive: true, force: true });
      await Promise.allSettled(releases.map((release) => release()));
    },
  };
}

export type LocalEnvironment = ReturnType<typeof createLocalEnvironment>;
