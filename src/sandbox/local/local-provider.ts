import { randomBytes } from 'node:crypto';
import { mkdirSync, realpathSync } from 'node:fs';
import { chown, mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { rgPath as bundledRgPath } from '@vscode/ripgrep';
import { BatonError } from '../../observability/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import {
  assertBranchName,
  createRepoCache,
  type HostEnv,
  type RepoCache,
  withoutCredentials,
} from '../../repo-cache/index.ts';
import { type BuildLocks, createProcessBuildLocks } from '../environment/build-locks.ts';
import { createSharedEnvironment, type EnvironmentSettings } from '../environment/shared-environment.ts';
import type { RepoSource, Sandbox, SandboxCreateOptions, SandboxProvider } from '../types.ts';
import { systemMounts } from './bubblewrap.ts';
import { createLocalSandbox } from './local-sandbox.ts';
import { buildSandboxEtc, prepareSandboxEtc } from './sandbox-etc.ts';
import { DEFAULT_SANDBOX_ID, ensureReachable, resolveSandboxUser, type SandboxUser } from './sandbox-user.ts';
import { loadSeccompFilter } from './seccomp-filter.ts';
import { createSparePool } from './spare-pool.ts';
import { adoptCheckout, prepareCheckout } from './workspace.ts';

export interface LocalSandboxProviderOptions {
  /** Host directory for mirrors, workspaces, homes and exports. */
  dataDir: string;
  /** The host's repository cache the workspaces start from. Default: one over `dataDir`. */
  repoCache?: RepoCache;
  /** The host environment: the source of `limits.envAllowlist` and of git's PATH/HOME/proxies. */
  hostEnv?: HostEnv;
  log?: Logger;
  /** A mirror fetched less than this long ago is not fetched again. Default 30 s. */
  mirrorStaleMs?: number;
  /** Prepared checkouts kept ready per repository (see spare-pool.ts). Default 1; 0 turns it off. */
  spares?: number;
  bwrapPath?: string;
  /** Default: the ripgrep binary of @vscode/ripgrep. */
  rgPath?: string;
  /** Node's install prefix, mounted read-only when it is outside /usr. Default: from process.execPath. */
  nodePrefix?: string;
  /**
   * uid/gid of sandboxed commands (`sandbox.uid`/`sandbox.gid`, default 65532). When Baton is root
   * this is also the host uid bubblewrap drops to (see sandbox-user.ts).
   */
  uid?: number;
  gid?: number;
  /** Baton's own uid; default process.getuid(). */
  processUid?: number;
  /** Extra host paths under /etc visible read-only in the sandbox (`sandbox.etcExtra`). */
  etcExtra?: readonly string[];
  /** The environment phase (setup, egress allowlist, cache); absent: workspaces get no environment. */
  environment?: EnvironmentSettings & { locks?: BuildLocks };
  now?: () => number;
}

export interface LocalSandboxProvider extends SandboxProvider {
  readonly kind: 'local';
  /** Host path of a repository's mirror (for importChanges and pushBranch). */
  mirrorPath(repo: Pick<RepoSource, 'name'>): string;
  /** The environment cache (for `baton cache`), when environments are on. */
  readonly environments?: ReturnType<typeof createSharedEnvironment>['store'];
  /** Resolves when background work (spare checkouts) is done. */
  idle(): Promise<void>;
}

async function makeHome(homeDir: string, user: SandboxUser): Promise<void> {
  await mkdir(homeDir, { recursive: true });
  if (user.hostDrop) await chown(homeDir, user.hostDrop.uid, user.hostDrop.gid);
}

function defaultNodePrefix(): string {
  return dirname(dirname(realpathSync(process.execPath)));
}

export function createLocalSandboxProvider(options: LocalSandboxProviderOptions): LocalSandboxProvider {
  const dataDir = resolve(options.dataDir);
  const repoCache =
    options.repoCache ??
    createRepoCache({
      dataDir,
      hostEnv: options.hostEnv,
      mirrorStaleMs: options.mirrorStaleMs,
      now: options.now,
      log: options.log,
    });
  const hostEnv = options.hostEnv ?? repoCache.hostEnv;
  const layout = repoCache.layout;
  const nodePrefix = options.nodePrefix ?? defaultNodePrefix();
  const nodeOutsideUsr = nodePrefix !== '/usr' && !nodePrefix.startsWith('/usr/');
  const systemArgs = systemMounts(nodeOutsideUsr ? [nodePrefix] : []);
  const user = resolveSandboxUser({
    uid: options.uid ?? DEFAULT_SANDBOX_ID,
    gid: options.gid ?? DEFAULT_SANDBOX_ID,
    processUid: options.processUid ?? process.getuid?.() ?? 0,
  });
  const etc = prepareSandboxEtc(buildSandboxEtc({ user, extra: options.etcExtra }), layout.etc);
  if (etc.unreadable.length > 0)
    options.log?.warn(
      { files: etc.unreadable },
      'host files under /etc left out of the sandbox: Baton cannot read them',
    );
  const seccompFilter = loadSeccompFilter();
  const rgPath = options.rgPath ?? bundledRgPath;
  const bindRoots = [layout.workspace('x'), layout.home('x'), layout.mirror('x'), join(layout.etc, 'x')].map(
    dirname,
  );
  // Checked once, before the first sandbox: every bind source must be reachable by the dropped uid.
  const reachable = (async () => {
    for (const directory of [dataDir, ...bindRoots]) mkdirSync(directory, { recursive: true });
    await ensureReachable({
      user,
      owned: [dataDir, ...bindRoots],
      targets: [...bindRoots.map((root) => join(root, 'x')), rgPath, ...(nodeOutsideUsr ? [nodePrefix] : [])],
    });
  })();
  reachable.catch(() => undefined); // reported by the first create
  const extraPath = nodeOutsideUsr ? [join(nodePrefix, 'bin')] : [];
  const environment = options.environment
    ? createSharedEnvironment({
        owner: user.hostDrop ? user : undefined,
        dataDir: options.dataDir,
        settings: options.environment,
        locks: options.environment.locks ?? createProcessBuildLocks(),
        hostEnv,
        nodePrefix,
        pathDirectories: [
          ...extraPath,
          '/usr/local/sbin',
          '/usr/local/bin',
          '/usr/sbin',
          '/usr/bin',
          '/sbin',
          '/bin',
        ],
        rgPath: options.rgPath ?? bundledRgPath,
        log: options.log,
      })
    : undefined;
  const pool = createSparePool({
    sparesDir: layout.spares,
    hostEnv,
    user,
    size: options.spares ?? 1,
    log: options.log,
  });

  const create = async (createOptions: SandboxCreateOptions): Promise<Sandbox> => {
    const { repo, branch, baseRef, signal } = createOptions;
    assertBranchName(branch);
    signal?.throwIfAborted();
    await reachable;
    const start = await repoCache.resolveStart({ repo, branch, baseRef, signal });
    const { mirrorPath } = start;
    const id = `sbx-${randomBytes(6).toString('hex')}`;
    const workspaceDir = layout.workspace(id);
    const homeDir = layout.home(id);
    const originUrl = withoutCredentials(repo.url);
    try {
      let checkedOut = await pool.claim(repo.name, start.commit, workspaceDir);
      if (!checkedOut) {
        await mkdir(dirname(workspaceDir), { recursive: true });
        await prepareCheckout({
          mirrorPath,
          commit: start.commit,
          directory: workspaceDir,
          originUrl,
          hostEnv,
          user,
          signal,
        });
        checkedOut = start.commit;
      }
      await adoptCheckout({
        directory: workspaceDir,
        checkedOut,
        start: start.commit,
        branch,
        base: start.baseCommit && baseRef !== branch ? { ref: baseRef, commit: start.baseCommit } : undefined,
        hostEnv,
        user,
        signal,
      });
      await makeHome(homeDir, user);
    } catch (error) {
      await Promise.all([
        rm(workspaceDir, { recursive: true, force: true }),
        rm(homeDir, { recursive: true, force: true }),
      ]);
      throw error instanceof BatonError
        ? error
        : new BatonError({
            code: 'sandbox_create_failed',
            message: 'could not prepare the workspace',
            cause: error,
          });
    }
    pool.refill(repo.name, mirrorPath, start.baseCommit ?? start.commit, originUrl);
    options.log?.info(
      { sandbox: id, repo: repo.name, branch, start: start.commit, from: start.from },
      'sandbox ready',
    );
    return createLocalSandbox({
      id,
      workspaceDir,
      homeDir,
      exportsDir: layout.exports(id),
      scratchDir: layout.scratch,
      mirrorObjectsDir: join(mirrorPath, 'objects'),
      branch,
      baseCommit: start.commit,
      limits: createOptions.limits,
      hostEnv,
      bwrapPath: options.bwrapPath ?? 'bwrap',
      systemArgs,
      etc,
      user,
      seccompFilter,
      extraPath,
      rgPath,
      environment,
      log: options.log,
    });
  };

  return {
    kind: 'local',
    create,
    mirrorPath: (repo) => repoCache.mirrorPath(repo),
    ...(environment ? { environments: environment.store } : {}),
    idle: () => pool.idle(),
  };
}
