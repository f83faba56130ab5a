import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { createPostgresClient } from '../src/store/index.ts';
import { type FakeSlack, startFakeSlack } from '../tests/fakes/slack-server.ts';
import type { LoadResult } from './ack-latency-load.ts';
import { BENCH_TEAM } from './ack-latency-mix.ts';
import { formatMs, percentile, printFigure } from './stats.ts';

const root = join(import.meta.dirname, '..');
const serverUrl = process.env.BATON_BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const WARM_UP_SECONDS = 2;

export type BenchBackend = 'pglite' | 'postgres';

/**
 * Ack latency of Slack events under load, three processes apart: the load generator, Baton's
 * gateway (`baton start --role gateway`, on embedded PGlite or a Postgres server) and a bare Bolt
 * app with empty listeners as the baseline. The same mix goes to both (90 % channel chatter in
 * threads Baton does not own, 10 % mentions), paced open-loop on loopback, bounded in count and
 * time. Figures only: p50/p95/p99, the ratio to bare Bolt and the errors (connection, non-2xx,
 * timeouts). A benchmark does not assert.
 */
export async function benchAckLatency(
  options: {
    ratePerSecond?: number;
    seconds?: number;
    rounds?: number;
    backends?: readonly BenchBackend[];
  } = {},
): Promise<void> {
  const rate = Math.min(options.ratePerSecond ?? 200, 1_000);
  const seconds = Math.min(options.seconds ?? 5, 30);
  const rounds = Math.min(options.rounds ?? 3, 10);
  const backends = options.backends ?? ['pglite', 'postgres'];
  const slack = await startFakeSlack({ teamId: BENCH_TEAM });
  const children: ChildProcess[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'baton-bench-ack-'));
  let run = 0;
  try {
    console.log(
      `${rate}/s signed events (90% thread chatter, 10% mentions), ${rounds} rounds of ${seconds} s per side, bare Bolt before each Baton; each side warmed up ${WARM_UP_SECONDS} s first`,
    );
    const bare = await spawnReady(children, ['bench/ack-latency-bare.ts'], slackEnvironment(slack));
    for (const backend of backends) {
      const database = backend === 'postgres' ? await createBenchSchema() : undefined;
      try {
        // Bare Bolt first, while no Baton process runs: Baton's work after its acks (status
        // messages, the queue's upkeep) must not land in the baseline's rounds.
        await load(slack, bare.url, rate, WARM_UP_SECONDS, ++run);
        const bareRuns: LoadResult[] = [];
        for (let round = 0; round < rounds; round += 1)
          bareRuns.push(await load(slack, bare.url, rate, seconds, ++run));
        const baton = await spawnBaton(children, slack, join(scratch, backend), database);
        await load(slack, baton.url, rate, WARM_UP_SECONDS, ++run);
        const batonRuns: LoadResult[] = [];
        for (let round = 0; round < rounds; round += 1)
          batonRuns.push(await load(slack, baton.url, rate, seconds, ++run));
        const bareResult = pooled(bareRuns);
        const result = pooled(batonRuns);
        console.log(`\n${backend}:`);
        printSide('  bare Bolt (separate process)', bareResult);
        printSide(
          `  Baton (${process.env.BATON_BENCH_ROLE === 'all' ? '--role all' : '--role gateway'}) on ${backend}`,
          result,
        );
        const ratio = result.p99 / bareResult.p99;
        const errors = result.errors.connection + result.errors.non2xx + result.errors.timeout;
        printFigure(
          `  ${backend}`,
          {
            'p99 ratio': `${ratio.toFixed(2)}x`,
            'p50 ratio': `${(result.p50 / bareResult.p50).toFixed(2)}x`,
            'per-round p99 ratios': batonRuns
              .map((batonRun, index) => (batonRun.p99 / (bareRuns[index]?.p99 ?? Number.NaN)).toFixed(2))
              .join('/'),
            errors: String(errors),
          },
          'p99 <= 1.25x bare, 0 errors',
          ratio <= 1.25 && errors === 0,
        );
        await stop(baton.child);
      } finally {
        await database?.drop();
      }
    }
  } finally {
    for (const child of children) await stop(child);
    await slack.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Several runs as one: latencies pooled, errors added up. */
function pooled(runs: readonly LoadResult[]): LoadResult {
  const latencies = runs.flatMap((result) => result.latencies);
  const sum = (pick: (result: LoadResult) => number) =>
    runs.reduce((total, result) => total + pick(result), 0);
  return {
    sent: sum((result) => result.sent),
    ok: sum((result) => result.ok),
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    max: percentile(latencies, 1),
    errors: {
      connection: sum((result) => result.errors.connection),
      non2xx: sum((result) => result.errors.non2xx),
      timeout: sum((result) => result.errors.timeout),
    },
    samples: runs.flatMap((result) => result.samples).slice(0, 5),
    latencies,
  };
}

function printSide(name: string, result: LoadResult): void {
  const figures = [
    `p50=${formatMs(result.p50)}`,
    `p95=${formatMs(result.p95)}`,
    `p99=${formatMs(result.p99)}`,
    `max=${formatMs(result.max)}`,
    `sent=${result.sent}`,
    `2xx=${result.ok}`,
    `connection errors=${result.errors.connection}`,
    `non-2xx=${result.errors.non2xx}`,
    `timeouts=${result.errors.timeout}`,
  ];
  console.log(`${name}: ${figures.join('  ')}`);
  for (const sample of result.samples) console.log(`    ${sample}`);
}

function slackEnvironment(slack: FakeSlack): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
  };
}

/** One run of the load generator in its own process; its JSON line is the result. */
async function load(slack: FakeSlack, url: string, rate: number, seconds: number, run: number) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/ack-latency-load.ts',
      `${url}/slack/events`,
      String(rate),
      String(seconds),
      String(run),
    ],
    {
      cwd: root,
      env: { PATH: process.env.PATH, ...slackEnvironment(slack), BENCH_BOT_USER: slack.botUserId },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the load generator exited with ${code}`);
  return JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as LoadResult;
}

/** Starts a child that prints `{"event":"ready","port":N}`; kills it and fails after 60 s without one. */
async function spawnReady(children: ChildProcess[], args: string[], environment: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, ...environment },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} was not ready within 60 s`)), 60_000);
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = safeParse(line);
      if (message?.event === 'ready' && typeof message.port === 'number') {
        clearTimeout(timer);
        resolve(message.port);
      }
    });
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

/** `baton start --role gateway` as an operator runs it: environment, a config file, its own data dir. */
async function spawnBaton(
  children: ChildProcess[],
  slack: FakeSlack,
  dataDir: string,
  database?: { url: string; schema: string },
) {
  const configPath = join(dataDir, 'baton.yaml');
  const port = await freePort();
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  // On the server, the queue goes to a schema of the benchmark's own too.
  const queue = database ? `runs:\n  queueSchema: ${database.schema}_boss\n` : '';
  writeFileSync(configPath, `repos:\n  - name: acme/web\n    url: /srv/acme-web.git\n${queue}`);
  // BATON_BENCH_PROFILE_DIR: a CPU profile of the gateway process, written when it stops.
  const profile = process.env.BATON_BENCH_PROFILE_DIR;
  const nodeOptions = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  // BATON_BENCH_ROLE=all: what `npm start` runs (the worker then also takes the mentions' turns).
  const role = process.env.BATON_BENCH_ROLE === 'all' ? 'all' : 'gateway';
  const child = spawn(process.execPath, [...nodeOptions, 'src/cli/baton.mjs', 'start', '--role', role], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: dataDir,
      ...slackEnvironment(slack),
      BATON_CONFIG: configPath,
      BATON_DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...(database ? { DATABASE_URL: database.url } : {}),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`baton start exited with ${child.exitCode}:\n${stderr}`);
    const ready = await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`baton start was not ready within 60 s:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { child, url };
}

/** A schema of the benchmark's own on the server, dropped afterwards. */
async function createBenchSchema() {
  const admin = createPostgresClient({ connectionString: serverUrl, maxConnections: 1 });
  const schema = `baton_bench_${process.pid}_${Date.now()}`;
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    schema,
    async drop() {
      await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.exec(`DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`);
      await admin.close();
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function safeParse(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [rate, seconds, backend, rounds] = process.argv.slice(2);
  await benchAckLatency({
    ratePerSecond: Number(rate) || undefined,
    seconds: Number(seconds) || undefined,
    rounds: Number(rounds) || undefined,
    backends: backend === 'pglite' || backend === 'postgres' ? [backend] : undefined,
  });
}
