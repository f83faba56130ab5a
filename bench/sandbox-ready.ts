import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createLocalSandboxProvider } from '../src/sandbox/index.ts';
import type { SandboxLimits } from '../src/sandbox/types.ts';

const DIRECTORIES = 100;
const FILES_PER_DIRECTORY = 100;
const ROUNDS = 7;
const LIMITS: SandboxLimits = {
  commandTimeoutMs: 60_000,
  memoryMb: 2048,
  outputCapBytes: 100_000,
  network: 'off',
  envAllowlist: [],
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function generateRepository(root: string): string {
  const path = join(root, 'source');
  mkdirSync(path);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: path, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  for (let directory = 0; directory < DIRECTORIES; directory++) {
    mkdirSync(join(path, `module-${directory}`));
    for (let file = 0; file < FILES_PER_DIRECTORY; file++) {
      writeFileSync(
        join(path, `module-${directory}`, `file-${file}.ts`),
        `export const value${file} = ${directory * file};\n`,
      );
    }
  }
  git('add', '-A');
  git(
    '-c',
    'user.name=Bench',
    '-c',
    'user.email=bench@example.com',
    'commit',
    '-q',
    '-m',
    'ten thousand files',
  );
  return path;
}

/**
 * Sandbox ready time (create() resolving) against a plain `git clone` of the same 10,000-file
 * repository. Prints figures; asserts nothing.
 */
export async function benchSandboxReady(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'baton-bench-ready-'));
  chmodSync(root, 0o711); // run as root, the sandbox uid must pass through to the data dir
  try {
    const source = generateRepository(root);
    const provider = createLocalSandboxProvider({
      dataDir: join(root, 'data'),
      hostEnv: { PATH: '/usr/local/bin:/usr/bin:/bin' },
    });
    const repo = { name: 'bench/ten-thousand', url: source };
    let turn = 0;
    const createOnce = async () => {
      const started = performance.now();
      const sandbox = await provider.create({
        repo,
        baseRef: 'main',
        branch: `baton/bench-${++turn}`,
        limits: LIMITS,
      });
      const elapsed = performance.now() - started;
      await sandbox.dispose();
      return elapsed;
    };

    // Warm: clone the mirror and prepare the first spare.
    const cold = await createOnce();
    await provider.idle();

    const ready: number[] = [];
    const backToBack: number[] = [];
    const clones: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // A request that arrives while the pool is ready (requests more than ~0.3 s apart).
      ready.push(await createOnce());
      await provider.idle();
      const target = join(root, `clone-${round}`);
      const started = performance.now();
      execFileSync('git', ['clone', '-q', source, target]);
      clones.push(performance.now() - started);
      rmSync(target, { recursive: true, force: true });
    }
    for (let round = 0; round < 3; round++) backToBack.push(await createOnce());
    await provider.idle();

    const readyMedian = median(ready);
    const cloneMedian = median(clones);
    const ratio = readyMedian / cloneMedian;
    const files = DIRECTORIES * FILES_PER_DIRECTORY;
    console.log(`sandbox ready, ${files} files, ${ROUNDS} rounds`);
    console.log(`  first create (clones the mirror):      ${cold.toFixed(0)} ms`);
    console.log(`  plain git clone (median):              ${cloneMedian.toFixed(1)} ms`);
    console.log(`  sandbox ready, spare ready (median):   ${readyMedian.toFixed(1)} ms`);
    console.log(
      `  sandbox ready, back-to-back (median):  ${median(backToBack).toFixed(1)} ms  (pool not yet refilled)`,
    );
    console.log(
      `  ratio ready/clone: ${ratio.toFixed(3)}  (goal ≤ 0.2: ${ratio <= 0.2 ? 'met' : 'NOT met'})`,
    );
    console.log(`  ready under 1 s: ${readyMedian < 1000 ? 'met' : 'NOT met'}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await benchSandboxReady();
}
