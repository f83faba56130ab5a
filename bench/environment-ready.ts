import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLocalSandboxProvider } from '../src/sandbox/index.ts';
import type { Sandbox, SandboxLimits } from '../src/sandbox/types.ts';
import { lockfileFor, type PublishedVersion, startFakeNpmRegistry } from '../tests/fakes/npm-registry.ts';

const PACKAGES = 40;
const FILES_PER_PACKAGE = 520;
const CACHED_ROUNDS = 5;
const LIMITS: SandboxLimits = {
  commandTimeoutMs: 600_000,
  memoryMb: 4096,
  outputCapBytes: 100_000,
  network: 'off',
  envAllowlist: [],
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Bytes and files under a directory (not following links). */
function usage(path: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  const walk = (current: string) => {
    const info = lstatSync(current);
    if (!info.isDirectory()) {
      bytes += info.blocks * 512;
      files += 1;
      return;
    }
    for (const name of readdirSync(current)) walk(join(current, name));
  };
  try {
    walk(path);
  } catch {
    // nothing written
  }
  return { bytes, files };
}

/**
 * The environment ready from the cache vs a fresh install of the same lockfile from the loopback
 * registry (about 20,000 files in node_modules); then the disk a run writes on top of the snapshot
 * when it changes nothing in it (it runs every package's code once).
 */
export async function benchEnvironmentReady(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'baton-bench-env-'));
  const registry = await startFakeNpmRegistry();
  const sandboxes: Sandbox[] = [];
  try {
    const published: PublishedVersion[] = [];
    for (let index = 0; index < PACKAGES; index++) {
      const files: Record<string, string> = { 'index.js': `module.exports = ${index};\n` };
      for (let file = 0; file < FILES_PER_PACKAGE; file++)
        files[`lib/part-${file}.js`] = `module.exports = ${file};\n`;
      published.push(registry.publish({ name: `bench-package-${index}`, version: '1.0.0', files }));
    }
    const source = join(root, 'source');
    mkdirSync(source);
    writeFileSync(
      join(source, 'package.json'),
      JSON.stringify({
        name: 'bench-app',
        version: '1.0.0',
        devDependencies: Object.fromEntries(published.map((entry) => [entry.name, entry.version])),
      }),
    );
    writeFileSync(
      join(source, 'package-lock.json'),
      lockfileFor({ name: 'bench-app', version: '1.0.0' }, published),
    );
    const git = (...args: string[]) => execFileSync('git', args, { cwd: source, stdio: 'ignore' });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('-c', 'user.name=b', '-c', 'user.email=b@example.com', 'commit', '-qm', 'init');

    const provider = createLocalSandboxProvider({
      dataDir: join(root, 'data'),
      hostEnv: { PATH: process.env.PATH, npm_config_registry: registry.url },
      spares: 0,
      environment: { setupAllowHosts: [], setupTimeoutMs: 600_000, environmentCacheMb: 10_240 },
    });
    let round = 0;
    const ready = async () => {
      const sandbox = await provider.create({
        repo: { name: 'bench-app', url: source },
        baseRef: 'main',
        branch: `baton/bench-${round++}`,
        limits: LIMITS,
      });
      sandboxes.push(sandbox);
      const started = performance.now();
      const report = await sandbox.prepareEnvironment?.({ repo: 'bench-app' });
      const elapsed = performance.now() - started;
      if (report?.status !== 'ready') throw new Error(`setup failed: ${JSON.stringify(report)}`);
      return { sandbox, report, elapsed };
    };

    const fresh = await ready();
    if (fresh.report.cached) throw new Error('the first run should install');
    const cached: number[] = [];
    let last = fresh;
    for (let index = 0; index < CACHED_ROUNDS; index++) {
      last = await ready();
      if (!last.report.cached) throw new Error('a later run should start from the cache');
      cached.push(last.elapsed);
    }
    const entry = await provider.environments?.get(last.report.key ?? '');
    const ratio = median(cached) / fresh.elapsed;
    console.log(
      `snapshot: ${entry?.fileCount} files, ${((entry?.sizeBytes ?? 0) / 1e6).toFixed(1)} MB (apparent); registry tarball requests: ${registry.requests.filter((request) => request.path.endsWith('.tgz')).length}`,
    );
    console.log(
      `fresh install (npm ci from the loopback registry): ${(fresh.elapsed / 1000).toFixed(2)} s; ready from cache: median ${median(cached).toFixed(0)} ms (${cached.map((value) => value.toFixed(0)).join(', ')})`,
    );
    console.log(`ratio cached / fresh: ${ratio.toFixed(4)} (goal ≤ 0.05 and < 1 s)`);

    // A run that reads every package and changes nothing in the snapshot.
    const run = await last.sandbox.exec({
      cmd: `node -e "for (let i = 0; i < ${PACKAGES}; i++) require('bench-package-' + i)" && ls -R node_modules | wc -l && npm ls --depth=0 >/dev/null`,
    });
    if (run.exitCode !== 0) throw new Error(`the run failed: ${run.stderr}`);
    const upper = usage(join(root, 'data', 'overlays', last.sandbox.id));
    const snapshotDisk = usage(join(entry?.directory ?? '', 'tree'));
    console.log(
      `disk written on top of the snapshot by a run that changes nothing: ${upper.bytes} bytes in ${upper.files} files vs snapshot ${(snapshotDisk.bytes / 1e6).toFixed(1)} MB on disk: ${((100 * upper.bytes) / Math.max(1, snapshotDisk.bytes)).toFixed(3)}% (goal ≤ 1%)`,
    );
  } finally {
    for (const sandbox of sandboxes) await sandbox.dispose();
    await registry.close();
    rmSync(root, { recursive: true, force: true });
  }
}
