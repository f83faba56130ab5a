import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { rgPath as bundledRgPath } from '@vscode/ripgrep';
import { createRepoCache } from '../src/repo-cache/index.ts';
import { createE2BSandboxProvider } from '../src/sandbox/e2b/index.ts';
import { createLocalSandboxProvider } from '../src/sandbox/index.ts';
import type { SandboxLimits, SandboxProvider } from '../src/sandbox/types.ts';
import { startFakeE2B } from '../tests/fakes/e2b-server.ts';

const LIMITS: SandboxLimits = {
  commandTimeoutMs: 60_000,
  memoryMb: 2048,
  outputCapBytes: 100_000,
  network: 'off',
  envAllowlist: [],
  lifetimeMs: 600_000,
};

interface Call {
  startedAt: number;
  endedAt: number;
}

/** Calls issued within this long of each other were sent together (one Promise.all), not in turn. */
const ISSUED_TOGETHER_MS = 5;

/**
 * Round trips one after another: a call that starts before the current wave ended, or was issued
 * together with the wave's last call, runs beside it; any other call waited for the wave.
 */
function sequentialRoundTrips(calls: readonly Call[]): number {
  let waves = 0;
  let waveEnd = Number.NEGATIVE_INFINITY;
  let lastStart = Number.NEGATIVE_INFINITY;
  for (const call of [...calls].sort((a, b) => a.startedAt - b.startedAt)) {
    if (call.startedAt >= waveEnd && call.startedAt - lastStart > ISSUED_TOGETHER_MS) {
      waves += 1;
      waveEnd = call.endedAt;
    } else waveEnd = Math.max(waveEnd, call.endedAt);
    lastStart = call.startedAt;
  }
  return waves;
}

function generateRepository(root: string): string {
  const path = join(root, 'source');
  mkdirSync(path);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: path, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  for (let file = 0; file < 200; file++)
    writeFileSync(join(path, `file-${file}.ts`), `export const v = ${file};\n`);
  git('add', '-A');
  git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'files');
  return path;
}

/**
 * E2B: API and envd round trips from create() until the first command has run, cold (a new
 * sandbox from the template) and resumed (the thread's paused sandbox), on the loopback fake E2B;
 * the local provider's create() beside it. Prints figures; asserts nothing.
 */
export async function benchE2BRoundTrips(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'baton-bench-e2b-'));
  // The local sandbox's unprivileged user must pass through to its workspace.
  chmodSync(root, 0o755);
  // A 50 ms round trip, as from a datacenter to E2B: what the count measures is waits, not loopback speed.
  const fake = await startFakeE2B({ latencyMs: 50 });
  try {
    const source = generateRepository(root);
    const repo = { name: 'bench/e2b', url: source };
    const repoCache = createRepoCache({ dataDir: join(root, 'data') });
    let lastEndedAt: number | undefined;
    const e2b = createE2BSandboxProvider({
      repoCache,
      connection: {
        apiKey: fake.apiKey,
        apiUrl: fake.apiUrl,
        sandboxUrl: fake.sandboxUrl,
        requestTimeoutMs: 30_000,
      },
      template: 'base',
      instance: 'bench',
      keepPausedMs: 60_000,
      threadState: async () => ({ active: true, lastEndedAt }),
      // As `baton start` does on a linux x64 host: ripgrep travels beside the bundle.
      rgPath: bundledRgPath,
    });
    const local = createLocalSandboxProvider({ dataDir: join(root, 'local'), repoCache, spares: 0 });

    const measure = async (provider: SandboxProvider, branch: string, turn: string) => {
      const apiBefore = fake.record.api.length;
      const envdBefore = fake.record.envd.length;
      const started = performance.now();
      const sandbox = await provider.create({
        repo,
        baseRef: 'main',
        branch,
        limits: LIMITS,
        labels: { thread: branch, turn },
      });
      await sandbox.exec({ cmd: 'true' });
      const elapsed = performance.now() - started;
      const calls = [...fake.record.api.slice(apiBefore), ...fake.record.envd.slice(envdBefore)];
      return { sandbox, elapsed, calls };
    };

    await repoCache.ensure(repo);
    const localRun = await measure(local, 'baton/bench-local', 't0');
    await localRun.sandbox.dispose();
    const cold = await measure(e2b, 'baton/bench-e2b', 't1');
    await cold.sandbox.dispose();
    lastEndedAt = Date.now();
    const resumed = await measure(e2b, 'baton/bench-e2b', 't2');
    await resumed.sandbox.dispose();

    const line = (name: string, run: { elapsed: number; calls: Call[] }, goal?: number) => {
      const sequential = sequentialRoundTrips(run.calls);
      const verdict =
        goal === undefined ? '' : `  (goal ≤ ${goal}: ${sequential <= goal ? 'met' : 'NOT met'})`;
      console.log(
        `  ${name.padEnd(28)} ${run.elapsed.toFixed(0).padStart(5)} ms  ${String(run.calls.length).padStart(2)} requests, ${sequential} sequential round trips${verdict}`,
      );
    };
    console.log(
      'create() resolving and the first command run (counted), 200-file repository, fake E2B with a 50 ms round trip',
    );
    line('local (bubblewrap)', localRun);
    line('e2b cold (template)', cold, 4);
    line('e2b resumed (paused sandbox)', resumed);
    console.log(
      '  e2b from a cached environment: not measured (environment snapshots on E2B are not built yet)',
    );
  } finally {
    await fake.close();
    rmSync(root, { recursive: true, force: true });
  }
}
