import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../observability/logger.ts';
import type { SandboxUser } from '../local/sandbox-user.ts';
import type { BuildLocks } from './build-locks.ts';
import type { LocalEnvironmentShared } from './local-environment.ts';
import { mountsUnder, overlaySupported, unmountOverlay } from './overlay.ts';
import { createSnapshotStore } from './snapshot-store.ts';
import { createToolchainProbe } from './toolchains.ts';

/** The configuration of the environment phase (from `sandbox.*`). */
export interface EnvironmentSettings {
  setupAllowHosts: readonly string[];
  setupTimeoutMs: number;
  environmentCacheMb: number;
}

/** A unix socket path must stay under 108 bytes; a deep data directory gets its sockets in the temp dir. */
function egressDirectory(dataDir: string): string {
  const preferred = join(dataDir, 'egress');
  if (preferred.length <= 60) return preferred;
  return join(tmpdir(), `baton-egress-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Overlays a crashed process left mounted: `overlays/<sandbox>/owner` names the process that
 * mounted them; when it is gone, its workspace's mounts are taken down (other workers' stay).
 */
async function unmountOrphans(dataDir: string, overlaysDir: string): Promise<void> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  for (const sandboxId of await readdir(overlaysDir).catch(() => [] as string[])) {
    const owner = Number(await readFile(join(overlaysDir, sandboxId, 'owner'), 'utf8').catch(() => '0'));
    if (owner > 0 && alive(owner)) continue;
    for (const target of mountsUnder(join(dataDir, 'workspaces', sandboxId), mountinfo))
      await unmountOverlay(target);
    await rm(join(overlaysDir, sandboxId), { recursive: true, force: true });
  }
}

/**
 * What the sandboxes of one local provider share. The first sandbox that asks learns whether this
 * host can mount overlays, after unmounting any a crashed process left under the data directory.
 */
export function createSharedEnvironment(options: {
  dataDir: string;
  settings: EnvironmentSettings;
  locks: BuildLocks;
  hostEnv: Readonly<Record<string, string | undefined>>;
  nodePrefix: string;
  pathDirectories: readonly string[];
  rgPath: string;
  owner?: SandboxUser;
  log?: Logger;
}): LocalEnvironmentShared {
  const overlaysDir = join(options.dataDir, 'overlays');
  let overlays: Promise<boolean> | undefined;
  return {
    owner: options.owner,
    store: createSnapshotStore(join(options.dataDir, 'environments')),
    locks: options.locks,
    probe: createToolchainProbe({
      pathDirectories: options.pathDirectories,
      cacheFile: join(options.dataDir, 'environments', 'toolchains.json'),
    }),
    overlays: () => {
      overlays ??= (async () => {
        await unmountOrphans(options.dataDir, overlaysDir);
        const supported = await overlaySupported(join(options.dataDir, 'scratch'));
        options.log?.info({ overlays: supported }, 'environment snapshots mount as overlays or are copied');
        return supported;
      })();
      return overlays;
    },
    hostEnv: options.hostEnv,
    nodePrefix: options.nodePrefix,
    nodePath: join(options.nodePrefix, 'bin', 'node'),
    rgPath: options.rgPath,
    setupAllowHosts: options.settings.setupAllowHosts,
    setupTimeoutMs: options.settings.setupTimeoutMs,
    cacheBudgetBytes: options.settings.environmentCacheMb * 1024 * 1024,
    egressDir: egressDirectory(options.dataDir),
    overlaysDir,
    homesDir: join(options.dataDir, 'homes'),
    log: options.log,
  };
}
