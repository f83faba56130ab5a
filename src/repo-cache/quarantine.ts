import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BatonError } from '../observability/errors.ts';
import type { ChangeExport } from '../sandbox/types.ts';
import { type HostEnv, hostGit } from './host-git.ts';
import { assertBranchName, dataLayout } from './layout.ts';

/** A run's exported commits, held on the host apart from the mirror until they are judged. */
export interface QuarantinedWork {
  /** A bare repository that holds the run's objects; it reads the mirror's through alternates. */
  gitDir: string;
  base: string;
  head: string;
  commitCount: number;
  hostEnv: HostEnv;
  /** Removes the quarantine; with `dropBundle`, the exported bundle too (it may hold a secret). */
  release(options?: { dropBundle?: boolean }): Promise<void>;
}

const HEAD_REF = 'refs/quarantine/head';

/**
 * Fetches an exported bundle into a fresh bare repository whose alternates point at the mirror's
 * objects: the commits can be read with host git before anything reaches the mirror (which later
 * workspaces read) or a remote. The bundle was made by untrusted code: git verifies it, and the tip
 * must be the commit the export reported.
 */
export async function quarantineChanges(options: {
  dataDir: string;
  mirrorPath: string;
  exported: ChangeExport;
  hostEnv?: HostEnv;
  signal?: AbortSignal;
}): Promise<QuarantinedWork | null> {
  const { exported } = options;
  assertBranchName(exported.branch);
  const bundlePath = exported.bundlePath;
  if (!bundlePath || exported.commitCount === 0) return null;
  const hostEnv = options.hostEnv ?? {};
  const gitDir = join(dataLayout(options.dataDir).scratch, `quarantine-${randomBytes(8).toString('hex')}`);
  const release: QuarantinedWork['release'] = async (releaseOptions = {}) => {
    await rm(gitDir, { recursive: true, force: true });
    if (releaseOptions.dropBundle) await rm(bundlePath, { force: true });
  };
  const git = { cwd: gitDir, hostEnv, signal: options.signal, code: 'import_bundle_invalid' };
  try {
    await mkdir(gitDir, { recursive: true });
    await hostGit(['init', '--quiet', '--bare', '--template=', gitDir], { ...git, cwd: undefined });
    await mkdir(join(gitDir, 'objects', 'info'), { recursive: true });
    await writeFile(
      join(gitDir, 'objects', 'info', 'alternates'),
      `${join(options.mirrorPath, 'objects')}\n`,
    );
    const heads = await hostGit(
      ['bundle', 'list-heads', '--', bundlePath, `refs/heads/${exported.branch}`],
      git,
    );
    const tip = heads.trim().split('\n')[0]?.split(' ')[0];
    if (tip !== exported.headCommit) {
      throw new BatonError({
        code: 'import_bundle_invalid',
        message: `the bundle's ${exported.branch} is ${tip ?? 'missing'}, not the exported ${exported.headCommit}`,
      });
    }
    await hostGit(
      ['fetch', '--quiet', '--no-tags', '--', bundlePath, `+refs/heads/${exported.branch}:${HEAD_REF}`],
      git,
    );
  } catch (error) {
    await release({ dropBundle: true });
    throw error;
  }
  return {
    gitDir,
    base: exported.baseCommit,
    head: exported.headCommit,
    commitCount: exported.commitCount,
    hostEnv,
    release,
  };
}
