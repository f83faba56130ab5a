import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createSilentLogger } from '../src/observability/logger.ts';
import { createIntake } from '../src/runs/intake.ts';
import { createTurnQueue, type TurnQueue } from '../src/runs/queue.ts';
import { createWorker, type TurnExecutor, type Worker } from '../src/runs/worker.ts';
import { createPostgresClient, openStore, type Store } from '../src/store/index.ts';
import { printFigure } from './stats.ts';

const RUNS = 24;
const MODEL_CALLS = 8;
const MODEL_CALL_MS = 50;
const CONCURRENCY_PER_WORKER = 2;
const serverUrl = process.env.BATON_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/**
 * Runs per minute through the durable queue on a Postgres server, with one worker and with two.
 * The executor stands in for a fake-model run: MODEL_CALLS calls of a fixed MODEL_CALL_MS, each
 * persisted as an item. Both workers live in this process; the work is waiting, not CPU.
 */
export async function benchThroughput(): Promise<void> {
  const one = await runsPerMinute(1);
  const two = await runsPerMinute(2);
  const ratio = two / one;
  printFigure(
    'throughput',
    {
      oneWorker: `${one.toFixed(0)} runs/min`,
      twoWorkers: `${two.toFixed(0)} runs/min`,
      ratio: `${ratio.toFixed(2)}x`,
    },
    'two workers ≥ 1.8x one',
    ratio >= 1.8,
  );
}

async function runsPerMinute(workerCount: number): Promise<number> {
  const admin = createPostgresClient({ connectionString: serverUrl, maxConnections: 1 });
  const schema = `baton_bench_${randomUUID().replaceAll('-', '')}`;
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const log = createSilentLogger();
  const config = {
    workerConcurrency: CONCURRENCY_PER_WORKER,
    maxGlobal: 64,
    maxPerRequester: 64,
    heartbeatSeconds: 10,
  };
  const stores: Store[] = [];
  const queues: TurnQueue[] = [];
  const workers: Worker[] = [];
  let completed = 0;
  let allDone: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  try {
    for (let index = 0; index <= workerCount; index += 1) {
      const { store, sql } = await openStore({ databaseUrl: url.toString() });
      const queue = createTurnQueue({
        sql,
        log,
        heartbeatSeconds: 10,
        schema: `${schema}_boss`,
        pollingIntervalSeconds: 0.5,
      });
      await queue.start();
      stores.push(store);
      queues.push(queue);
      // Index 0 only submits, like a gateway; the others work.
      if (index === 0) continue;
      const execute: TurnExecutor = async ({ turn }) => {
        for (let call = 1; call <= MODEL_CALLS; call += 1) {
          await new Promise((resolve) => setTimeout(resolve, MODEL_CALL_MS));
          await store.appendItem(
            turn.id,
            { type: 'status', text: `model call ${call}` },
            { completed: true },
          );
        }
        await store.updateTurn(turn.id, { status: 'succeeded', completedAt: new Date().toISOString() });
        completed += 1;
        if (completed === RUNS) allDone();
      };
      const worker = createWorker({ store, queue, execute, config, workerId: `bench-${index}`, log });
      await worker.start();
      workers.push(worker);
    }
    const [gatewayStore, gatewayQueue] = [stores[0], queues[0]];
    if (!gatewayStore || !gatewayQueue) throw new Error('no gateway store');
    const intake = createIntake({
      store: gatewayStore,
      queue: gatewayQueue,
      config,
      branchPrefix: 'baton/',
      log,
    });
    const start = performance.now();
    for (let run = 0; run < RUNS; run += 1) {
      const ts = `1700000000.${String(run).padStart(6, '0')}`;
      await intake.submit({
        origin: {
          kind: 'slack',
          teamId: 'T1',
          channelId: 'C1',
          threadTs: ts,
          messageTs: ts,
          userId: `U${run}`,
        },
        requester: { id: `U${run}` },
        text: `run ${run}`,
        receivedAt: new Date().toISOString(),
        dedupeKeys: [`bench:${ts}`],
        repo: 'bench/app',
      });
    }
    await finished;
    return (RUNS / (performance.now() - start)) * 60_000;
  } finally {
    for (const worker of workers) await worker.stop();
    for (const queue of queues) await queue.stop();
    for (const store of stores) await store.close();
    await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`);
    await admin.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchThroughput();
