import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { rgPath } from '@vscode/ripgrep';
import { policiesSchema } from '../src/config/schema.ts';
import { createSilentLogger } from '../src/observability/logger.ts';
import type { Reporter } from '../src/runs/reporter.ts';
import { createLocalSandboxProvider } from '../src/sandbox/index.ts';
import { executeToolCall } from '../src/tools/execute-tool-call.ts';
import { createToolRegistry } from '../src/tools/registry.ts';
import { createToolState, type ToolContext } from '../src/tools/types.ts';
import { createFixtureRepo, createTempDir } from '../tests/fixtures/git-repo.ts';
import { formatMs, median, printFigure } from './stats.ts';

const FILES = 10_000;
const RUNS = 9;
const PATTERNS: readonly { name: string; args: Record<string, unknown>; rgFlags: string[] }[] = [
  { name: 'rare literal', args: { pattern: 'needle_4242' }, rgFlags: ['-e', 'needle_4242'] },
  {
    name: 'regex',
    args: { pattern: 'export const value_\\d+7 =' },
    rgFlags: ['-e', 'export const value_\\d+7 ='],
  },
  {
    name: 'ignore case + glob',
    args: { pattern: 'TODO_REVIEW', ignore_case: true, glob: '*.ts' },
    rgFlags: ['--ignore-case', '--glob', '*.ts', '-e', 'TODO_REVIEW'],
  },
  { name: 'common word', args: { pattern: 'function' }, rgFlags: ['-e', 'function'] },
];

/** The same flags the grep tool passes, so the raw run does the same work. */
const RG_FLAGS = [
  '--hidden',
  '--glob',
  '!.git',
  '--color',
  'never',
  '--line-number',
  '--no-heading',
  '--with-filename',
  '--null',
  '--max-columns',
  '500',
  '--max-columns-preview',
];

function generateFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let index = 0; index < FILES; index += 1) {
    const directory = `src/module-${Math.floor(index / 100)}`;
    const lines = [
      `// file ${index}`,
      `export const value_${index} = ${index};`,
      `export function compute_${index}(input: number): number {`,
      `  return input * ${index % 97} + value_${index};`,
      '}',
    ];
    if (index % 500 === 0) lines.push('// todo_review: simplify');
    if (index === 4242) lines.push('const needle_4242 = true;');
    files[`${directory}/file-${index}.ts`] = `${lines.join('\n')}\n`;
  }
  return files;
}

function runHostRg(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(rgPath, [...RG_FLAGS, ...args, '--', '.'], { cwd, maxBuffer: 64 * 1024 * 1024 }, (error) => {
      // Exit 1 (no match) is a normal answer.
      if (error && (error as { code?: unknown }).code !== 1) reject(error);
      else resolve();
    });
  });
}

async function timeIt(runs: number, action: () => Promise<unknown>): Promise<number[]> {
  await action(); // warm the page cache and the sandbox
  const samples: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const start = performance.now();
    await action();
    samples.push(performance.now() - start);
  }
  return samples;
}

/** The grep tool (dispatcher + sandboxed rg) against raw host rg over the same 10,000-file tree. */
export async function benchGrepTool(): Promise<void> {
  const setupStart = performance.now();
  const fixture = createFixtureRepo(generateFiles());
  const dataDir = createTempDir('baton-bench-grep-');
  mkdirSync(join(dataDir.path, 'data'), { recursive: true });
  const provider = createLocalSandboxProvider({ dataDir: join(dataDir.path, 'data'), spares: 0 });
  const sandbox = await provider.create({
    repo: { name: 'bench-grep', url: fixture.path },
    baseRef: 'main',
    branch: 'baton/bench-grep',
    limits: {
      commandTimeoutMs: 60_000,
      memoryMb: 2048,
      outputCapBytes: 1_000_000,
      network: 'off',
      envAllowlist: [],
    },
  });
  console.log(`setup (${FILES} files, repo + sandbox): ${formatMs(performance.now() - setupStart)}`);
  const reporter: Reporter = {
    start: async () => undefined,
    progress: () => undefined,
    reply: async () => undefined,
    ask: async () => ({ type: 'deferred' }),
    finish: async () => undefined,
  };
  const context: ToolContext = {
    runId: 'bench',
    sandbox,
    signal: new AbortController().signal,
    log: createSilentLogger(),
    reporter,
    state: createToolState(),
    policies: policiesSchema.parse({}),
    outputLimit: 10_000,
    progress: () => undefined,
    secrets: [],
  };
  const registry = createToolRegistry({ include: ['grep'] });
  try {
    const ratios: number[] = [];
    for (const pattern of PATTERNS) {
      const call = { id: 'bench', name: 'grep', arguments: JSON.stringify(pattern.args) };
      const tool = median(
        await timeIt(RUNS, async () => {
          const result = await executeToolCall(registry, call, context);
          if (!result.ok) throw new Error(`grep failed: ${result.error}`);
        }),
      );
      const raw = median(await timeIt(RUNS, () => runHostRg(pattern.rgFlags, fixture.path)));
      const ratio = tool / raw;
      ratios.push(ratio);
      printFigure(
        `grep tool vs host rg (${pattern.name})`,
        { tool: formatMs(tool), rg: formatMs(raw), ratio: ratio.toFixed(2) },
        'ratio <= 1.5',
        ratio <= 1.5,
      );
    }
    const overall = median(ratios);
    printFigure(
      'grep tool vs host rg (median of patterns)',
      { ratio: overall.toFixed(2) },
      'ratio <= 1.5',
      overall <= 1.5,
    );
  } finally {
    await sandbox.dispose();
    await provider.idle();
    fixture.cleanup();
    dataDir.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchGrepTool();
